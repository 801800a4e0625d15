"""The first voice conversation, end to end, on real components: headless Chromium with a fake
microphone playing a spoken sentence, the real web app, API, LiveKit server and agent worker
(local Whisper STT, local Piper TTS, the deterministic echo LLM)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.support import ROOT, SCREENSHOTS, env, live_session, speech_wav

SENTENCE = "What is the weather like in Paris today?"


async def test_user_speaks_and_agent_answers_by_voice(demo: dict[str, str], tmp_path: Path) -> None:
    wav = speech_wav(SENTENCE, tmp_path / "sentence.wav", lead_s=6.0, tail_s=4.0)
    async with live_session(demo["test_embed_key"], wav) as live:
        page = live.page
        participant_token = live.token
        session_id = live.session_id

        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')

        # The greeting is spoken (its transcript arrives with the audio) ...
        await expect(agent_lines.filter(has_text="test agent").first).to_be_visible(timeout=60_000)
        # ... and real audio samples of the agent's voice reached the page.
        await page.wait_for_function("window.__troupeAudioPeak > 0.01", timeout=30_000)

        # The user's sentence is recognised by the local STT and shown ...
        await expect(user_lines.filter(has_text=re.compile("weather", re.I)).first).to_be_visible(
            timeout=60_000
        )
        # ... and the agent answers it by voice (the echo LLM repeats what it heard).
        answer = agent_lines.filter(has_text=re.compile(r"You said:.*weather", re.I)).first
        await expect(answer).to_be_visible(timeout=60_000)
        await expect(page.get_by_test_id("active-agent")).not_to_be_empty()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "e2e-voice-conversation.png"), full_page=True)

        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()

    # The API saw the session become active through LiveKit's real webhooks.
    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=10) as api:
        r = await api.get(
            f"/api/v1/sessions/{session_id}",
            headers={"Authorization": f"Bearer {participant_token}"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] in {"active", "completed"}

    # LiveKit's own metrics saw the session's media: every livekit_* series the Grafana
    # dashboard and the alert rules read is really exported by the server we run.
    async with httpx.AsyncClient(timeout=10) as client:
        port = env("TROUPE_LIVEKIT_PROMETHEUS_PORT")
        scraped = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    exported = set(re.findall(r"^(livekit_[a-z_]+)", scraped, re.M))
    observability = ROOT / "deploy" / "observability"
    dashboard = json.loads((observability / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs.append((observability / "alerts.yml").read_text())
    used = {n for e in exprs for n in re.findall(r"\b(livekit_[a-z_]+)", e)}
    assert {"livekit_jitter_us_bucket", "livekit_packet_loss_percent_bucket"} <= used
    assert used <= exported, f"not exported by livekit-server: {sorted(used - exported)}"

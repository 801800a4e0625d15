"""Session recordings end to end, on real components: a template with recording on (made
through the dashboard API from the seeded handoff agents), headless Chromium with a fake
microphone, the real web app, API, LiveKit server and agent worker. After the session: the
user-only, agent-only and mixed files exist in storage with durations that match the
session's, their signed URLs download them without any other credential, another
organization is refused, and forged or expired links are refused."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import av
import httpx
import numpy as np
from playwright.async_api import expect

from tests.e2e.support import (
    SCREENSHOTS,
    demo_admin_headers,
    env,
    live_session,
    read_complete_log,
    speech_wav,
)

SENTENCE = "I need to talk to an expert please."
CONSENT = "This call is recorded so we can review the handoff."
RECORDINGS_TIMEOUT_S = 120.0
# The recorder runs from the agent's session start to its close, i.e. while the agent is in
# the room; LiveKit's webhook times have one-second resolution. (The session's own duration,
# room start to room end, also counts LiveKit's empty-room timeout after everyone left.)
DURATION_TOLERANCE_S = 2.5


async def _recorded_embed_key(api: httpx.AsyncClient, headers: dict[str, str], demo: Any) -> str:
    handoff = await api.get(
        f"/api/v1/session-templates/{demo['handoff_template_id']}", headers=headers
    )
    assert handoff.status_code == 200, handoff.text
    body = handoff.json()
    created = await api.post(
        "/api/v1/session-templates",
        headers=headers,
        json={
            "name": f"Recorded handoff {uuid.uuid4().hex[:6]}",
            "agent_set_id": body["agent_set_id"],
            "initial_agent": body["initial_agent"],
            "modality_profile": "audio",
            "enabled_panels": [],
            "record_audio": True,
            "recording_consent_text": CONSENT,
        },
    )
    assert created.status_code == 201, created.text
    deployment = await api.post(
        f"/api/v1/session-templates/{created.json()['id']}/deployments",
        headers=headers,
        json={
            "name": f"recorded {uuid.uuid4().hex[:6]}",
            "allowed_origins": [env("TROUPE_WEB_URL")],
        },
    )
    assert deployment.status_code == 201, deployment.text
    return str(deployment.json()["embed_key"])


async def _recordings(
    api: httpx.AsyncClient, session_id: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + RECORDINGS_TIMEOUT_S
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        r = await api.get(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        if len(items) == 3:
            return items
        await asyncio.sleep(1.0)
    raise AssertionError(f"recordings not uploaded after {RECORDINGS_TIMEOUT_S:.0f}s: {items}")


def _decode(data: bytes) -> tuple[float, float]:
    """(seconds, RMS) of a mono Ogg/Opus file."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus" and stream.codec_context.channels == 1
        samples = np.concatenate(
            [f.to_ndarray().reshape(-1).astype(np.float32) for f in container.decode(stream)]
        )
    return len(samples) / 48_000, float(np.sqrt(np.mean(samples**2)))


async def test_recorded_session_files_durations_signed_urls_and_access(
    demo: dict[str, str], tmp_path: Path
) -> None:
    api_url = env("TROUPE_API_URL")
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        headers = await demo_admin_headers(api)
        embed_key = await _recorded_embed_key(api, headers, demo)

    wav = speech_wav(SENTENCE, tmp_path / "sentence.wav", lead_s=6.0, tail_s=6.0)
    async with live_session(embed_key, wav) as live:
        page = live.page
        session_id = live.session_id
        stored = await page.evaluate(
            "id => JSON.parse(sessionStorage.getItem('troupe.session.' + id))", session_id
        )
        assert stored["response"]["recording"] == {"enabled": True, "consent_text": CONSENT}
        # The consent notice and the REC badge are on the page during the call.
        await expect(page.get_by_test_id("recording-badge")).to_be_visible(timeout=30_000)
        await expect(page.get_by_test_id("recording-consent")).to_contain_text(CONSENT)
        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        await expect(agent_lines.filter(has_text="front desk").first).to_be_visible(timeout=60_000)
        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')
        # Any transcript will do (what Whisper heard is not the point here).
        await expect(user_lines.first).to_be_visible(timeout=60_000)
        await expect(agent_lines.nth(1)).to_be_visible(timeout=60_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "e2e-recording-live.png"), full_page=True)
        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()
        token = live.token

    await read_complete_log(session_id, token)
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        items = await _recordings(api, session_id, headers)
        assert [i["kind"] for i in items] == ["mixed", "user", "agent"]

        session = (await api.get(f"/api/v1/sessions/{session_id}", headers=headers)).json()
        deadline = time.monotonic() + 60
        while session["duration_seconds"] is None and time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            session = (await api.get(f"/api/v1/sessions/{session_id}", headers=headers)).json()
        assert session["duration_seconds"] is not None, session
        # The agent's time in the room, from LiveKit's own webhooks: what the recorder spans.
        replay = (await api.get(f"/api/v1/sessions/{session_id}/replay", headers=headers)).json()
        agent_events = {
            i["kind"]: i["t_ms"] / 1000
            for i in replay["items"]
            if i["source"] == "livekit"
            and i["kind"] in ("participant_joined", "participant_left")
            and str(i["data"].get("participant_identity", "")).startswith("agent-")
        }
        in_room_s = agent_events["participant_left"] - agent_events["participant_joined"]
        # The session lasts from the user's join to their leave; the agent (and so its
        # recording) stays a little longer, until it sees the user gone for good.
        user_left = max(
            i["t_ms"] / 1000
            for i in replay["items"]
            if i["source"] == "livekit"
            and i["kind"] == "participant_left"
            and str(i["data"].get("participant_identity", "")).startswith("user-")
        )
        agent_after_user_s = max(0.0, agent_events["participant_left"] - user_left)
        started = datetime.fromisoformat(items[0]["started_at"])
        room_start = datetime.fromisoformat(replay["started_at"])
        offset_s = (started - room_start).total_seconds()
        assert abs(offset_s - agent_events["participant_joined"]) < DURATION_TOLERANCE_S, offset_s

        levels: dict[str, float] = {}
        for item in items:
            # The signed URL is the only credential needed.
            async with httpx.AsyncClient(timeout=30) as anonymous:
                got = await anonymous.get(item["url"])
            assert got.status_code == 200, got.text
            assert got.content.startswith(b"OggS") and len(got.content) == item["size_bytes"]
            seconds, levels[item["kind"]] = _decode(got.content)
            assert abs(seconds - item["duration_ms"] / 1000) < 0.1, (item, seconds)
            assert abs(seconds - in_room_s) < DURATION_TOLERANCE_S, (
                item["kind"],
                seconds,
                in_room_s,
            )
            # The recording spans the conversation plus the agent's wait after the user left.
            assert (
                seconds <= session["duration_seconds"] + agent_after_user_s + DURATION_TOLERANCE_S
            )
        # Each side's channel carries that side's voice (Piper speech on both).
        assert levels["user"] > 0.005 and levels["agent"] > 0.005, levels
        assert levels["mixed"] >= max(levels["user"], levels["agent"]) * 0.9, levels

        # Forged and expired links are refused.
        parts = urlsplit(items[0]["url"])
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        base = f"{api_url}{parts.path}"
        async with httpx.AsyncClient(timeout=30) as anonymous:
            for bad in (
                {**query, "sig": query["sig"][::-1]},
                {**query, "key": query["key"].replace("mixed", "user")},
                {**query, "expires": str(int(time.time()) - 1)},
                {**query, "expires": str(int(query["expires"]) + 3600)},
            ):
                refused = await anonymous.get(f"{base}?{urlencode(bad)}")
                assert refused.status_code == 403, (bad, refused.text)
                assert refused.json()["error"]["code"] == "download_link_invalid"

        # Another organization gets 404 for the listing.
        registered = await api.post(
            "/api/v1/auth/register",
            json={
                "email": f"rec-{uuid.uuid4().hex[:8]}@example.com",
                "password": "a long enough password",
                "organization_name": "Someone else",
                "delivery": "body",
            },
        )
        assert registered.status_code == 201, registered.text
        other = {"Authorization": f"Bearer {registered.json()['access_token']}"}
        denied = await api.get(f"/api/v1/sessions/{session_id}/recordings", headers=other)
        assert denied.status_code == 404, denied.text
        assert session_id not in denied.text

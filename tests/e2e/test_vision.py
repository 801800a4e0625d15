"""Camera, screen share, vision and agent -> browser files end to end, on real components: the
seeded "Test: vision" template (scripted agent ``test_vision`` with vision on, following
tests/e2e/scripts/handoff.json), headless Chromium with a fake microphone and Chromium's fake
camera, the real web app, API, LiveKit server and agent worker.

1. The user speaks; the agent calls ``request_camera``; the page shows the consent prompt with
   the agent's reason; the test accepts; the fake camera is published (preview shown).
2. The user speaks again; the agent's scripted LLM reports what its context held for that turn
   (``{image_count}`` / ``{last_image}``, decoded from the context, never assumed): one JPEG
   frame of the camera, scaled to fit the agent's 1024 px.
3. The agent calls ``request_screen_share``; the test refuses the prompt; the LLM relays the tool
   output it received (``{last_tool_output}``): the refusal.
4. The agent calls ``share_notes``; the page lists the Markdown file with a download link and
   the downloaded bytes are exactly what the agent composed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.async_api import expect

from tests.e2e.support import ROOT, SCREENSHOTS, live_session, read_complete_log, speech_wav

SCRIPT = json.loads((ROOT / "tests" / "e2e" / "scripts" / "handoff.json").read_text())
TURN_TIMEOUT_MS = 90_000
SEEN = re.compile(r"I see (\d+) image: (\d+)x(\d+) JPEG")


def _tool_arguments(name: str) -> dict[str, Any]:
    for turn in SCRIPT["agents"]["test_vision"]:
        for call in turn.get("tool_calls", []) if isinstance(turn, dict) else []:
            if call["name"] == name:
                return dict(call["arguments"])
    raise AssertionError(f"no {name} in the script of test_vision")


async def test_camera_consent_frame_reaches_the_llm_screen_refusal_is_told_notes_download(
    demo: dict[str, str], tmp_path: Path
) -> None:
    camera_reason = _tool_arguments("request_camera")["reason"]
    screen_reason = _tool_arguments("request_screen_share")["reason"]
    notes = _tool_arguments("share_notes")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # one utterance per ~16 s loop, so the test can mute between the agent's steps
    wav = speech_wav("Please look at my camera.", tmp_path / "look.wav", lead_s=2.0, tail_s=12.0)
    async with live_session(
        demo["vision_embed_key"],
        wav,
        viewport=(1280, 900),
        accept_downloads=True,
        permissions=("microphone", "camera"),
    ) as live:
        page = live.page
        session_id, token = live.session_id, live.token
        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        mic = page.get_by_test_id("mic-toggle")
        dialog = page.get_by_test_id("consent-dialog")

        # 1. The agent asks for the camera; the user accepts.
        await expect(dialog).to_be_visible(timeout=TURN_TIMEOUT_MS)
        await expect(dialog).to_have_attribute("data-kind", "camera")
        await expect(dialog).to_contain_text(camera_reason)
        # Muted, so the next utterance comes once the camera is on. The consent prompt is a
        # modal dialog: the page behind it takes no pointer clicks, so the event is dispatched.
        await mic.dispatch_event("click")
        await expect(mic).to_have_attribute("data-muted", "true")
        await page.screenshot(path=str(SCREENSHOTS / "e2e-vision-camera-consent.png"))
        await page.get_by_test_id("consent-allow").click()
        await expect(dialog).to_be_hidden()
        await expect(page.get_by_test_id("camera-preview")).to_be_visible(timeout=15_000)
        await expect(page.get_by_test_id("camera-toggle")).to_have_attribute("aria-pressed", "true")
        await expect(agent_lines.filter(has_text="The camera is on.").first).to_be_visible(
            timeout=30_000
        )
        await page.wait_for_timeout(1_500)  # let the preview's video render frames
        await page.screenshot(path=str(SCREENSHOTS / "e2e-vision-camera-preview.png"))

        # 2. The user speaks again: the completed turn carries a camera frame to the LLM.
        await mic.click()
        await expect(mic).to_have_attribute("data-muted", "false")
        seen = agent_lines.filter(has_text=SEEN)
        await expect(seen.first).to_be_visible(timeout=TURN_TIMEOUT_MS)

        # 3. The agent asks for the screen; the user refuses and the agent is told.
        await expect(dialog).to_be_visible(timeout=30_000)
        await expect(dialog).to_have_attribute("data-kind", "screen")
        await expect(dialog).to_contain_text(screen_reason)
        await mic.dispatch_event("click")
        await expect(mic).to_have_attribute("data-muted", "true")
        await page.get_by_test_id("consent-deny").click()
        await expect(dialog).to_be_hidden()
        refusal = agent_lines.filter(has_text=re.compile(r"Screen share: The user declined"))
        await expect(refusal.first).to_be_visible(timeout=30_000)

        # 4. The notes file arrives whole, with a download link.
        link = page.get_by_test_id("received-file")
        await expect(link).to_have_text("vision-test-notes.md", timeout=30_000)
        await expect(link).to_have_attribute("download", "vision-test-notes.md")
        async with page.expect_download() as download_info:
            await link.click()
        download = await download_info.value
        assert download.suggested_filename == "vision-test-notes.md"
        assert Path(await download.path()).read_bytes() == notes["content"].encode("utf-8")
        await expect(agent_lines.filter(has_text="Notes: The user received").first).to_be_visible(
            timeout=30_000
        )
        await page.screenshot(path=str(SCREENSHOTS / "e2e-vision-received-file.png"))

        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()

    entries = (await read_complete_log(session_id, token, 90.0))["entries"]
    tools = {e["tool"]: e for e in entries if e["kind"] == "tool_call"}
    assert tools["request_camera"]["error"] is None, tools["request_camera"]
    assert "turned on the camera" in tools["request_camera"]["result"]
    assert tools["request_screen_share"]["result"] is None
    assert "declined" in tools["request_screen_share"]["error"], tools["request_screen_share"]
    assert tools["share_notes"]["error"] is None, tools["share_notes"]
    size = len(notes["content"].encode("utf-8"))
    assert f"vision-test-notes.md ({size} bytes)" in tools["share_notes"]["result"]

    said = [e["text"] for e in entries if e["kind"] == "message" and e["role"] == "assistant"]
    frames = [m for m in map(SEEN.search, said) if m]
    assert frames, said
    count, width, height = (int(g) for g in frames[0].groups())
    # exactly the one frame of the completed turn, resized to fit the agent's max_size
    assert count == 1 and 0 < width <= 1024 and 0 < height <= 1024, said
    refusals = [t for t in said if t.startswith("Screen share: ")]
    assert refusals and refusals[0] == f"Screen share: {tools['request_screen_share']['error']}"
    # a vision LLM: nothing was skipped
    assert not [e for e in entries if e["kind"] == "error" and "vision" in e["message"]]

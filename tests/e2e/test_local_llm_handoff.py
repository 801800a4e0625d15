"""The seeded demo (Ava and Max) on the REAL offline LLM, end to end by voice: headless Chromium
with a fake microphone, the real web app, API, LiveKit server and agent worker, Whisper STT,
Piper TTS and the local llama.cpp model the catalog names as the offline default (no scripted
LLM: the demo's agents use ``DEFAULT_OFFLINE``). A plain request for Max hands the user over to
Max; small talk gets a spoken answer from Ava and no handoff.

`make test` builds the local LLM runtime and sets ``TROUPE_REQUIRE_LOCAL_LLM=1``, so a missing
runtime fails these tests there instead of skipping them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.support import SCREENSHOTS, live_session, read_complete_log, speech_wav

HANDOFF_REQUEST = "Can I talk to Max about my bill?"
SMALL_TALK = "Hello, how are you today?"
LOG_TIMEOUT_S = 90.0


@pytest.fixture(autouse=True)
def local_llm_runtime() -> None:
    try:
        import llama_cpp  # noqa: F401  (the worker runs in this same environment)
    except ImportError:
        reason = "llama-cpp-python is not installed (make install-local-llm)"
        if os.environ.get("TROUPE_REQUIRE_LOCAL_LLM") == "1":
            pytest.fail(f"TROUPE_REQUIRE_LOCAL_LLM=1 but {reason}")
        pytest.skip(reason)


def transitions(log: dict[str, object]) -> list[tuple[object, object]]:
    entries = log["entries"]
    assert isinstance(entries, list)
    return [(e["from_agent"], e["to_agent"]) for e in entries if e["kind"] == "transition"]


async def test_plain_request_for_max_hands_off_by_voice(
    demo: dict[str, str], tmp_path: Path
) -> None:
    # Chromium loops the file: the request comes again every ~20 s until it is heard
    wav = speech_wav(HANDOFF_REQUEST, tmp_path / "ask-max.wav", lead_s=6.0, tail_s=12.0)
    async with live_session(demo["embed_key"], wav) as live:
        page = live.page
        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')
        active = page.get_by_test_id("active-agent")

        await expect(agent_lines.filter(has_text="Ava").first).to_be_visible(timeout=60_000)
        await expect(active).to_have_text("Ava", timeout=10_000)
        await expect(user_lines.filter(has_text=re.compile("bill", re.I)).first).to_be_visible(
            timeout=90_000
        )
        # the local LLM called transfer_to_max: Max is the active agent and speaks
        await expect(active).to_have_text("Max", timeout=90_000)
        await page.wait_for_function("window.__troupeAudioPeak > 0.01", timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "e2e-local-llm-handoff.png"), full_page=True)
        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()

    log = await read_complete_log(live.session_id, live.token, LOG_TIMEOUT_S)
    assert ("ava", "max") in transitions(log), transitions(log)
    calls = [e for e in log["entries"] if e["kind"] == "tool_call"]
    assert all(e["error"] is None for e in calls if e["tool"] == "transfer_to_max"), calls


async def test_small_talk_stays_with_ava(demo: dict[str, str], tmp_path: Path) -> None:
    wav = speech_wav(SMALL_TALK, tmp_path / "hello.wav", lead_s=6.0, tail_s=12.0)
    async with live_session(demo["embed_key"], wav) as live:
        page = live.page
        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')
        await expect(agent_lines.first).to_be_visible(timeout=60_000)
        await expect(
            user_lines.filter(has_text=re.compile("how are you", re.I)).first
        ).to_be_visible(timeout=60_000)
        # Ava answers in words (a second agent line after her greeting) ...
        await expect(agent_lines.nth(1)).to_be_visible(timeout=90_000)
        # ... and stays the active agent
        await expect(page.get_by_test_id("active-agent")).to_have_text("Ava")
        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()

    log = await read_complete_log(live.session_id, live.token, LOG_TIMEOUT_S)
    assert transitions(log) == [(None, "ava")], transitions(log)
    said = [e for e in log["entries"] if e["kind"] == "message" and e["agent"] == "ava"]
    assert len(said) >= 2, said  # the greeting and an answer
    assert not [e for e in log["entries"] if e["kind"] == "tool_call"]

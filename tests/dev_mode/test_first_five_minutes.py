"""The first five minutes, exactly as a new user meets them: the web app served the way
`make dev` serves it (`next dev`, React Strict Mode on), the seeded demo session (Ava and Max on
the offline models: Whisper, the local LLM, Piper) opened from its embed page with a fake
microphone. The greeting must be heard, no connection error may show, and one spoken sentence
must get a spoken answer. `make test` runs this after the production-build suites, against the
same stack with the web app restarted under `next dev`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.support import SCREENSHOTS, env, live_session, speech_wav

SENTENCE = "Hello Ava, what can you do for me?"
GREETING = "Hi, I'm Ava"


async def compile_pages(embed_key: str) -> None:
    """`next dev` compiles a route on its first request (tens of seconds on 2 cores): ask for
    the two pages once, so the browser's navigation waits below measure the app, not webpack."""
    async with httpx.AsyncClient(base_url=env("TROUPE_WEB_URL"), timeout=240) as web:
        for path in (f"/embed/{embed_key}", "/s/00000000-0000-4000-8000-000000000000"):
            await web.get(path)


async def test_demo_session_answers_under_next_dev(demo: dict[str, str], tmp_path: Path) -> None:
    await compile_pages(demo["embed_key"])
    # The sentence starts after the greeting has had time to play, so the turn is a clean one;
    # the long tail leaves the agent time to answer before Chromium loops the file.
    wav = speech_wav(SENTENCE, tmp_path / "sentence.wav", lead_s=9.0, tail_s=30.0)
    async with live_session(demo["embed_key"], wav) as live:
        page = live.page
        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')
        failure = page.get_by_text(re.compile("couldn.t connect|something went wrong", re.I))

        # Ava's greeting is spoken: its transcript arrives with real audio samples.
        await expect(agent_lines.filter(has_text=GREETING).first).to_be_visible(timeout=90_000)
        await page.wait_for_function("window.__troupeAudioPeak > 0.01", timeout=30_000)
        assert await failure.count() == 0, "a connection error is shown while the session works"

        # The spoken sentence is recognised by the local STT ...
        heard = user_lines.filter(has_text=re.compile("what can you do", re.I)).first
        await expect(heard).to_be_visible(timeout=90_000)
        # ... and the agent answers it: a new agent line after the user's.
        answer = page.locator(
            'li[data-role="user"] ~ li[data-role="agent"] [data-testid="transcript-entry"]'
        )
        await expect(answer.first).to_have_text(re.compile(r"\w"), timeout=120_000)
        assert await failure.count() == 0, "a connection error is shown while the session works"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "dev-mode-demo-session.png"), full_page=True)

        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()

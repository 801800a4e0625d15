"""Agent avatars through a handoff, end to end: both agents of the seeded "Test: handoff"
template get an avatar through the API (stored by the real storage interface), a voice session
in headless Chromium (fake microphone asking for an expert, real web app, API, LiveKit and agent
worker) shows the front desk's image as the speaking agent, and the expert's once the runtime
hands off (the ``troupe.active_agent_avatar`` attribute), each loaded through the page's own
``/api`` under its CSP. The avatars are removed afterwards (the demo agents are shared)."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Page, expect

from tests.e2e.support import SCREENSHOTS, demo_admin_headers, env, live_session, speech_wav

SENTENCE = "I need to talk to an expert please."
COLOURS = {"test_front": ((15, 118, 110), "FD"), "test_expert": ((194, 65, 12), "EX")}


def _png(colour: tuple[int, int, int], label: str) -> bytes:
    picture = Image.new("RGB", (300, 300), colour)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((60, 60, 240, 240), fill=(253, 230, 138))
    draw.text((130, 140), label, fill=(0, 0, 0))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
async def avatars() -> AsyncIterator[dict[str, str]]:
    """Uploads an avatar for each handoff agent; yields slug -> avatar URL; removes them."""
    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=30) as api:
        admin = await demo_admin_headers(api)
        listed = await api.get("/api/v1/agents", headers=admin)
        ids = {a["slug"]: a["id"] for a in listed.json()["items"] if a["slug"] in COLOURS}
        assert set(ids) == set(COLOURS), ids
        urls: dict[str, str] = {}
        try:
            for slug, (colour, label) in COLOURS.items():
                put = await api.put(
                    f"/api/v1/agents/{ids[slug]}/avatar",
                    content=_png(colour, label),
                    headers={**admin, "Content-Type": "image/png"},
                )
                assert put.status_code == 200, put.text
                urls[slug] = put.json()["avatar_url"]
            yield urls
        finally:
            for agent_id in ids.values():
                await api.delete(f"/api/v1/agents/{agent_id}/avatar", headers=admin)


async def _loaded(page: Page) -> None:
    """The speaking agent's image has loaded (a 256 px WebP; 0 if refused or broken)."""
    face = page.get_by_test_id("active-agent-avatar")
    width = 0
    for _ in range(100):  # 10 s at most
        width = int(await face.evaluate("img => img.complete ? img.naturalWidth : -1"))
        if width >= 0:
            break
        await asyncio.sleep(0.1)
    assert width == 256


async def test_the_avatar_changes_with_the_speaking_agent(
    demo: dict[str, str], avatars: dict[str, str], tmp_path: Path
) -> None:
    assert avatars["test_front"] != avatars["test_expert"]
    wav = speech_wav(SENTENCE, tmp_path / "sentence.wav", lead_s=6.0, tail_s=6.0)
    async with live_session(demo["handoff_embed_key"], wav) as live:
        page = live.page
        active = page.get_by_test_id("active-agent")
        face = page.get_by_test_id("active-agent-avatar")

        await expect(active).to_have_text("Test Front Desk", timeout=60_000)
        await expect(face).to_have_attribute("src", avatars["test_front"], timeout=10_000)
        await expect(face).to_have_attribute("alt", "Test Front Desk")
        await _loaded(page)

        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')
        await expect(user_lines.filter(has_text=re.compile("expert", re.I)).first).to_be_visible(
            timeout=60_000
        )
        await expect(active).to_have_text("Test Expert", timeout=60_000)
        await expect(face).to_have_attribute("src", avatars["test_expert"], timeout=10_000)
        await expect(face).to_have_attribute("alt", "Test Expert")
        await _loaded(page)
        await expect(page.get_by_test_id("agent-state")).to_have_text("listening", timeout=60_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "e2e-avatar-handoff.png"), full_page=True)

        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()

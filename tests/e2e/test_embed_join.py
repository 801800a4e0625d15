"""The embed page joining a server-started session, end to end: the customer's backend starts
the session with its API key (``POST /sessions/server-start``) for a deployment that refuses
browser starts, hands the browser only ``#session=<id>&token=<participant token>``, and the
real embed page (headless Chromium, fake microphone) joins the room; the real agent greets.
A link that puts one deployment's page in front of another deployment's session is refused."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright, expect

from tests.e2e.support import AUDIO_PROBE, CHROMIUM_ARGS, demo_admin_headers, env, speech_wav


async def _backend(api: httpx.AsyncClient) -> dict[str, str]:
    """The customer's backend credential: an API key of the demo organization."""
    admin = await demo_admin_headers(api)
    key = await api.post(
        "/api/v1/api-keys",
        json={"name": f"backend {uuid.uuid4().hex[:6]}", "scopes": ["sessions:write"]},
        headers=admin,
    )
    assert key.status_code == 201, key.text
    return {**admin, "X-Backend-Key": key.json()["key"]}


async def _server_only_deployment(
    api: httpx.AsyncClient, admin: dict[str, str], template_id: str
) -> dict[str, Any]:
    created = await api.post(
        f"/api/v1/session-templates/{template_id}/deployments",
        json={
            "name": f"server-only {uuid.uuid4().hex[:6]}",
            "allowed_origins": [env("TROUPE_WEB_URL")],
            "require_server_start": True,
        },
        headers={"Authorization": admin["Authorization"]},
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _server_start(api: httpx.AsyncClient, key: str, embed_key: str) -> dict[str, Any]:
    started = await api.post(
        "/api/v1/sessions/server-start",
        json={"embed_key": embed_key, "end_user_id": "customer-42"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert started.status_code == 201, started.text
    return dict(started.json()["connection"])


async def test_embed_page_joins_a_server_started_session(
    demo: dict[str, str], tmp_path: Path
) -> None:
    wav = speech_wav("Hello there.", tmp_path / "hello.wav", lead_s=20.0, tail_s=1.0)
    web = env("TROUPE_WEB_URL")
    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=30) as api:
        backend = await _backend(api)
        key = backend["X-Backend-Key"]
        deployment = await _server_only_deployment(api, backend, demo["test_template_id"])
        # The browser alone cannot start this deployment.
        refused = await api.post(
            "/api/v1/sessions",
            json={"embed_key": deployment["embed_key"]},
            headers={"Origin": web},
        )
        assert refused.json()["error"]["code"] == "server_start_required", refused.text
        connection = await _server_start(api, key, deployment["embed_key"])
        # A session of another deployment, for the mismatched link below.
        foreign = await _server_start(api, key, demo["test_embed_key"])

    session_id = connection["session_id"]
    link = f"{deployment['embed_url']}#session={session_id}&token={connection['participant_token']}"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={wav}"],
        )
        try:
            context = await browser.new_context(permissions=["microphone"])
            page = await context.new_page()
            await page.add_init_script(AUDIO_PROBE)
            await page.goto(link)
            join = page.get_by_test_id("join-session")
            await expect(join).to_be_visible(timeout=30_000)
            # The token leaves the address bar (and the history) at once.
            assert "token=" not in page.url
            await expect(page.get_by_test_id("start-session")).to_have_count(0)
            await join.click()
            await page.wait_for_url(re.compile(rf"/s/{session_id}"), timeout=30_000)
            agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
            await expect(agent_lines.filter(has_text="test agent").first).to_be_visible(
                timeout=60_000
            )
            await page.wait_for_function("window.__troupeAudioPeak > 0.01", timeout=30_000)

            # The same page with a session of another deployment: refused, nothing joined.
            other = await context.new_page()
            await other.goto(
                f"{deployment['embed_url']}#session={foreign['session_id']}"
                f"&token={foreign['participant_token']}"
            )
            await other.get_by_test_id("join-session").click()
            await expect(other.get_by_test_id("start-error")).to_be_visible(timeout=30_000)
            assert "/s/" not in other.url

            await page.get_by_test_id("end-session").click()
            await page.get_by_test_id("confirm-end").click()
        finally:
            await browser.close()

    # The room really started: LiveKit's webhooks made the server-started session active.
    deadline = time.monotonic() + 30
    status = ""
    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=10) as api:
        while time.monotonic() < deadline:
            r = await api.get(
                f"/api/v1/sessions/{session_id}",
                headers={"Authorization": backend["Authorization"]},
            )
            assert r.status_code == 200, r.text
            status = r.json()["status"]
            if status in {"active", "completed"}:
                break
            await asyncio.sleep(1.0)
        assert status in {"active", "completed"}, status

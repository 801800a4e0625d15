"""Through a real LiveKit server: the API runs under uvicorn on a free port, a second
livekit-server (started here, same API key, webhooks pointed at that uvicorn) hosts the room,
and a Python participant joins and leaves. The session must go created -> active -> completed
from the server's real, signed webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from api_factories import ORIGIN, make_published_template
from livekit import rtc
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from troupe_api.core.settings import Settings, get_settings
from troupe_api.main import create_app
from troupe_api.organizations.models import Organization

from tests.localhost import LIVEKIT_BIN, free_port, livekit_server, wait_http


async def _status(
    http: httpx.AsyncClient, session_id: str, want: str, timeout_s: float, token: str
) -> dict:
    deadline = time.monotonic() + timeout_s
    body: dict = {}
    while time.monotonic() < deadline:
        body = (
            await http.get(
                f"/api/v1/sessions/{session_id}", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()
        if body.get("status") == want:
            return body
        await asyncio.sleep(0.25)
    raise AssertionError(f"session never became {want}: {body}")


@pytest.mark.timeout(120)
async def test_session_lifecycle_through_real_livekit_webhooks(
    engine: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    if not LIVEKIT_BIN.exists():
        pytest.skip("livekit-server is not installed (.tools/bin)")
    # Real commits: the uvicorn app has its own connections.
    async with AsyncSession(engine, expire_on_commit=False) as db:
        org, _, deployment = await make_published_template(db)
    try:
        async with contextlib.AsyncExitStack() as stack:
            # The API's URL is needed for the webhook before LiveKit starts, and LiveKit's URL
            # for the tokens: reserve the API port first.
            port = free_port()
            livekit = await stack.enter_async_context(
                livekit_server(
                    tmp_path / "livekit.log",
                    key=settings.livekit_api_key,
                    secret=settings.livekit_api_secret,
                    webhook_url=f"http://127.0.0.1:{port}/api/v1/webhooks/livekit",
                    extra_config="room:\n  empty_timeout: 2\n  departure_timeout: 1\n",
                )
            )
            livekit_url = livekit.url
            app_settings = settings.model_copy(
                update={"livekit_url": livekit_url, "livekit_api_url": None}
            )
            app = create_app(app_settings)
            app.dependency_overrides[get_settings] = lambda: app_settings
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
            )
            task = asyncio.create_task(server.serve())

            async def stop_server() -> None:
                server.should_exit = True
                await asyncio.wait_for(task, 15)

            stack.push_async_callback(stop_server)
            base = f"http://127.0.0.1:{port}"
            await wait_http(f"{base}/api/v1/health/live", 20)
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=10))

            started = await http.post(
                "/api/v1/sessions",
                json={"embed_key": deployment.embed_key, "end_user_id": "lk-int"},
                headers={"Origin": ORIGIN},
            )
            assert started.status_code == 201, started.text
            connection = started.json()["connection"]
            assert connection["livekit_url"] == livekit_url
            session_id = started.json()["session"]["id"]
            assert started.json()["session"]["status"] == "created"

            room = rtc.Room()
            await room.connect(connection["livekit_url"], connection["participant_token"])
            token = connection["participant_token"]
            try:
                active = await _status(http, session_id, "active", 20, token)
                assert active["started_at"] is not None
            finally:
                await room.disconnect()
            # The user left within seconds (LiveKit's participant events say so): not a
            # conversation, so the session ends abandoned rather than completed.
            done = await _status(http, session_id, "abandoned", 40, token)
            assert done["ended_at"] is not None and done["duration_seconds"] is not None
            # Real webhooks, verified and stored (participant events included).
            admin_view = await http.get(
                f"/api/v1/sessions/{session_id}/log",
                params={"kind": "message"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert admin_view.status_code == 200
    finally:
        async with AsyncSession(engine) as db:
            await db.execute(delete(Organization).where(Organization.id == org.id))
            await db.commit()

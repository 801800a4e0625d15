"""Through a real LiveKit server: the API runs under uvicorn on a free port, a second
livekit-server (started here, same API key, webhooks pointed at that uvicorn) hosts the room,
and a Python participant joins and leaves. The session must go created -> active -> completed
from the server's real, signed webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
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

LIVEKIT_BIN = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "livekit-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_http(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(url)).status_code < 500:
                    return
            await asyncio.sleep(0.1)
    raise TimeoutError(url)


@contextlib.asynccontextmanager
async def _livekit(settings: Settings, webhook_url: str, log: Path) -> AsyncIterator[str]:
    port, tcp, udp = _free_port(), _free_port(), _free_port()
    config = (
        f"port: {port}\n"
        "bind_addresses: ['127.0.0.1']\n"
        f"rtc:\n  tcp_port: {tcp}\n  udp_port: {udp}\n  use_external_ip: false\n"
        f"keys:\n  {settings.livekit_api_key}: {settings.livekit_api_secret}\n"
        f"webhook:\n  api_key: {settings.livekit_api_key}\n  urls: ['{webhook_url}']\n"
        "room:\n  empty_timeout: 2\n  departure_timeout: 1\n"
        "logging:\n  level: info\n"
    )
    config_path = log.with_suffix(".yaml")
    config_path.write_text(config)
    with open(log, "w") as out:
        proc = await asyncio.create_subprocess_exec(
            str(LIVEKIT_BIN), "--config", str(config_path), stdout=out, stderr=out
        )
    try:
        await _wait_http(f"http://127.0.0.1:{port}/", 20)
        yield f"ws://127.0.0.1:{port}"
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


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
            port = _free_port()
            webhook_url = f"http://127.0.0.1:{port}/api/v1/webhooks/livekit"
            livekit_url = await stack.enter_async_context(
                _livekit(settings, webhook_url, tmp_path / "livekit.log")
            )
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
            await _wait_http(f"{base}/api/v1/health/live", 20)
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

"""Two agent worker processes on one LiveKit server: sessions spread over both; killing one
mid-session fails its sessions (``agent_lost``) with their log kept and the user told (a live
worker's job says so in the room, then closes it), the other worker's sessions go on, and new
sessions go to the survivor.

The stack's own worker is the first; the test starts a second ``troupe-agent start`` (same
settings, its own health port) and kills its whole process group with SIGKILL, as a crashed or
OOM-killed host would stop. Users are Python participants that join with the token the API
hands the browser (``POST /api/v1/sessions``); the test template runs the fake providers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from livekit import api as lk
from livekit import rtc

from tests.e2e.support import RESULTS, ROOT, env
from tests.localhost import free_port

SPREAD_ATTEMPTS = 10
"""Sessions started, at most, until both workers hold one."""


class SecondWorker:
    """``troupe-agent start`` in its own process group, with its log in test-results/logs."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.health_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 120.0) -> str:
        """Starts it; returns the worker id LiveKit registered it under."""
        environ = {
            **os.environ,
            "TROUPE_AGENT_HEALTH_PORT": str(self.health_port),
            "TROUPE_AGENT_NUM_IDLE_PROCESSES": "1",
            "TROUPE_AGENT_PREWARM_MODELS": "vad",
            "TROUPE_FAKE_LLM_SCRIPT": os.environ.get(
                "TROUPE_FAKE_LLM_SCRIPT", str(ROOT / "tests" / "e2e" / "scripts" / "handoff.json")
            ),
        }
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                ["uv", "run", "--frozen", "troupe-agent", "start"],
                cwd=ROOT,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            if worker_id := self.registered_id():
                return worker_id
            time.sleep(0.5)
        raise AssertionError(f"the second worker did not register:\n{self.log.read_text()}")

    def registered_id(self) -> str | None:
        for line in self.log.read_text(errors="replace").splitlines():
            if "registered worker" not in line:
                continue
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                worker_id = record.get("id") or (record.get("extra") or {}).get("id")
                if worker_id:
                    return str(worker_id)
        return None

    def kill(self) -> None:
        """SIGKILL the whole group: no drain, no shutdown callbacks, no final log batch."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def second_worker() -> Iterator[SecondWorker]:
    worker = SecondWorker(RESULTS / "logs" / "agent-second-worker.log")
    try:
        yield worker
    finally:
        worker.kill()


@dataclass
class UserInRoom:
    """A started session with a Python participant in its room, as the browser would be."""

    session_id: str
    room_name: str
    token: str
    room: rtc.Room
    heard: list[str] = field(default_factory=list)
    """Agent transcriptions received (``lk.transcription`` text streams)."""
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)
    readers: list[asyncio.Future[None]] = field(default_factory=list)


async def start_session(api: httpx.AsyncClient, embed_key: str) -> UserInRoom:
    r = await api.post(
        "/api/v1/sessions", json={"embed_key": embed_key}, headers={"Origin": env("TROUPE_WEB_URL")}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    connection = body["connection"]
    room = rtc.Room()
    user = UserInRoom(body["session"]["id"], connection["room_name"], "", room)
    user.token = connection["participant_token"]

    def on_transcription(reader: rtc.TextStreamReader, identity: str) -> None:
        async def read() -> None:
            user.heard.append(await reader.read_all())

        user.readers.append(asyncio.ensure_future(read()))

    room.register_text_stream_handler("lk.transcription", on_transcription)
    room.on("disconnected", lambda *_: user.disconnected.set())
    await room.connect(connection["livekit_url"], user.token)
    return user


async def agent_worker_of(livekit: lk.LiveKitAPI, room: str, timeout_s: float = 60.0) -> str:
    """The id of the worker whose job runs the agent of ``room`` (once the job is running)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        dispatches = await livekit.agent_dispatch.list_dispatch(room_name=room)
        for dispatch in dispatches:
            for job in dispatch.state.jobs:
                if job.state.worker_id and job.state.participant_identity:
                    return str(job.state.worker_id)
        await asyncio.sleep(0.5)
    raise AssertionError(f"no agent job started for room {room}")


async def session_status(api: httpx.AsyncClient, user: UserInRoom) -> dict[str, Any]:
    r = await api.get(
        f"/api/v1/sessions/{user.session_id}", headers={"Authorization": f"Bearer {user.token}"}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def wait_status(
    api: httpx.AsyncClient, user: UserInRoom, status: str, timeout_s: float = 90.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = await session_status(api, user)
        if body["status"] == status:
            return body
        await asyncio.sleep(1.0)
    raise AssertionError(f"session {user.session_id} is {body.get('status')}, not {status}")


async def log_kinds(api: httpx.AsyncClient, user: UserInRoom, wait_s: float = 0.0) -> list[str]:
    """The kinds of the session's stored log entries (waiting up to ``wait_s`` for one)."""
    deadline = time.monotonic() + wait_s
    while True:
        r = await api.get(
            f"/api/v1/sessions/{user.session_id}/log",
            headers={"Authorization": f"Bearer {user.token}"},
        )
        assert r.status_code == 200, r.text
        kinds = [e["kind"] for e in r.json()["entries"]]
        if kinds or time.monotonic() >= deadline:
            return kinds
        await asyncio.sleep(1.0)


@contextlib.asynccontextmanager
async def clients() -> AsyncIterator[tuple[httpx.AsyncClient, lk.LiveKitAPI]]:
    livekit = lk.LiveKitAPI(
        env("LIVEKIT_URL").replace("ws://", "http://"),
        env("LIVEKIT_API_KEY"),
        env("LIVEKIT_API_SECRET"),
    )
    try:
        async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=15) as api:
            yield api, livekit
    finally:
        await livekit.aclose()


async def test_sessions_spread_over_two_workers_and_survive_one_dying(
    demo: dict[str, str], second_worker: SecondWorker
) -> None:
    second_id = await asyncio.to_thread(second_worker.start)
    users: list[UserInRoom] = []
    async with clients() as (api, livekit):
        try:
            # sessions spread over both workers
            placed: dict[str, str] = {}
            for _ in range(SPREAD_ATTEMPTS):
                user = await start_session(api, demo["test_embed_key"])
                users.append(user)
                placed[user.session_id] = await agent_worker_of(livekit, user.room_name)
                if len(set(placed.values())) == 2 and second_id in placed.values():
                    break
            assert second_id in placed.values(), f"no session reached the second worker {placed}"
            assert len(set(placed.values())) == 2, f"sessions did not spread: {placed}"
            first_id = next(w for w in placed.values() if w != second_id)
            on_second = [u for u in users if placed[u.session_id] == second_id]
            on_first = [u for u in users if placed[u.session_id] == first_id]
            for user in users:
                await wait_status(api, user, "active", timeout_s=60)
            for user in on_second:  # the runtime has sent part of its log (batches every 5 s)
                assert await log_kinds(api, user, wait_s=30), "no log batch arrived"

            # one worker dies mid-session
            second_worker.kill()
            for user in on_second:
                failed = await wait_status(api, user, "failed")
                assert failed["close_reason"] == "agent_lost", failed
                assert await log_kinds(api, user), "the lost session's log entries are kept"
                # the user is told, by a job on the surviving worker, then the room closes
                await asyncio.wait_for(user.disconnected.wait(), timeout=60)
                assert any("technical problem" in text for text in user.heard), user.heard
                assert (await session_status(api, user))["close_reason"] == "agent_lost"
            for user in on_first:  # the survivor's sessions go on
                assert (await session_status(api, user))["status"] == "active"
                assert not user.disconnected.is_set()

            # new sessions go to the survivor
            for _ in range(2):
                user = await start_session(api, demo["test_embed_key"])
                users.append(user)
                assert await agent_worker_of(livekit, user.room_name) == first_id
                await wait_status(api, user, "active", timeout_s=60)
        finally:
            for user in users:
                with contextlib.suppress(Exception):
                    await user.room.disconnect()

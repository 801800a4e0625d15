"""A session whose agent leaves the room without ending it (its worker died) ends ``failed``
with ``close_reason: agent_lost``, its log kept; a live worker is sent to tell the user. A
runtime that ended the session itself (final log batch) or another agent in the room leaves it
alone. Real LiveKit server; the webhook is signed as LiveKit signs it."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from datetime import UTC, datetime

import httpx
from api_factories import make_published_session
from google.protobuf.json_format import MessageToJson
from livekit import api as lk
from livekit import rtc
from livekit.protocol.models import ParticipantInfo, Room
from livekit.protocol.webhook import WebhookEvent as LiveKitEvent
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.jobs.queue import MemoryJobQueue
from troupe_api.sessions import agent_loss
from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_contracts import AGENT_NAME

URL = "/api/v1/webhooks/livekit"
USER = "user-w"
AGENT = "agent-AJ_lost"


def _event(kind: str, room: str, *, created_at: int, identity: str, agent: bool = False) -> str:
    participant = ParticipantInfo(
        identity=identity,
        kind=ParticipantInfo.Kind.AGENT if agent else ParticipantInfo.Kind.STANDARD,
    )
    event = LiveKitEvent(
        event=kind,
        id=f"EV_{uuid.uuid4().hex[:12]}",
        created_at=created_at,
        room=Room(name=room, sid="RM_test", creation_time=created_at),
        participant=participant,
    )
    return MessageToJson(event)


async def _post(client: httpx.AsyncClient, body: str, settings: Settings) -> None:
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    token = (
        lk.AccessToken(settings.livekit_api_key, settings.livekit_api_secret)
        .with_sha256(digest)
        .to_jwt()
    )
    response = await client.post(
        URL,
        content=body,
        headers={"Authorization": token, "Content-Type": "application/webhook+json"},
    )
    assert response.status_code == 200, response.text


async def _log(
    client: httpx.AsyncClient,
    session: Session,
    headers: dict[str, str],
    *,
    seq: int,
    final: bool,
    close_reason: str | None = None,
) -> None:
    entry = {
        "seq": seq,
        "ts": datetime.now(UTC).isoformat(),
        "kind": "usage",
        "provider": "fake",
        "model": "fake-llm",
        "llm_input_tokens": 120,
        "llm_output_tokens": 30,
    }
    response = await client.post(
        f"/api/v1/runtime/sessions/{session.id}/log",
        json={"entries": [entry], "final": final, "close_reason": close_reason},
        headers=headers,
    )
    assert response.status_code == 200, response.text


def _connect_token(settings: Settings, room: str, identity: str, *, agent: bool = False) -> str:
    token = (
        lk.AccessToken(settings.livekit_api_key, settings.livekit_api_secret)
        .with_identity(identity)
        .with_grants(lk.VideoGrants(room_join=True, room=room))
    )
    if agent:
        token = token.with_kind("agent")
    return token.to_jwt()


async def _agent_left(
    client: httpx.AsyncClient, session: Session, settings: Settings, jobs: MemoryJobQueue
) -> None:
    """The room started, the user and the agent joined, the runtime logged a turn, then the
    agent left (its worker died)."""
    t0 = int(time.time())
    await _post(
        client, _event("room_started", session.room_name, created_at=t0, identity=""), settings
    )
    await _post(
        client,
        _event("participant_joined", session.room_name, created_at=t0, identity=USER),
        settings,
    )
    left = _event(
        "participant_left", session.room_name, created_at=t0 + 1, identity=AGENT, agent=True
    )
    await _post(client, left, settings)
    [request] = jobs.named("fail_session_if_agent_lost")
    assert request.kwargs == {"session_id": str(session.id)}
    assert request.scheduled is not None


async def test_an_agent_lost_mid_session_fails_it_keeps_its_log_and_sends_a_live_worker(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
    jobs: MemoryJobQueue,
) -> None:
    session = (await make_published_session(db, participant_identity=USER))[1]
    await db.commit()
    await _log(client, session, runtime_headers, seq=1, final=False)
    room = rtc.Room()  # the user, still in the room
    await room.connect(settings.livekit_url, _connect_token(settings, session.room_name, USER))
    try:
        await _agent_left(client, session, settings, jobs)
        async with lk.LiveKitAPI(
            settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
        ) as livekit:
            assert await agent_loss.fail_session_if_agent_lost(
                db=db, livekit=livekit, session_id=session.id
            )
            # a fresh job for this room, for whichever worker is alive, to tell the user
            dispatches = await livekit.agent_dispatch.list_dispatch(room_name=session.room_name)
            assert AGENT_NAME in [d.agent_name for d in dispatches]
            # run again (a duplicate webhook): nothing changes
            assert not await agent_loss.fail_session_if_agent_lost(
                db=db, livekit=livekit, session_id=session.id
            )
    finally:
        await room.disconnect()
    await db.refresh(session)
    assert session.status == "failed" and session.close_reason == "agent_lost"
    assert session.ended_at is not None
    # the log so far is kept; the notice job's final batch does not overwrite the reason
    await _log(client, session, runtime_headers, seq=2, final=True, close_reason="config_error")
    await db.refresh(session)
    assert session.close_reason == "agent_lost" and session.log_completed_at is not None
    kept = await db.scalars(
        select(SessionLogEntry.seq).where(SessionLogEntry.session_id == session.id)
    )
    assert sorted(kept) == [1, 2]
    # the room's own end, later, changes nothing
    await _post(
        client,
        _event("room_finished", session.room_name, created_at=int(time.time()), identity=""),
        settings,
    )
    await db.refresh(session)
    assert session.status == "failed"


async def test_a_runtime_that_ended_the_session_itself_is_not_a_lost_agent(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
    jobs: MemoryJobQueue,
) -> None:
    session = (await make_published_session(db, participant_identity=USER))[1]
    await db.commit()
    await _agent_left(client, session, settings, jobs)
    await _log(client, session, runtime_headers, seq=1, final=True, close_reason="idle")
    await db.refresh(session)  # the job reads the session afresh (its own database session)
    async with lk.LiveKitAPI(
        settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
    ) as livekit:
        assert not await agent_loss.fail_session_if_agent_lost(
            db=db, livekit=livekit, session_id=session.id
        )
    await db.refresh(session)
    assert session.status == "active" and session.close_reason == "idle"


async def test_an_agent_still_in_the_room_keeps_the_session(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
) -> None:
    """The webhook of one agent leaving while another job's agent is in the room (LiveKit's
    own view of the room decides)."""
    session = (await make_published_session(db, participant_identity=USER))[1]
    await db.commit()
    other = rtc.Room()
    await other.connect(
        settings.livekit_url,
        _connect_token(settings, session.room_name, "agent-AJ_other", agent=True),
    )
    try:
        await _agent_left(client, session, settings, jobs)
        async with lk.LiveKitAPI(
            settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
        ) as livekit:
            assert not await agent_loss.fail_session_if_agent_lost(
                db=db, livekit=livekit, session_id=session.id
            )
    finally:
        await other.disconnect()
    await db.refresh(session)
    assert session.status == "active"

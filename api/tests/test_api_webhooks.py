from __future__ import annotations

import base64
import hashlib
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from api_factories import make_published_session, make_webhook_endpoint
from google.protobuf.json_format import MessageToJson
from livekit import api as lk
from livekit import rtc
from livekit.protocol.models import ParticipantInfo, Room
from livekit.protocol.webhook import WebhookEvent as LiveKitEvent
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks import session_events
from troupe_api.customer_webhooks.models import WebhookDelivery
from troupe_api.jobs import tasks
from troupe_api.jobs.queue import MemoryJobQueue
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.sessions.models import Session
from troupe_api.usage import metering

URL = "/api/v1/webhooks/livekit"


def _event(kind: str, room: str, *, created_at: int, identity: str = "") -> str:
    event = LiveKitEvent(
        event=kind,
        id=f"EV_{uuid.uuid4().hex[:12]}",
        created_at=created_at,
        room=Room(name=room, sid="RM_test", creation_time=created_at),
        participant=ParticipantInfo(identity=identity) if identity else None,
    )
    return MessageToJson(event)


def _sign(body: str, settings: Settings, *, secret: str | None = None) -> dict[str, str]:
    """What the LiveKit server does: a JWT from our API key carrying the body's sha256."""
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    token = (
        lk.AccessToken(settings.livekit_api_key, secret or settings.livekit_api_secret)
        .with_sha256(digest)
        .to_jwt()
    )
    return {"Authorization": token, "Content-Type": "application/webhook+json"}


async def _post(client: httpx.AsyncClient, body: str, settings: Settings) -> httpx.Response:
    return await client.post(URL, content=body, headers=_sign(body, settings))


async def _session(db: AsyncSession) -> Session:
    return (await make_published_session(db, participant_identity="user-w"))[1]


async def test_room_lifecycle_updates_session(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    session = await _session(db)
    t0 = int(time.time())
    started = await _post(
        client, _event("room_started", session.room_name, created_at=t0), settings
    )
    assert started.status_code == 200 and started.json() == {"status": "processed"}
    await db.refresh(session)
    assert session.status == "active" and session.started_at is not None

    joined = _event("participant_joined", session.room_name, created_at=t0 + 1, identity="user-w")
    assert (await _post(client, joined, settings)).status_code == 200

    finished = await _post(
        client, _event("room_finished", session.room_name, created_at=t0 + 42), settings
    )
    assert finished.status_code == 200
    await db.refresh(session)
    assert session.status == "completed"
    # From the user's first join (t0 + 1) to the room's end: the agent's wait before is not use.
    assert session.duration_seconds == 41
    assert session.ended_at is not None

    stored = (
        await db.scalars(select(WebhookEvent).where(WebhookEvent.session_id == session.id))
    ).all()
    assert {e.event_type for e in stored} == {"room_started", "participant_joined", "room_finished"}
    assert (
        next(e for e in stored if e.event_type == "participant_joined").participant_identity
        == "user-w"
    )


async def test_tampered_or_unsigned_webhooks_are_rejected(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    session = await _session(db)
    body = _event("room_started", session.room_name, created_at=int(time.time()))
    headers = _sign(body, settings)
    tampered = body.replace("room_started", "room_finished")
    cases = [
        (tampered, headers),
        (body, _sign(body, settings, secret="x" * 40)),
        (body, {}),
        (body, {"Authorization": "garbage"}),
    ]
    for content, hdrs in cases:
        response = await client.post(URL, content=content, headers=hdrs)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "webhook_signature_invalid"
    await db.refresh(session)
    assert session.status == "created"
    count = await db.scalar(
        select(func.count())
        .select_from(WebhookEvent)
        .where(WebhookEvent.room_name == session.room_name)
    )
    assert count == 0


async def test_duplicate_delivery_is_a_no_op(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    session = await _session(db)
    body = _event("room_started", session.room_name, created_at=int(time.time()))
    assert (await _post(client, body, settings)).json() == {"status": "processed"}
    assert (await _post(client, body, settings)).json() == {"status": "duplicate"}
    count = await db.scalar(
        select(func.count())
        .select_from(WebhookEvent)
        .where(WebhookEvent.room_name == session.room_name)
    )
    assert count == 1


async def test_out_of_order_events_never_move_backwards(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    session = await _session(db)
    t0 = int(time.time())
    joined = _event("participant_joined", session.room_name, created_at=t0 + 1, identity="user-w")
    await _post(client, joined, settings)
    await _post(client, _event("room_finished", session.room_name, created_at=t0 + 30), settings)
    await db.refresh(session)
    assert session.status == "completed"
    late_start = await _post(
        client, _event("room_started", session.room_name, created_at=t0), settings
    )
    assert late_start.status_code == 200
    await db.refresh(session)
    assert session.status == "completed"  # not back to active
    assert session.started_at is not None and int(session.started_at.timestamp()) == t0
    assert session.duration_seconds == 29


async def test_events_for_unknown_rooms_are_stored(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    room = f"other-{uuid.uuid4().hex}"
    response = await _post(
        client, _event("room_started", room, created_at=int(time.time())), settings
    )
    assert response.status_code == 200
    stored = await db.scalar(select(WebhookEvent).where(WebhookEvent.room_name == room))
    assert stored is not None and stored.session_id is None


async def test_stale_webhook_token_is_refused(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    """A correctly signed token past its validity (beyond the verifier's leeway) is refused."""
    import jwt

    session = await _session(db)
    body = _event("room_started", session.room_name, created_at=int(time.time()))
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    now = int(time.time())
    claims = {
        "iss": settings.livekit_api_key,
        "sha256": digest,
        "nbf": now - 7200,
        "exp": now - 3600,
    }
    stale = jwt.encode(claims, settings.livekit_api_secret, algorithm="HS256")
    fresh = jwt.encode(
        {**claims, "nbf": now - 10, "exp": now + 600},
        settings.livekit_api_secret,
        algorithm="HS256",
    )
    response = await client.post(URL, content=body, headers={"Authorization": stale})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "webhook_signature_invalid"
    await db.refresh(session)
    assert session.status == "created"
    # The same claims within their validity are accepted (the refusal was the expiry).
    assert (
        await client.post(URL, content=body, headers={"Authorization": fresh})
    ).status_code == 200


async def test_track_events_are_stored_with_their_track(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    from livekit.protocol.models import TrackInfo, TrackType

    session = await _session(db)
    event = LiveKitEvent(
        event="track_published",
        id=f"EV_{uuid.uuid4().hex[:12]}",
        created_at=int(time.time()),
        room=Room(name=session.room_name, sid="RM_test"),
        participant=ParticipantInfo(identity="user-w"),
        track=TrackInfo(sid="TR_abc", type=TrackType.AUDIO, name="mic"),
    )
    body = MessageToJson(event)
    assert (await _post(client, body, settings)).status_code == 200
    stored = await db.scalar(select(WebhookEvent).where(WebhookEvent.session_id == session.id))
    assert stored is not None and stored.event_type == "track_published"
    assert stored.track_sid == "TR_abc" and stored.participant_identity == "user-w"
    assert stored.payload["track"]["name"] == "mic"


# --- session truth: what the user did decides status, duration and billing ---------------------


async def _usage_entry(
    client: httpx.AsyncClient, session: Session, headers: dict[str, str], *, seq: int = 1
) -> None:
    """The runtime reports the greeting's model usage, as it does in every room it joins."""
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
        json={"entries": [entry], "final": seq > 1, "close_reason": "participant_disconnected"},
        headers=headers,
    )
    assert response.status_code == 200, response.text


async def test_a_session_the_user_never_joined_is_abandoned_and_not_billed(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    _org, session = await make_published_session(db, participant_identity="user-w")
    await db.commit()
    t0 = int(time.time())
    await _post(client, _event("room_started", session.room_name, created_at=t0), settings)
    # Only the agent joins, greets (usage) and waits; the user's tab failed to connect.
    agent = _event("participant_joined", session.room_name, created_at=t0 + 1, identity="agent-x")
    await _post(client, agent, settings)
    await _usage_entry(client, session, runtime_headers)
    await _post(client, _event("room_finished", session.room_name, created_at=t0 + 70), settings)
    await db.refresh(session)
    assert session.status == "abandoned"
    assert session.close_reason == "never_connected"
    assert session.duration_seconds is None
    assert await metering.session_usage(db=db, session_id=session.id) == []
    # A late runtime batch with usage and its final reason changes neither.
    await _usage_entry(client, session, runtime_headers, seq=2)
    await db.refresh(session)
    assert await metering.session_usage(db=db, session_id=session.id) == []
    assert session.close_reason == "never_connected"


async def test_a_user_who_leaves_within_seconds_abandons_the_session(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    session = await _session(db)
    t0 = int(time.time())
    await _post(client, _event("room_started", session.room_name, created_at=t0), settings)
    for kind, at in (("participant_joined", t0 + 1), ("participant_left", t0 + 3)):
        await _post(
            client, _event(kind, session.room_name, created_at=at, identity="user-w"), settings
        )
    await _post(client, _event("room_finished", session.room_name, created_at=t0 + 60), settings)
    await db.refresh(session)
    assert session.status == "abandoned" and session.close_reason == "left_within_seconds"
    assert session.duration_seconds == 2


async def test_a_closed_tab_ends_the_session_at_the_users_leave(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
) -> None:
    session = await _session(db)
    await db.commit()
    t0 = int(time.time())
    async with lk.LiveKitAPI(
        settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
    ) as livekit:
        # The agent waits in the real room after the user's tab closed.
        await livekit.room.create_room(lk.CreateRoomRequest(name=session.room_name))
        await _post(client, _event("room_started", session.room_name, created_at=t0), settings)
        joined = _event(
            "participant_joined", session.room_name, created_at=t0 + 2, identity="user-w"
        )
        await _post(client, joined, settings)
        left = _event("participant_left", session.room_name, created_at=t0 + 62, identity="user-w")
        assert (await _post(client, left, settings)).status_code == 200
        # The end is scheduled a short grace later (a reload comes back within it).
        [request] = jobs.named("end_session_if_user_left")
        assert request.kwargs == {"session_id": str(session.id)}
        assert request.scheduled is not None
        assert await tasks.end_session_if_user_left(db=db, livekit=livekit, session_id=session.id)
        rooms = await livekit.room.list_rooms(lk.ListRoomsRequest(names=[session.room_name]))
    assert [r.name for r in rooms.rooms] == []  # the agent is not left waiting
    await db.refresh(session)
    assert session.status == "completed" and session.close_reason == "user_left"
    assert session.duration_seconds == 60
    assert session.ended_at is not None and int(session.ended_at.timestamp()) == t0 + 62
    # The room's own end, later, changes nothing.
    await _post(client, _event("room_finished", session.room_name, created_at=t0 + 90), settings)
    await db.refresh(session)
    assert session.duration_seconds == 60 and session.status == "completed"


async def test_a_user_who_comes_back_keeps_the_session(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, jobs: MemoryJobQueue
) -> None:
    session = await _session(db)
    t0 = int(time.time())
    await _post(client, _event("room_started", session.room_name, created_at=t0), settings)
    for kind, at in (
        ("participant_joined", t0 + 1),
        ("participant_left", t0 + 20),  # a page reload
        ("participant_joined", t0 + 22),
    ):
        await _post(
            client, _event(kind, session.room_name, created_at=at, identity="user-w"), settings
        )
    assert len(jobs.named("end_session_if_user_left")) == 1
    async with lk.LiveKitAPI(
        settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
    ) as livekit:
        assert not await tasks.end_session_if_user_left(
            db=db, livekit=livekit, session_id=session.id
        )
    await db.refresh(session)
    assert session.status == "active"
    await _post(client, _event("room_finished", session.room_name, created_at=t0 + 80), settings)
    await db.refresh(session)
    assert session.status == "completed" and session.duration_seconds == 79


# --- freshness, idempotency and order of LiveKit events ------------------------------------------


async def test_events_outside_the_freshness_window_are_refused(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    """The JWT is fresh (signed now) but the event inside is a year old, or from the future."""
    session = await _session(db)
    now = int(time.time())
    for created_at in (now - 365 * 24 * 3600, now + 3600, 0):
        body = _event("room_started", session.room_name, created_at=created_at)
        response = await _post(client, body, settings)
        assert response.status_code == 400, created_at
        assert response.json()["error"]["code"] == "webhook_event_stale"
    await db.refresh(session)
    assert session.status == "created"
    fresh = _event("room_started", session.room_name, created_at=now - 30)
    assert (await _post(client, fresh, settings)).json() == {"status": "processed"}


async def test_two_different_events_sharing_an_id_are_both_applied(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    session = await _session(db)
    t0 = int(time.time())
    bodies = [
        MessageToJson(
            LiveKitEvent(
                event=kind,
                id="EV_shared",
                created_at=t0 + offset,
                room=Room(name=session.room_name, sid="RM_test"),
                participant=ParticipantInfo(identity="user-w") if offset else None,
            )
        )
        for kind, offset in (("room_started", 0), ("participant_joined", 1))
    ]
    for body in bodies:
        assert (await _post(client, body, settings)).json() == {"status": "processed"}
    assert (await _post(client, bodies[1], settings)).json() == {"status": "duplicate"}
    stored = (
        await db.scalars(select(WebhookEvent).where(WebhookEvent.session_id == session.id))
    ).all()
    assert sorted(e.event_type for e in stored) == ["participant_joined", "room_started"]


async def test_customers_never_get_session_started_after_session_ended(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, session = await make_published_session(db, participant_identity="user-w")
    await make_webhook_endpoint(db, org, ["session.started", "session.ended"])
    t0 = int(time.time())
    joined = _event("participant_joined", session.room_name, created_at=t0 + 1, identity="user-w")
    await _post(client, joined, settings)
    await _post(client, _event("room_finished", session.room_name, created_at=t0 + 40), settings)
    late = await _post(client, _event("room_started", session.room_name, created_at=t0), settings)
    assert late.status_code == 200
    deliveries = (
        await db.scalars(select(WebhookDelivery).where(WebhookDelivery.organization_id == org.id))
    ).all()
    assert [d.event_type for d in deliveries] == ["session.ended"]


async def test_a_failing_follow_up_loses_neither_the_event_nor_the_other_follow_ups(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org, session = await make_published_session(db, participant_identity="user-w")
    await make_webhook_endpoint(db, org, ["session.started", "session.ended"])
    failed: list[str] = []

    async def broken(*, db: AsyncSession, session: Session) -> None:
        failed.append(str(session.id))
        raise RuntimeError("consumer down")

    monkeypatch.setattr(session_events, "session_started", broken)
    monkeypatch.setattr(metering, "finalize_session_usage", broken)
    t0 = int(time.time())
    joined = _event("participant_joined", session.room_name, created_at=t0 + 1, identity="user-w")
    for body in (
        _event("room_started", session.room_name, created_at=t0),
        joined,
        _event("room_finished", session.room_name, created_at=t0 + 30),
    ):
        assert (await _post(client, body, settings)).json() == {"status": "processed"}
    await db.refresh(session)
    assert failed == [str(session.id)] * 2 and session.status == "completed"
    stored = await db.scalars(
        select(WebhookEvent.event_type).where(WebhookEvent.session_id == session.id)
    )
    assert sorted(stored) == ["participant_joined", "room_finished", "room_started"]
    deliveries = await db.scalars(
        select(WebhookDelivery.event_type).where(WebhookDelivery.organization_id == org.id)
    )
    assert list(deliveries) == ["session.ended"]


async def test_a_user_livekit_still_has_in_the_room_keeps_the_session(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    """A quick rejoin with the same identity can deliver its webhooks out of order (the old
    connection's participant_left last): LiveKit's own view of the room decides."""
    session = await _session(db)
    await db.commit()
    t0 = int(time.time())
    token = (
        lk.AccessToken(settings.livekit_api_key, settings.livekit_api_secret)
        .with_identity("user-w")
        .with_grants(lk.VideoGrants(room_join=True, room=session.room_name))
        .to_jwt()
    )
    room = rtc.Room()
    await room.connect(settings.livekit_url, token)
    try:
        await _post(client, _event("room_started", session.room_name, created_at=t0), settings)
        for kind, at in (("participant_joined", t0 + 1), ("participant_left", t0 + 1)):
            body = _event(kind, session.room_name, created_at=at, identity="user-w")
            await _post(client, body, settings)
        async with lk.LiveKitAPI(
            settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
        ) as livekit:
            assert not await tasks.end_session_if_user_left(
                db=db, livekit=livekit, session_id=session.id
            )
        await db.refresh(session)
        assert session.status == "active"
    finally:
        await room.disconnect()

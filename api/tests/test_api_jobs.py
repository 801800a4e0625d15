"""Background jobs: the sweeper (fake and real LiveKit), retention, and one job through the saq
queue."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_factories import (
    SAMPLE_LOG,
    make_published_template,
    make_session,
    make_webhook_endpoint,
    post_sample_log,
    store_livekit_event,
)
from livekit import api as lk
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks.models import WebhookDelivery
from troupe_api.jobs import tasks
from troupe_api.jobs.worker import create_queue, create_worker
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.sessions.models import Session, SessionLogEntry


async def _user_joined(db: AsyncSession, session: Session, at: datetime) -> None:
    await store_livekit_event(
        db,
        session,
        "participant_joined",
        participant_identity=session.participant_identity,
        event_created_at=at,
    )


class _Rooms:
    def __init__(self, alive: set[str]) -> None:
        self.alive = alive

    async def list_rooms(self, request: lk.ListRoomsRequest) -> lk.ListRoomsResponse:
        return lk.ListRoomsResponse(
            rooms=[lk.Room(name=n) for n in request.names if n in self.alive]
        )


class _LiveKit:
    def __init__(self, alive: set[str]) -> None:
        self.room = _Rooms(alive)


async def test_sweeper_closes_orphaned_sessions(db: AsyncSession) -> None:
    org, template, _ = await make_published_template(db)
    old = datetime.now(UTC) - timedelta(hours=1)
    active = await make_session(db, org, template, status="active", created_at=old, started_at=old)
    await _user_joined(db, active, old + timedelta(seconds=1))
    # The room started (the agent joined) but the user never did.
    agent_only = await make_session(
        db, org, template, status="active", created_at=old, started_at=old
    )
    never = await make_session(db, org, template, created_at=old)
    alive = await make_session(db, org, template, status="active", created_at=old, started_at=old)
    recent = await make_session(db, org, template)
    await db.commit()
    result = await tasks.sweep_orphaned_sessions(
        db=db,
        livekit=_LiveKit({alive.room_name}),
        older_than_s=600,  # type: ignore[arg-type]
    )
    # The sweep covers every organization: sessions other tests left behind may be swept too.
    mine = {str(s.id) for s in (active, agent_only, never, alive, recent)}
    assert [i for i in result.completed if i in mine] == [str(active.id)]
    assert sorted(i for i in result.abandoned if i in mine) == sorted(
        [str(agent_only.id), str(never.id)]
    )
    for s in (active, agent_only, never, alive, recent):
        await db.refresh(s)
    assert active.status == "completed" and active.ended_at is not None
    assert active.close_reason == "orphaned"
    assert active.duration_seconds is not None and active.duration_seconds >= 3598
    for s in (agent_only, never):
        assert s.status == "abandoned" and s.close_reason == "never_connected"
        assert s.duration_seconds is None
    assert alive.status == "active" and recent.status == "created"


async def test_sweeper_publishes_session_ended_once_like_the_lost_webhook(
    db: AsyncSession,
) -> None:
    org, template, _ = await make_published_template(db)
    await make_webhook_endpoint(db, org, ["session.ended"])
    old = datetime.now(UTC) - timedelta(hours=1)
    orphan = await make_session(db, org, template, status="active", created_at=old, started_at=old)
    await _user_joined(db, orphan, old)
    never = await make_session(db, org, template, created_at=old)
    await db.commit()
    for _ in range(2):  # a second sweep finds nothing left to close: still one event each
        await tasks.sweep_orphaned_sessions(
            db=db,
            livekit=_LiveKit(set()),
            older_than_s=600,  # type: ignore[arg-type]
        )
    deliveries = list(
        await db.scalars(select(WebhookDelivery).where(WebhookDelivery.organization_id == org.id))
    )
    by_session = sorted((d.payload["data"]["id"], d.payload["data"]["status"]) for d in deliveries)
    assert by_session == sorted([(str(orphan.id), "completed"), (str(never.id), "abandoned")])
    assert {d.event_type for d in deliveries} == {"session.ended"}


async def test_sweeper_against_real_livekit(db: AsyncSession, settings: Settings) -> None:
    org, template, _ = await make_published_template(db)
    old = datetime.now(UTC) - timedelta(hours=1)
    orphan = await make_session(db, org, template, status="active", created_at=old, started_at=old)
    await _user_joined(db, orphan, old)
    await db.commit()
    async with lk.LiveKitAPI(
        settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
    ) as api:
        result = await tasks.sweep_orphaned_sessions(db=db, livekit=api, older_than_s=600)
    assert str(orphan.id) in result.completed


async def test_retention_purges_old_logs_and_events(
    client: httpx.AsyncClient, db: AsyncSession, runtime_headers: dict[str, str]
) -> None:
    org, template, _ = await make_published_template(db)
    org.retention_days = 10
    old = await make_session(db, org, template, created_at=datetime.now(UTC) - timedelta(days=11))
    new = await make_session(db, org, template)
    for s in (old, new):
        await store_livekit_event(db, s, "room_started")
    await db.commit()
    for s in (old, new):
        await post_sample_log(client, runtime_headers, s)
    result = await tasks.purge_expired_session_data(db=db)
    assert result.log_entries >= len(SAMPLE_LOG) and result.events >= 1

    async def count(model: Any, session: Session) -> int:
        return int(
            await db.scalar(
                select(func.count()).select_from(model).where(model.session_id == session.id)
            )
            or 0
        )

    assert await count(SessionLogEntry, old) == 0 and await count(WebhookEvent, old) == 0
    assert (
        await count(SessionLogEntry, new) == len(SAMPLE_LOG) and await count(WebhookEvent, new) == 1
    )
    assert await db.get(Session, old.id) is not None  # the session row stays


async def test_queue_runs_a_job(settings: Settings, db: AsyncSession) -> None:
    """A real saq worker on Redis runs an enqueued job (bounded time); ``db`` migrates the
    schema the job reads."""
    queue = create_queue(settings, name=f"troupe-test-{uuid.uuid4().hex[:8]}")
    worker = create_worker(settings, queue=queue, cron=False)
    await queue.connect()
    # saq sweeps the active list when a worker starts; a job dequeued but not yet marked
    # active at that instant is aborted as "swept". Sweeping first takes the sweep lock (60 s),
    # so the worker's start-up sweep cannot race the job below.
    await queue.sweep()
    task = asyncio.create_task(worker.start())
    try:
        result = await queue.apply("check_usage_alerts", timeout=20)
        assert isinstance(result, int)
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 10)
        await queue.disconnect()

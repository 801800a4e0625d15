"""Background jobs as plain functions of a DB session (tests call them directly); the saq
worker (``troupe_api.jobs.worker``) runs them on a schedule."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from livekit import api as lk
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionStatus

from troupe_api.analysis import service as analysis
from troupe_api.analysis.extractors import Extractor
from troupe_api.analysis.models import SessionAnalysis
from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings
from troupe_api.core.storage import Storage
from troupe_api.customer_webhooks import service as endpoints
from troupe_api.customer_webhooks import session_events
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.organizations.models import Organization
from troupe_api.recordings import service as recordings
from troupe_api.recordings.models import Recording
from troupe_api.sessions import lifecycle as session_lifecycle
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.usage import alerts, metering

log = get_logger(__name__)

ORPHAN_AFTER_S = 15 * 60
SWEEP_BATCH = 200


@dataclass
class SweepResult:
    checked: int = 0
    completed: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def sweep_orphaned_sessions(
    *,
    db: AsyncSession,
    livekit: lk.LiveKitAPI,
    older_than_s: int = ORPHAN_AFTER_S,
    now: datetime | None = None,
) -> SweepResult:
    """Close sessions still created/active after ``older_than_s`` whose room LiveKit no longer
    has (a lost room_finished webhook, a room that never started): ones the user joined
    complete, the others are abandoned (see ``session_lifecycle.finish``). Their usage is finalised and
    ``session.ended`` is published (completed ones also get their analysis requested), as the
    lost webhook would have done."""
    now = now or datetime.now(UTC)
    candidates = list(
        await db.scalars(
            select(Session)
            .where(
                Session.status.in_([SessionStatus.CREATED.value, SessionStatus.ACTIVE.value]),
                Session.created_at < now - timedelta(seconds=older_than_s),
            )
            .order_by(Session.created_at)
            .limit(SWEEP_BATCH)
        )
    )
    result = SweepResult(checked=len(candidates))
    if not candidates:
        return result
    rooms = await livekit.room.list_rooms(
        lk.ListRoomsRequest(names=[s.room_name for s in candidates])
    )
    alive = {room.name for room in rooms.rooms}
    for session in candidates:
        if session.room_name in alive:
            continue
        if await session_lifecycle.close(db=db, session=session, at=now, reason="orphaned"):
            await _session_closed(db=db, session=session)
            bucket = result.completed if session.status == "completed" else result.abandoned
            bucket.append(str(session.id))
    await db.commit()
    log.info(
        "sessions_swept",
        checked=result.checked,
        completed=len(result.completed),
        abandoned=len(result.abandoned),
    )
    return result


async def _session_closed(*, db: AsyncSession, session: Session) -> None:
    await metering.finalize_session_usage(db=db, session=session)
    await session_events.session_ended(db=db, session=session, analysis_delay_s=0)


async def _user_in_room(livekit: lk.LiveKitAPI, session: Session) -> bool:
    try:
        await livekit.room.get_participant(
            lk.RoomParticipantIdentity(
                room=session.room_name, identity=session.participant_identity
            )
        )
    except Exception:  # not found (or the room is gone): not in the room
        return False
    return True


async def end_session_if_user_left(
    *, db: AsyncSession, livekit: lk.LiveKitAPI, session_id: uuid.UUID
) -> bool:
    """Run a little after the end user's participant_left: when they did not come back (a
    closed tab, a lost network), the session ends at their last leave, and its room is deleted
    so the agent stops waiting in it. Returns whether the session was ended here."""
    session = await sessions.get_unscoped(db=db, session_id=session_id)
    if session is None or session.status not in session_lifecycle.OPEN_STATUSES:
        return False
    presence = await session_lifecycle.user_presence(db=db, session=session)
    if presence.present or presence.last_left_at is None:
        return False
    if await _user_in_room(livekit, session):
        # Webhooks of a quick rejoin (same identity) can arrive out of order: LiveKit decides.
        return False
    closed = await session_lifecycle.close(
        db=db, session=session, at=presence.last_left_at, reason="user_left"
    )
    if closed:
        await _session_closed(db=db, session=session)
    await db.commit()
    if closed:
        try:
            await livekit.room.delete_room(lk.DeleteRoomRequest(room=session.room_name))
        except Exception as exc:  # the room may be gone already; the session is ended anyway
            log.info("room_delete_failed", room=session.room_name, error=str(exc))
        log.info("session_ended_user_left", session_id=str(session.id), status=session.status)
    return closed


@dataclass
class RetentionResult:
    organizations: int = 0
    log_entries: int = 0
    events: int = 0
    recordings: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def purge_expired_session_data(
    *, db: AsyncSession, storage: Storage | None = None, now: datetime | None = None
) -> RetentionResult:
    """Delete log entries, webhook events and recordings (files and rows; with ``storage``)
    of sessions older than their organization's ``retention_days``. Sessions and usage rows
    stay (billing history)."""
    now = now or datetime.now(UTC)
    result = RetentionResult()
    for org_id, days in (
        await db.execute(select(Organization.id, Organization.retention_days))
    ).all():
        cutoff = now - timedelta(days=days)
        old = select(Session.id).where(
            Session.organization_id == org_id, Session.created_at < cutoff
        )
        entries = await db.execute(
            delete(SessionLogEntry).where(
                SessionLogEntry.organization_id == org_id, SessionLogEntry.session_id.in_(old)
            )
        )
        events = await db.execute(
            delete(WebhookEvent).where(
                WebhookEvent.organization_id == org_id, WebhookEvent.session_id.in_(old)
            )
        )
        n_entries = int(entries.rowcount)  # type: ignore[attr-defined]
        n_events = int(events.rowcount)  # type: ignore[attr-defined]
        n_recordings = 0
        if storage is not None:
            recorded = select(Recording.session_id).where(
                Recording.organization_id == org_id, Recording.session_id.in_(old)
            )
            n_recordings = await recordings.delete_for_sessions(
                db=db, storage=storage, session_ids=list((await db.scalars(recorded)).all())
            )
        if n_entries or n_events or n_recordings:
            result.organizations += 1
            result.log_entries += n_entries
            result.events += n_events
            result.recordings += n_recordings
    await db.commit()
    log.info("retention_purged", **result.as_dict())
    return result


async def check_usage_alerts(*, db: AsyncSession, now: datetime | None = None) -> int:
    """Evaluate every organization's usage alerts (spikes need no webhook to notice)."""
    created = 0
    for org in (await db.scalars(select(Organization))).all():
        created += len(await alerts.evaluate_alerts(db=db, org=org, now=now))
    await db.commit()
    return created


# --- post-session analysis, customer webhooks ---------------------------------------------------


async def analyze_session(
    *,
    db: AsyncSession,
    settings: Settings,
    session_id: uuid.UUID,
    extractor: Extractor | None = None,
    final_attempt: bool = False,
) -> dict[str, Any]:
    row = await analysis.run_analysis(
        db=db,
        settings=settings,
        session_id=session_id,
        extractor=extractor,
        final_attempt=final_attempt,
    )
    return {"status": row.status if row else None, "success": row.success if row else None}


async def deliver_webhook(
    *, db: AsyncSession, settings: Settings, delivery_id: uuid.UUID, now: datetime | None = None
) -> dict[str, Any]:
    delivery = await endpoints.deliver(db=db, settings=settings, delivery_id=delivery_id, now=now)
    if delivery is None:
        return {"status": None}
    return {
        "status": delivery.status,
        "attempts": delivery.attempts,
        "status_code": delivery.last_status_code,
    }


async def retry_due_webhook_deliveries(
    *, db: AsyncSession, settings: Settings, now: datetime | None = None
) -> int:
    """Attempt every pending delivery whose retry time has come (catches enqueues that were
    lost); their own follow-up jobs are deferred on ``db``."""
    attempted = 0
    for delivery_id in await endpoints.due_deliveries(db=db, now=now):
        if await endpoints.deliver(db=db, settings=settings, delivery_id=delivery_id, now=now):
            attempted += 1
    return attempted


async def analyze_stale_sessions(
    *, db: AsyncSession, settings: Settings, older_than_s: int = 600, now: datetime | None = None
) -> int:
    """Run analyses still pending ``older_than_s`` after they were requested (lost jobs)."""
    now = now or datetime.now(UTC)
    ids = list(
        await db.scalars(
            select(SessionAnalysis.session_id)
            .where(
                SessionAnalysis.status == "pending",
                SessionAnalysis.created_at < now - timedelta(seconds=older_than_s),
            )
            .limit(50)
        )
    )
    done = 0
    for session_id in ids:
        try:
            await analysis.run_analysis(db=db, settings=settings, session_id=session_id)
            done += 1
        except Exception:
            log.exception("analysis_retry_failed", session_id=str(session_id))
    return done

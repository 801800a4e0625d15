"""LiveKit's server events (its webhooks): stored once each (audit trail), applied to the
session, then followed by what they set off (``_follow_up``): usage settled, customer events
published."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.json_format import MessageToDict
from livekit.protocol.webhook import WebhookEvent as LiveKitEvent
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.logging import bind_context, get_logger
from troupe_api.customer_webhooks import session_events
from troupe_api.jobs.queue import JobRequest, defer
from troupe_api.livekit_events.errors import WebhookEventStale
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.organizations.models import Organization
from troupe_api.sessions import agent_loss
from troupe_api.sessions import lifecycle as session_lifecycle
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session
from troupe_api.usage import alerts, metering

log = get_logger(__name__)

ROOM_STARTED = "room_started"
ROOM_FINISHED = "room_finished"
ANALYSIS_AFTER_ROOM_FINISHED_S = 60.0
"""A finished room requests the post-session analysis this much later, in case the runtime's
final log batch (which requests it at once) never comes."""


def _event_time(event: LiveKitEvent) -> datetime:
    # created_at is whole seconds since the epoch, set by LiveKit when the event happened.
    return datetime.fromtimestamp(event.created_at, UTC) if event.created_at else datetime.now(UTC)


def check_fresh(event: LiveKitEvent, *, max_age_s: int, now: datetime | None = None) -> None:
    """Refuse an event whose own creation time is missing or more than ``max_age_s`` away from
    now: the signature's JWT can be fresh while the event inside is an old, captured one."""
    now = now or datetime.now(UTC)
    if not event.created_at:
        raise WebhookEventStale(details={"created_at": None})
    age = (now - _event_time(event)).total_seconds()
    if abs(age) > max_age_s:
        raise WebhookEventStale(details={"age_s": round(age), "max_age_s": max_age_s})


def dedupe_key(event: LiveKitEvent, body: str) -> str:
    """What makes a delivery a retry of one already received: LiveKit's id, the event type and
    the body itself (two different events sharing an id are both kept)."""
    digest = hashlib.sha256(body.encode()).hexdigest()[:40]
    return f"{(event.id or '-')[:64]}:{event.event[:20]}:{digest}"


async def handle_event(
    *, db: AsyncSession, event: LiveKitEvent, body: str, user_left_grace_s: float = 10.0
) -> bool:
    """Record and apply one verified event; False when it was already received (a retry).
    The end user leaving the room schedules the session's end ``user_left_grace_s`` later
    (``end_session_if_user_left``), which does nothing when they came back; the agent leaving
    an open session schedules ``fail_session_if_agent_lost`` (``sessions.agent_loss``)."""
    event_id = dedupe_key(event, body)
    room_name = event.room.name or None
    session = await sessions.get_by_room_unscoped(db=db, room_name=room_name) if room_name else None
    payload: dict[str, Any] = MessageToDict(event, preserving_proto_field_name=True)
    inserted = await db.scalar(
        insert(WebhookEvent)
        .values(
            event_id=event_id,
            event_type=event.event,
            room_name=room_name,
            session_id=session.id if session else None,
            organization_id=session.organization_id if session else None,
            participant_identity=event.participant.identity or None,
            track_sid=event.track.sid or None,
            event_created_at=_event_time(event),
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(WebhookEvent.id)
    )
    if inserted is None:
        log.info("webhook_duplicate", event_type=event.event)
        return False
    changed = False
    if session is not None:
        bind_context(org_id=session.organization_id, session_id=session.id, room=room_name)
        at = _event_time(event)
        if event.event == ROOM_STARTED:
            changed = await session_lifecycle.mark_started(db=db, session=session, at=at)
        elif event.event == ROOM_FINISHED:
            changed = await session_lifecycle.mark_finished(db=db, session=session, at=at)
        else:
            changed = False
            if (
                event.event == session_lifecycle.PARTICIPANT_LEFT
                and event.participant.identity == session.participant_identity
                and session.status in session_lifecycle.OPEN_STATUSES
            ):
                defer(
                    db,
                    JobRequest(
                        "end_session_if_user_left",
                        {"session_id": str(session.id)},
                        key=f"user-left:{event_id}",
                        scheduled=datetime.now(UTC) + timedelta(seconds=user_left_grace_s),
                    ),
                )
            elif (
                event.event == session_lifecycle.PARTICIPANT_LEFT
                and agent_loss.is_agent(event.participant)
                and session.status in session_lifecycle.OPEN_STATUSES
            ):
                # a runtime that ends the session sends its final log first; a dead one does not
                defer(
                    db,
                    JobRequest(
                        "fail_session_if_agent_lost",
                        {"session_id": str(session.id)},
                        key=f"agent-left:{event_id}",
                        scheduled=datetime.now(UTC)
                        + timedelta(seconds=agent_loss.AGENT_LOST_GRACE_S),
                    ),
                )
        log.info("webhook_applied", event_type=event.event, changed=changed, status=session.status)
        await _follow_up(db=db, event_type=event.event, session=session, changed=changed)
    else:
        log.info("webhook_stored", event_type=event.event, known_room=False)
    await db.commit()
    return True


async def _follow_up(*, db: AsyncSession, event_type: str, session: Session, changed: bool) -> None:
    """What an applied event sets off, each step in its own SAVEPOINT so one failing step
    neither loses the event nor blocks the others. ``session.started`` / ``session.ended`` go
    out only when the event moved the session's status (once each)."""
    if event_type == ROOM_STARTED and changed:
        await _isolated(db, "session_started", session_events.session_started, session=session)
    elif event_type == ROOM_FINISHED:
        await _isolated(db, "settle_usage", _settle_usage, session=session)
        if changed:
            await _isolated(
                db,
                "session_ended",
                session_events.session_ended,
                session=session,
                analysis_delay_s=ANALYSIS_AFTER_ROOM_FINISHED_S,
            )


async def _settle_usage(*, db: AsyncSession, session: Session) -> None:
    """The session's usage and cost from its log, then the organization's usage alerts."""
    await metering.finalize_session_usage(db=db, session=session)
    org = await db.get(Organization, session.organization_id)
    if org is not None:
        await alerts.evaluate_alerts(db=db, org=org)


async def _isolated(
    db: AsyncSession, step: str, run: Callable[..., Awaitable[None]], **kwargs: Any
) -> None:
    try:
        async with db.begin_nested():
            await run(db=db, **kwargs)
    except Exception:
        log.exception("webhook_hook_failed", hook=step)

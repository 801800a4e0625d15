"""A session's lifecycle: statuses only move forward (created -> active -> completed | failed |
abandoned), from LiveKit's room and participant events, the sweeper and the runtime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionStatus

from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.sessions.models import Session

PARTICIPANT_JOINED = "participant_joined"


PARTICIPANT_LEFT = "participant_left"


ABANDONED_WITHIN_S = 5.0


"""A user connected for less than this did not have a conversation (an error, a closed tab)."""


NEVER_CONNECTED = "never_connected"


LEFT_WITHIN_SECONDS = "left_within_seconds"


OPEN_STATUSES = (SessionStatus.CREATED.value, SessionStatus.ACTIVE.value)


@dataclass(frozen=True)
class UserPresence:
    """The end user's time in the room, from LiveKit's participant events."""

    first_joined_at: datetime | None
    last_left_at: datetime | None
    present: bool
    """Whether the user's last event is a join (still in the room)."""


async def user_presence(*, db: AsyncSession, session: Session) -> UserPresence:
    rows = (
        await db.execute(
            select(WebhookEvent.event_type, WebhookEvent.event_created_at)
            .where(
                WebhookEvent.session_id == session.id,
                WebhookEvent.participant_identity == session.participant_identity,
                WebhookEvent.event_type.in_([PARTICIPANT_JOINED, PARTICIPANT_LEFT]),
            )
            .order_by(WebhookEvent.event_created_at, WebhookEvent.id)
        )
    ).all()
    joins = [at for kind, at in rows if kind == PARTICIPANT_JOINED and at is not None]
    leaves = [at for kind, at in rows if kind == PARTICIPANT_LEFT and at is not None]
    return UserPresence(
        first_joined_at=min(joins) if joins else None,
        last_left_at=max(leaves) if leaves else None,
        present=bool(rows) and rows[-1][0] == PARTICIPANT_JOINED,
    )


async def mark_started(*, db: AsyncSession, session: Session, at: datetime) -> bool:
    """created -> active. Returns whether anything changed (late/duplicate events change nothing,
    except filling a missing started_at on a session that already finished)."""
    result = await db.execute(
        update(Session)
        .where(Session.id == session.id, Session.status == SessionStatus.CREATED.value)
        .values(status=SessionStatus.ACTIVE.value, started_at=func.coalesce(Session.started_at, at))
        .execution_options(synchronize_session=False)
    )
    changed = bool(result.rowcount)  # type: ignore[attr-defined]
    if not changed:
        # room_finished arrived first: keep the end, but record when the room started.
        result = await db.execute(
            update(Session)
            .where(Session.id == session.id, Session.started_at.is_(None))
            .values(started_at=at)
            .execution_options(synchronize_session=False)
        )
        changed = bool(result.rowcount)  # type: ignore[attr-defined]
    await db.refresh(session)
    return changed


async def finish(
    *, db: AsyncSession, session: Session, at: datetime, reason: str | None = None
) -> bool:
    """created|active -> completed, or abandoned when the user never joined or stayed less than
    ``ABANDONED_WITHIN_S``. The duration runs from the user's first join to their last leave
    (or ``at`` while they are still in the room); ``reason`` fills ``close_reason`` unless the
    runtime gave one (an abandoned session's reason says why it was abandoned)."""
    presence = await user_presence(db=db, session=session)
    ended_at = at
    duration: float | None = None
    status = SessionStatus.COMPLETED
    if presence.first_joined_at is None:
        status, reason = SessionStatus.ABANDONED, NEVER_CONNECTED
    else:
        if not presence.present and presence.last_left_at is not None:
            ended_at = min(presence.last_left_at, at)
        duration = max((ended_at - presence.first_joined_at).total_seconds(), 0.0)
        if duration < ABANDONED_WITHIN_S:
            status, reason = SessionStatus.ABANDONED, LEFT_WITHIN_SECONDS
    close_reason: Any = (
        reason if status == SessionStatus.ABANDONED else func.coalesce(Session.close_reason, reason)
    )
    result = await db.execute(
        update(Session)
        .where(Session.id == session.id, Session.status.in_(OPEN_STATUSES))
        .values(
            status=status.value,
            ended_at=ended_at,
            duration_seconds=duration,
            close_reason=close_reason,
        )
        .execution_options(synchronize_session=False)
    )
    await db.refresh(session)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_finished(*, db: AsyncSession, session: Session, at: datetime) -> bool:
    """The room finished: the session ends (see ``finish``)."""
    return await finish(db=db, session=session, at=at)


def is_billable(session: Session) -> bool:
    return session.status != SessionStatus.ABANDONED.value


async def close(*, db: AsyncSession, session: Session, at: datetime, reason: str) -> bool:
    """Closed by the system (the sweeper, a user who left for good): see ``finish``."""
    return await finish(db=db, session=session, at=at, reason=reason)

"""An agent worker that dies mid-session (killed, out of memory, its host lost) leaves the room
without the runtime's final log batch. LiveKit's ``participant_left`` for the agent schedules
``fail_session_if_agent_lost`` a few seconds later (``AGENT_LOST_GRACE_S``: a runtime that ends
the session itself sends its final batch before it leaves). When by then the session is still
open, its log has no final batch and no agent is in the room, the session ends ``failed`` with
close reason ``agent_lost``: the log entries it sent so far are kept, usage and the customer's
``session.ended`` webhook follow as for any end. If the user is still in the room, a fresh
agent job is dispatched there: LiveKit gives it to a worker that is alive, and that job, finding
the session failed, tells the user what happened and closes the room."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from livekit import api as lk
from livekit.protocol.models import ParticipantInfo
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts import AGENT_NAME
from troupe_contracts.session import SessionStatus

from troupe_api.core.logging import get_logger
from troupe_api.customer_webhooks import session_events
from troupe_api.sessions import lifecycle as session_lifecycle
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session
from troupe_api.usage import metering

log = get_logger(__name__)

AGENT_LOST = "agent_lost"
"""``close_reason`` of a session whose agent left the room without ending it."""
AGENT_LOST_GRACE_S = 5.0
"""How long after the agent's ``participant_left`` the session is checked."""


def is_agent(participant: ParticipantInfo) -> bool:
    return bool(participant.kind == ParticipantInfo.Kind.AGENT)


async def _participants(livekit: lk.LiveKitAPI, room: str) -> list[ParticipantInfo]:
    try:
        listed = await livekit.room.list_participants(lk.ListParticipantsRequest(room=room))
    except Exception:  # the room is gone: nobody is in it
        return []
    return list(listed.participants)


async def mark_failed(*, db: AsyncSession, session: Session, at: datetime, reason: str) -> bool:
    """created|active -> failed, with ``reason``; the duration runs from the user's first join
    to ``at``. Returns whether anything changed."""
    presence = await session_lifecycle.user_presence(db=db, session=session)
    duration = (
        max((at - presence.first_joined_at).total_seconds(), 0.0)
        if presence.first_joined_at is not None
        else None
    )
    result = await db.execute(
        update(Session)
        .where(Session.id == session.id, Session.status.in_(session_lifecycle.OPEN_STATUSES))
        .values(
            status=SessionStatus.FAILED.value,
            ended_at=at,
            duration_seconds=duration,
            close_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    await db.refresh(session)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def fail_session_if_agent_lost(
    *, db: AsyncSession, livekit: lk.LiveKitAPI, session_id: uuid.UUID
) -> bool:
    """See the module docstring. Returns whether the session was failed here."""
    session = await sessions.get_unscoped(db=db, session_id=session_id)
    if session is None or session.status not in session_lifecycle.OPEN_STATUSES:
        return False
    if session.log_completed_at is not None:  # the runtime ended it (its final batch arrived)
        return False
    present = await _participants(livekit, session.room_name)
    if any(is_agent(p) for p in present):  # another job took over the room
        return False
    failed = await mark_failed(db=db, session=session, at=datetime.now(UTC), reason=AGENT_LOST)
    if failed:
        await metering.finalize_session_usage(db=db, session=session)
        await session_events.session_ended(db=db, session=session, analysis_delay_s=0)
    await db.commit()
    if not failed:
        return False
    log.warning("session_failed_agent_lost", session_id=str(session.id), room=session.room_name)
    if any(p.identity == session.participant_identity for p in present):
        # The user is still there: a live worker's job tells them and closes the room.
        try:
            await livekit.agent_dispatch.create_dispatch(
                lk.CreateAgentDispatchRequest(
                    agent_name=AGENT_NAME,
                    room=session.room_name,
                    metadata=_metadata_json(session),
                )
            )
        except Exception as exc:
            log.warning("agent_lost_notice_not_dispatched", error=str(exc))
            await _delete_room(livekit, session.room_name)
    return True


def _metadata_json(session: Session) -> str:
    import json

    return json.dumps(session.metadata_ or {})


async def _delete_room(livekit: lk.LiveKitAPI, room: str) -> None:
    try:
        await livekit.room.delete_room(lk.DeleteRoomRequest(room=room))
    except Exception as exc:
        log.info("room_delete_failed", room=room, error=str(exc))

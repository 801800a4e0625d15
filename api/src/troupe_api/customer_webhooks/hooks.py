"""LiveKit webhook consumers that publish customer events: a room that started emits
``session.started``, a finished room ``session.ended`` (once each: only when the event moved
the session's status). A finished room also requests the post-session analysis, a little
later, in case the runtime's final log batch (which requests it at once) never comes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionStatus

from troupe_api.analysis import service as analysis
from troupe_api.customer_webhooks import service
from troupe_api.livekit_events import hooks
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session

ANALYSIS_AFTER_ROOM_FINISHED_S = 60.0


def session_data(session: Session) -> dict[str, Any]:
    data = sessions.to_read(session).model_dump(mode="json")
    data["experiment_arm"] = session.experiment_arm
    data["close_reason"] = session.close_reason
    return data


@hooks.on("room_started")
async def emit_session_started(applied: hooks.AppliedEvent) -> None:
    # Only a start that made the session active: a room_started arriving after the session
    # ended (out of order) fills in its start time but never reaches the customer after
    # their session.ended.
    session = applied.session
    if session is None or not applied.changed or session.status != SessionStatus.ACTIVE.value:
        return
    await service.emit(
        db=applied.db,
        organization_id=session.organization_id,
        event_type=service.SESSION_STARTED,
        key=str(session.id),
        data=session_data(session),
    )


async def session_ended(*, db: AsyncSession, session: Session, analysis_delay_s: float) -> None:
    """Publish ``session.ended`` (idempotent per session) and, unless the runtime's final log
    batch already did, request the post-session analysis. Shared by the room_finished webhook
    and the sweeper that closes sessions whose webhook never came."""
    await service.emit(
        db=db,
        organization_id=session.organization_id,
        event_type=service.SESSION_ENDED,
        key=str(session.id),
        data=session_data(session),
    )
    if session.log_completed_at is None and session.status == SessionStatus.COMPLETED.value:
        await analysis.request_analysis(db=db, session=session, delay_s=analysis_delay_s)


@hooks.on("room_finished")
async def emit_session_ended(applied: hooks.AppliedEvent) -> None:
    session = applied.session
    if session is None or not applied.changed:
        return
    await session_ended(
        db=applied.db, session=session, analysis_delay_s=ANALYSIS_AFTER_ROOM_FINISHED_S
    )

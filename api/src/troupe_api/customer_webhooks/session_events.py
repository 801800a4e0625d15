"""The customer events of a session's life: ``session.started`` once LiveKit's room started and
made the session active, ``session.ended`` once it finished (each at most once per session).
An ended session also requests the post-session analysis, a little later, in case the runtime's
final log batch (which requests it at once) never comes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionStatus

from troupe_api.analysis import service as analysis
from troupe_api.customer_webhooks import service
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session


def session_data(session: Session) -> dict[str, Any]:
    data = sessions.to_read(session).model_dump(mode="json")
    data["experiment_arm"] = session.experiment_arm
    data["close_reason"] = session.close_reason
    return data


async def session_started(*, db: AsyncSession, session: Session) -> None:
    """Publish ``session.started`` for a session the room's start made active. A room_started
    arriving after the session ended (out of order) fills in its start time but never reaches
    the customer after their ``session.ended``."""
    if session.status != SessionStatus.ACTIVE.value:
        return
    await service.emit(
        db=db,
        organization_id=session.organization_id,
        event_type=service.SESSION_STARTED,
        key=str(session.id),
        data=session_data(session),
    )


async def session_ended(*, db: AsyncSession, session: Session, analysis_delay_s: float) -> None:
    """Publish ``session.ended`` (idempotent per session) and, unless the runtime's final log
    batch already did, request the post-session analysis. Shared by the room_finished event
    and the sweeper that closes sessions whose event never came."""
    await service.emit(
        db=db,
        organization_id=session.organization_id,
        event_type=service.SESSION_ENDED,
        key=str(session.id),
        data=session_data(session),
    )
    if session.log_completed_at is None and session.status == SessionStatus.COMPLETED.value:
        await analysis.request_analysis(db=db, session=session, delay_s=analysis_delay_s)

"""Session records: created at start, read by tenants (``organization_id``) or, through the
``*_unscoped`` lookups, by trusted system callers (runtime, LiveKit events) that name a session by
id or room; listed and counted. Their lifecycle is ``lifecycle``, their logs ``logs``, what the
logs add up to ``reports``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionRead, SessionStatus

from troupe_api.sessions.lifecycle import OPEN_STATUSES
from troupe_api.sessions.models import Session, SessionLogEntry

ROOM_PREFIX = "troupe"


def room_name_for(organization_id: uuid.UUID, session_id: uuid.UUID) -> str:
    return f"{ROOM_PREFIX}-{organization_id.hex[:8]}-{session_id.hex}"


def to_read(session: Session) -> SessionRead:
    return SessionRead(
        id=session.id,
        organization_id=session.organization_id,
        template_id=session.template_id,
        room_name=session.room_name,
        status=SessionStatus(session.status),
        end_user_id=session.end_user_id,
        created_at=session.created_at,
        started_at=session.started_at,
        ended_at=session.ended_at,
        duration_seconds=session.duration_seconds,
        close_reason=session.close_reason if session.status not in OPEN_STATUSES else None,
    )


async def create(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    template_id: uuid.UUID | None,
    deployment_id: uuid.UUID | None,
    end_user_id: str | None,
    participant_identity: str,
    metadata: dict[str, Any],
    session_id: uuid.UUID | None = None,
) -> Session:
    session_id = session_id or uuid.uuid4()
    session = Session(
        id=session_id,
        organization_id=organization_id,
        template_id=template_id,
        deployment_id=deployment_id,
        room_name=room_name_for(organization_id, session_id),
        status=SessionStatus.CREATED.value,
        end_user_id=end_user_id,
        participant_identity=participant_identity,
        metadata_=metadata,
        created_at=datetime.now(UTC),
    )
    db.add(session)
    await db.flush()
    return session


async def get(
    *, db: AsyncSession, organization_id: uuid.UUID, session_id: uuid.UUID
) -> Session | None:
    return await db.scalar(
        select(Session).where(Session.organization_id == organization_id, Session.id == session_id)
    )


async def get_unscoped(*, db: AsyncSession, session_id: uuid.UUID) -> Session | None:
    return await db.get(Session, session_id)


async def get_by_room_unscoped(*, db: AsyncSession, room_name: str) -> Session | None:
    return await db.scalar(select(Session).where(Session.room_name == room_name))


async def list_for_org(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    limit: int,
    status: SessionStatus | None = None,
    template_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    end_user_id: str | None = None,
    agent: str | None = None,
) -> list[Session]:
    """The organization's sessions, newest first; ``after`` is the (created_at, id) of the
    last row of the previous page (keyset pagination)."""
    query = select(Session).where(Session.organization_id == organization_id)
    if status is not None:
        query = query.where(Session.status == status.value)
    if template_id is not None:
        query = query.where(Session.template_id == template_id)
    if since is not None:
        query = query.where(Session.created_at >= since)
    if until is not None:
        query = query.where(Session.created_at < until)
    if after is not None:
        query = query.where(tuple_(Session.created_at, Session.id) < tuple_(*after))
    if end_user_id:
        # Search: a case-insensitive substring of the caller-chosen end-user id.
        escaped = end_user_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Session.end_user_id.ilike(f"%{escaped}%", escape="\\"))
    if agent:
        # Sessions in which the agent spoke, called a tool or was handed to.
        payload = SessionLogEntry.payload
        query = query.where(
            select(SessionLogEntry.id)
            .where(
                SessionLogEntry.session_id == Session.id,
                or_(payload["agent"].astext == agent, payload["to_agent"].astext == agent),
            )
            .exists()
        )
    rows = await db.scalars(
        query.order_by(Session.created_at.desc(), Session.id.desc()).limit(limit)
    )
    return list(rows)


async def count_open_sessions(
    *, db: AsyncSession, organization_id: uuid.UUID, created_after: datetime
) -> int:
    """Active sessions, plus created ones whose room may still start (recent)."""
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Session)
            .where(
                Session.organization_id == organization_id,
                or_(
                    Session.status == SessionStatus.ACTIVE.value,
                    (Session.status == SessionStatus.CREATED.value)
                    & (Session.created_at >= created_after),
                ),
            )
        )
        or 0
    )


async def count_started_since(
    *, db: AsyncSession, organization_id: uuid.UUID, since: datetime
) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Session)
            .where(Session.organization_id == organization_id, Session.created_at >= since)
        )
        or 0
    )

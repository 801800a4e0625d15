"""Sessions and their logs. Tenant reads take ``organization_id``; the ``*_unscoped`` lookups
are for trusted system callers (runtime, LiveKit webhooks) that name a session by id or room."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.log import LogEntry, SessionLogBatch
from troupe_contracts.session import SessionRead, SessionStatus

from troupe_api.sessions.models import Session, SessionLogEntry

_log_entry_adapter: TypeAdapter[LogEntry] = TypeAdapter(LogEntry)

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
) -> Session:
    session_id = uuid.uuid4()
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


# --- lifecycle: statuses only move forward (created -> active -> completed | failed) ----------


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
        # room_finished arrived first: keep "completed", but record when the room started.
        result = await db.execute(
            update(Session)
            .where(Session.id == session.id, Session.started_at.is_(None))
            .values(
                started_at=at,
                duration_seconds=func.greatest(func.extract("epoch", Session.ended_at - at), 0),
            )
            .execution_options(synchronize_session=False)
        )
        changed = bool(result.rowcount)  # type: ignore[attr-defined]
    await db.refresh(session)
    return changed


async def mark_finished(*, db: AsyncSession, session: Session, at: datetime) -> bool:
    """created|active -> completed, with ended_at and duration (from started_at)."""
    started = func.coalesce(Session.started_at, Session.created_at)
    result = await db.execute(
        update(Session)
        .where(
            Session.id == session.id,
            Session.status.in_([SessionStatus.CREATED.value, SessionStatus.ACTIVE.value]),
        )
        .values(
            status=SessionStatus.COMPLETED.value,
            ended_at=at,
            duration_seconds=func.greatest(func.extract("epoch", at - started), 0),
        )
        .execution_options(synchronize_session=False)
    )
    await db.refresh(session)
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- logs ---------------------------------------------------------------------------------------


async def ingest_log(
    *, db: AsyncSession, session: Session, batch: SessionLogBatch
) -> tuple[int, int]:
    """Store the batch's entries; entries whose seq is already stored are skipped.
    Returns (accepted, duplicate)."""
    accepted = 0
    if batch.entries:
        rows = [
            {
                "organization_id": session.organization_id,
                "session_id": session.id,
                "seq": entry.seq,
                "kind": entry.kind,
                "ts": entry.ts,
                "payload": entry.model_dump(mode="json"),
            }
            for entry in batch.entries
        ]
        stmt = (
            insert(SessionLogEntry)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["session_id", "seq"])
            .returning(SessionLogEntry.seq)
        )
        accepted = len((await db.execute(stmt)).all())
    if batch.final:
        await db.execute(
            update(Session)
            .where(Session.id == session.id, Session.log_completed_at.is_(None))
            .values(log_completed_at=func.now(), close_reason=batch.close_reason)
            .execution_options(synchronize_session=False)
        )
        await db.refresh(session)
    return accepted, len(batch.entries) - accepted


async def list_log(
    *, db: AsyncSession, organization_id: uuid.UUID, session_id: uuid.UUID
) -> list[LogEntry]:
    payloads = await db.scalars(
        select(SessionLogEntry.payload)
        .where(
            SessionLogEntry.organization_id == organization_id,
            SessionLogEntry.session_id == session_id,
        )
        .order_by(SessionLogEntry.seq)
    )
    return [_log_entry_adapter.validate_python(p) for p in payloads]


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
    rows = await db.scalars(
        query.order_by(Session.created_at.desc(), Session.id.desc()).limit(limit)
    )
    return list(rows)

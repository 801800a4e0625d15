"""Session logs: the runtime's batches stored once per seq (optionally redacted), read back in
order and filtered; LiveKit's stored events of a session."""

from __future__ import annotations

import uuid

from pydantic import TypeAdapter
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.log import (
    LogEntry,
    SessionLogBatch,
)
from troupe_contracts.session import SessionStatus

from troupe_api.core.redaction import redact_entry
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.sessions.models import Session, SessionLogEntry

_log_entry_adapter: TypeAdapter[LogEntry] = TypeAdapter(LogEntry)


async def ingest_log(
    *, db: AsyncSession, session: Session, batch: SessionLogBatch, redact: bool = False
) -> tuple[int, int]:
    """Store the batch's entries; entries whose seq is already stored are skipped.
    ``redact`` replaces emails, phone and card numbers in free text before storing.
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
                "payload": (redact_entry if redact else dict)(entry.model_dump(mode="json")),
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
            .values(
                log_completed_at=func.now(),
                # An abandoned or failed session keeps the reason the platform gave it (a job
                # that reports on a session whose agent was lost sends its own reason).
                close_reason=case(
                    (
                        Session.status.in_(
                            [SessionStatus.ABANDONED.value, SessionStatus.FAILED.value]
                        ),
                        Session.close_reason,
                    ),
                    else_=batch.close_reason,
                ),
            )
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


async def query_log(
    *,
    db: AsyncSession,
    session: Session,
    kinds: list[str] | None = None,
    agent: str | None = None,
    since_seq: int | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """Entries in seq order after ``since_seq`` (exclusive), of the given kinds, mentioning the
    agent (speaker, tool caller, metrics owner, or either side of a handoff)."""
    query = select(SessionLogEntry.payload).where(
        SessionLogEntry.organization_id == session.organization_id,
        SessionLogEntry.session_id == session.id,
    )
    if kinds:
        query = query.where(SessionLogEntry.kind.in_(kinds))
    if agent is not None:
        payload = SessionLogEntry.payload
        query = query.where(
            or_(
                payload["agent"].astext == agent,
                payload["to_agent"].astext == agent,
                payload["from_agent"].astext == agent,
            )
        )
    if since_seq is not None:
        query = query.where(SessionLogEntry.seq > since_seq)
    query = query.order_by(SessionLogEntry.seq)
    if limit is not None:
        query = query.limit(limit)
    return [_log_entry_adapter.validate_python(p) for p in await db.scalars(query)]


async def list_events(*, db: AsyncSession, session: Session) -> list[WebhookEvent]:
    rows = await db.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.session_id == session.id)
        .order_by(WebhookEvent.event_created_at, WebhookEvent.id)
    )
    return list(rows)

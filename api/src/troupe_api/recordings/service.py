"""Recordings: store uploaded files, list them with signed URLs, delete them with their
session's data."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.recording import RECORDING_CONTENT_TYPE, RecordingKind

from troupe_api.core.logging import get_logger
from troupe_api.core.storage import Storage
from troupe_api.recordings.models import Recording
from troupe_api.recordings.schemas import RecordingRead
from troupe_api.sessions.models import Session

log = get_logger(__name__)

OGG_MAGIC = b"OggS"


def storage_key(session: Session, kind: RecordingKind) -> str:
    return f"recordings/{session.organization_id}/{session.id}/{kind.value}.ogg"


async def store(
    *,
    db: AsyncSession,
    storage: Storage,
    session: Session,
    kind: RecordingKind,
    data: bytes,
    duration_ms: int,
    started_at: datetime | None = None,
) -> Recording:
    """Write the file, then upsert its row (a retried upload replaces both)."""
    key = storage_key(session, kind)
    await storage.put(key, data, content_type=RECORDING_CONTENT_TYPE)
    values = {
        "organization_id": session.organization_id,
        "session_id": session.id,
        "kind": kind.value,
        "storage_key": key,
        "content_type": RECORDING_CONTENT_TYPE,
        "size_bytes": len(data),
        "duration_ms": duration_ms,
        "started_at": started_at,
    }
    insert_stmt = insert(Recording).values(id=uuid.uuid4(), **values)
    stmt = insert_stmt.on_conflict_do_update(
        index_elements=[Recording.session_id, Recording.kind],
        set_={
            "size_bytes": insert_stmt.excluded.size_bytes,
            "duration_ms": insert_stmt.excluded.duration_ms,
            "started_at": insert_stmt.excluded.started_at,
            "created_at": datetime.now(UTC),
        },
    ).returning(Recording)
    result = await db.scalars(stmt, execution_options={"populate_existing": True})
    recording: Recording = result.one()
    log.info("recording_stored", kind=kind.value, size_bytes=len(data), duration_ms=duration_ms)
    return recording


async def list_for_session(*, db: AsyncSession, session: Session) -> Sequence[Recording]:
    order = {k.value: i for i, k in enumerate((RecordingKind.MIXED, RecordingKind.USER))}
    rows = (
        await db.scalars(
            select(Recording).where(
                Recording.organization_id == session.organization_id,
                Recording.session_id == session.id,
            )
        )
    ).all()
    return sorted(rows, key=lambda r: order.get(r.kind, len(order)))


async def to_read(recording: Recording, *, storage: Storage, ttl_s: int) -> RecordingRead:
    signed = await storage.signed_url(recording.storage_key, ttl_s=ttl_s)
    return RecordingRead(
        id=recording.id,
        session_id=recording.session_id,
        kind=RecordingKind(recording.kind),
        content_type=recording.content_type,
        size_bytes=recording.size_bytes,
        duration_ms=recording.duration_ms,
        started_at=recording.started_at,
        created_at=recording.created_at,
        url=signed.url,
        url_expires_at=datetime.fromtimestamp(signed.expires_at, UTC),
    )


async def delete_for_sessions(
    *, db: AsyncSession, storage: Storage, session_ids: Sequence[uuid.UUID]
) -> int:
    """Delete the files, then the rows, of these sessions' recordings. A file that fails to
    delete keeps its row, so the next retention run tries again."""
    if not session_ids:
        return 0
    rows = (
        await db.scalars(select(Recording).where(Recording.session_id.in_(list(session_ids))))
    ).all()
    deleted = 0
    for recording in rows:
        try:
            await storage.delete(recording.storage_key)
        except Exception as exc:  # a store outage: keep the row, retry on the next run
            log.warning("recording_delete_failed", key=recording.storage_key, error=str(exc))
            continue
        await db.delete(recording)
        deleted += 1
    await db.flush()
    return deleted

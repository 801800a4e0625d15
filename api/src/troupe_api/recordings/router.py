"""Session recordings: the runtime uploads files (runtime token), the dashboard lists them with
short-lived signed URLs (viewer and up, scoped to the organization), and the local store's
signed URLs are served by ``GET /files``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from troupe_contracts.recording import (
    RECORDING_CONTENT_TYPE,
    RECORDING_MAX_BYTES,
    RecordingKind,
    RecordingUploadResult,
)

from troupe_api.core.logging import bind_context
from troupe_api.core.storage import get_storage
from troupe_api.deps import DbDep, RuntimeAuth, SettingsDep, ViewerOrg
from troupe_api.recordings import service
from troupe_api.recordings.errors import (
    DownloadLinkInvalid,
    RecordingInvalid,
    RecordingNotFound,
    RecordingTooLarge,
)
from troupe_api.recordings.models import Recording
from troupe_api.recordings.schemas import RecordingList
from troupe_api.sessions import service as sessions
from troupe_api.sessions.errors import SessionNotFound

sessions_router = APIRouter(prefix="/sessions", tags=["sessions"])
runtime_router = APIRouter(prefix="/runtime", tags=["runtime"], dependencies=[RuntimeAuth])
files_router = APIRouter(prefix="/files", tags=["files"])


@runtime_router.put(
    "/sessions/{session_id}/recordings/{kind}",
    name="upload_recording",
    response_model=RecordingUploadResult,
)
async def upload_recording(
    session_id: uuid.UUID,
    kind: RecordingKind,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    duration_ms: Annotated[int, Query(ge=0, le=24 * 3600 * 1000)],
    started_at_ms: Annotated[int | None, Query(ge=0)] = None,
) -> RecordingUploadResult:
    """Store one recording file of a session (body: the Ogg/Opus bytes). Idempotent per
    (session, kind): a retried upload replaces the file."""
    session = await sessions.get_unscoped(db=db, session_id=session_id)
    if session is None:
        raise SessionNotFound()
    bind_context(org_id=session.organization_id, session_id=session.id)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > RECORDING_MAX_BYTES:
        raise RecordingTooLarge()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > RECORDING_MAX_BYTES:
            raise RecordingTooLarge()
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data.startswith(service.OGG_MAGIC):
        raise RecordingInvalid()
    recording = await service.store(
        db=db,
        storage=get_storage(settings),
        session=session,
        kind=kind,
        data=data,
        duration_ms=duration_ms,
        started_at=datetime.fromtimestamp(started_at_ms / 1000, UTC)
        if started_at_ms is not None
        else None,
    )
    await db.commit()
    return RecordingUploadResult(
        kind=kind, size_bytes=recording.size_bytes, duration_ms=recording.duration_ms
    )


@sessions_router.get("/{session_id}/recordings", name="recordings", response_model=RecordingList)
async def list_recordings(
    session_id: uuid.UUID, db: DbDep, ctx: ViewerOrg, settings: SettingsDep
) -> RecordingList:
    """The session's recording files (mixed, user-only, agent-only) with kind, duration and
    size, each with a signed download URL valid for ``TROUPE_RECORDING_URL_TTL_S`` seconds.
    Empty when the template does not record."""
    session = await sessions.get(db=db, organization_id=ctx.organization_id, session_id=session_id)
    if session is None:
        raise SessionNotFound()
    storage = get_storage(settings)
    rows = await service.list_for_session(db=db, session=session)
    return RecordingList(
        items=[
            await service.to_read(r, storage=storage, ttl_s=settings.recording_url_ttl_s)
            for r in rows
        ]
    )


@files_router.get(
    "",
    name="download",
    response_class=StreamingResponse,
    responses={200: {"content": {RECORDING_CONTENT_TYPE: {}}}},
)
async def download(
    db: DbDep,
    settings: SettingsDep,
    key: Annotated[str, Query(max_length=512)],
    expires: Annotated[int, Query(ge=0)],
    sig: Annotated[str, Query(max_length=128)],
) -> StreamingResponse:
    """A file of the local store through a signed URL from the API (the signature is the
    credential; it covers the key and the expiry). Expired or forged links: 403."""
    storage = get_storage(settings)
    if not storage.verify_local(key, expires, sig):
        raise DownloadLinkInvalid()
    recording = await db.scalar(select(Recording).where(Recording.storage_key == key))
    if recording is None or not await storage.exists(key):
        raise RecordingNotFound()
    return StreamingResponse(
        storage.stream(key),
        media_type=recording.content_type,
        headers={
            "Content-Length": str(recording.size_bytes),
            "Cache-Control": "private, max-age=60",
            "Content-Disposition": f'inline; filename="{recording.kind}.ogg"',
        },
    )

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status
from troupe_contracts.session import (
    SessionConnection,
    SessionRead,
    SessionStartRequest,
    SessionStartResponse,
    TokenMetadata,
)

from troupe_api.core.errors import SessionNotFound, SessionTokenInvalid
from troupe_api.core.livekit import verify_participant_token
from troupe_api.core.logging import bind_context
from troupe_api.deps import BearerDep, DbDep, LimiterDep, SettingsDep
from troupe_api.flows.session_start import issue_connection, start_session
from troupe_api.sessions import service
from troupe_api.sessions.models import Session
from troupe_api.sessions.schemas import SessionLogRead

router = APIRouter(prefix="/sessions", tags=["sessions"])

OPEN_READ_ENVS = ("development", "test")


async def _authorized_session(
    session_id: uuid.UUID,
    db: DbDep,
    settings: SettingsDep,
    credentials: BearerDep,
    *,
    refresh: bool,
) -> Session:
    """The session, readable with its own participant token as bearer (expired by at most the
    refresh grace when refreshing); without a token only in development and test."""
    if credentials is None:
        if settings.env not in OPEN_READ_ENVS:
            raise SessionTokenInvalid()
        session = await service.get_unscoped(db=db, session_id=session_id)
    else:
        leeway = settings.livekit_token_refresh_grace_s if refresh else 0
        claims = verify_participant_token(settings, credentials.credentials, leeway_s=leeway)
        if claims is None or not claims.metadata:
            raise SessionTokenInvalid()
        try:
            metadata = TokenMetadata.model_validate_json(claims.metadata)
        except ValueError as exc:
            raise SessionTokenInvalid() from exc
        if metadata.session_id != session_id:
            raise SessionTokenInvalid()
        session = await service.get(
            db=db, organization_id=metadata.organization_id, session_id=session_id
        )
        if session is not None and (
            claims.identity != session.participant_identity
            or claims.video is None
            or claims.video.room != session.room_name
        ):
            raise SessionTokenInvalid()
    if session is None:
        raise SessionNotFound()
    bind_context(org_id=session.organization_id, session_id=session.id)
    return session


async def readable_session(
    session_id: uuid.UUID, db: DbDep, settings: SettingsDep, credentials: BearerDep
) -> Session:
    return await _authorized_session(session_id, db, settings, credentials, refresh=False)


async def refreshable_session(
    session_id: uuid.UUID, db: DbDep, settings: SettingsDep, credentials: BearerDep
) -> Session:
    return await _authorized_session(session_id, db, settings, credentials, refresh=True)


ReadableSession = Annotated[Session, Depends(readable_session)]
RefreshableSession = Annotated[Session, Depends(refreshable_session)]


@router.post(
    "",
    name="start",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionStartResponse,
)
async def start(
    body: SessionStartRequest,
    request: Request,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    origin: Annotated[str | None, Header()] = None,
) -> SessionStartResponse:
    """Start a session from a public embed key. The request's Origin must be one the
    deployment allows. Returns the room, a short-lived participant token (which dispatches the
    Troupe agent) and the LiveKit URL. Rate limited per end user and per organization."""
    result, limit_status = await start_session(
        db=db,
        settings=settings,
        limiter=limiter,
        body=body,
        origin=origin,
        client_address=request.client.host if request.client else None,
    )
    if limit_status is not None:
        response.headers.update(limit_status.headers())
    return result


@router.get("/{session_id}", name="read", response_model=SessionRead)
async def read(session: ReadableSession) -> SessionRead:
    """Status of a session. Auth: the session's participant token as bearer (open in
    development and test until dashboard auth lands)."""
    return service.to_read(session)


@router.post("/{session_id}/token", name="refresh_token", response_model=SessionConnection)
async def refresh_token(session: RefreshableSession, settings: SettingsDep) -> SessionConnection:
    """A new participant token for the same identity and room."""
    return issue_connection(settings, session=session)


@router.get("/{session_id}/log", name="read_log", response_model=SessionLogRead)
async def read_log(session: ReadableSession, db: DbDep) -> SessionLogRead:
    """The session's log entries in sequence order."""
    entries = await service.list_log(
        db=db, organization_id=session.organization_id, session_id=session.id
    )
    return SessionLogRead(
        session_id=session.id,
        complete=session.log_completed_at is not None,
        close_reason=session.close_reason,
        entries=entries,
    )

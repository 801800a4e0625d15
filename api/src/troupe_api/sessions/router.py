from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from troupe_contracts.session import (
    SessionConnection,
    SessionRead,
    SessionStartRequest,
    SessionStartResponse,
    SessionStatus,
    TokenMetadata,
)

from troupe_api.apikeys.models import API_KEY_PREFIX
from troupe_api.core.errors import (
    AuthenticationRequired,
    SessionNotFound,
    SessionTokenInvalid,
    Unauthorized,
    ValidationFailed,
)
from troupe_api.core.livekit import verify_participant_token
from troupe_api.core.logging import bind_context
from troupe_api.core.settings import Settings
from troupe_api.deps import (
    ACCESS_COOKIE,
    ORG_HEADER,
    BearerDep,
    DbDep,
    LimiterDep,
    SettingsDep,
    ViewerOrg,
    authenticate,
    authorize,
    resolve_org_context,
)
from troupe_api.flows.session_start import issue_connection, start_dashboard_session, start_session
from troupe_api.organizations.models import Role
from troupe_api.sessions import service
from troupe_api.sessions.models import Session
from troupe_api.sessions.schemas import SessionList, SessionLogRead

router = APIRouter(prefix="/sessions", tags=["sessions"])

OPEN_READ_ENVS = ("development", "test")


async def _dashboard_session(
    session_id: uuid.UUID, request: Request, db: DbDep, settings: Settings, role: Role
) -> Session:
    """The session through dashboard auth (user or API key), scoped to the caller's org."""
    try:
        principal = await authenticate(request, db, settings)
    except Unauthorized as exc:
        raise SessionTokenInvalid() from exc
    if principal is None:
        raise AuthenticationRequired()
    ctx = await resolve_org_context(
        db=db, principal=principal, requested=request.headers.get(ORG_HEADER)
    )
    authorize(ctx, request, role)
    session = await service.get(db=db, organization_id=ctx.organization_id, session_id=session_id)
    if session is None:
        raise SessionNotFound()
    bind_context(org_id=session.organization_id, session_id=session.id)
    return session


def _is_participant_token(settings: Settings, token: str) -> bool:
    if token.startswith(API_KEY_PREFIX):
        return False
    leeway = settings.livekit_token_refresh_grace_s
    return verify_participant_token(settings, token, leeway_s=leeway) is not None


async def _authorized_session(
    session_id: uuid.UUID,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    credentials: BearerDep,
    *,
    refresh: bool,
) -> Session:
    """The session, readable with its own participant token as bearer (expired by at most the
    refresh grace when refreshing), or by a dashboard user / API key of its organization
    (viewers read, members refresh); without any credential only in development and test."""
    has_cookie = ACCESS_COOKIE in request.cookies
    if credentials is None and not has_cookie:
        if settings.env not in OPEN_READ_ENVS:
            raise SessionTokenInvalid()
        session = await service.get_unscoped(db=db, session_id=session_id)
    elif credentials is None or not _is_participant_token(settings, credentials.credentials):
        role = Role.MEMBER if refresh else Role.VIEWER
        return await _dashboard_session(session_id, request, db, settings, role)
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
    session_id: uuid.UUID,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    credentials: BearerDep,
) -> Session:
    return await _authorized_session(session_id, request, db, settings, credentials, refresh=False)


async def refreshable_session(
    session_id: uuid.UUID,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    credentials: BearerDep,
) -> Session:
    return await _authorized_session(session_id, request, db, settings, credentials, refresh=True)


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
    """Start a session from a public embed key (the request's Origin must be one the
    deployment allows), or, without an embed key, a test session of one of the caller's
    organization's templates (``template_id``) as a signed-in member/admin or an API key with
    ``sessions:write``. Returns the room, a short-lived participant token (which dispatches the
    Troupe agent) and the LiveKit URL. Rate limited per end user and per organization."""
    if body.embed_key:
        result, limit_status = await start_session(
            db=db,
            settings=settings,
            limiter=limiter,
            body=body,
            origin=origin,
            client_address=request.client.host if request.client else None,
        )
    else:
        # Credentials are looked at only here: an embed start ignores any cookies the browser
        # may hold for this origin.
        principal = await authenticate(request, db, settings)
        if principal is None:
            raise AuthenticationRequired("Starting a session requires an embed_key or sign-in.")
        ctx = await resolve_org_context(
            db=db, principal=principal, requested=request.headers.get(ORG_HEADER)
        )
        authorize(ctx, request, Role.MEMBER)
        result, limit_status = await start_dashboard_session(
            db=db,
            settings=settings,
            limiter=limiter,
            body=body,
            organization_id=ctx.organization_id,
            principal_label=ctx.principal,
        )
    if limit_status is not None:
        response.headers.update(limit_status.headers())
    return result


def _encode_cursor(session: Session) -> str:
    raw = f"{session.created_at.isoformat()}|{session.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _, session_id = raw.partition("|")
        at = datetime.fromisoformat(created)
        if at.tzinfo is None:
            raise ValueError("naive")
        return at, uuid.UUID(session_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("The cursor is invalid.") from exc


@router.get("", name="list", response_model=SessionList)
async def list_sessions(
    db: DbDep,
    ctx: ViewerOrg,
    status_: Annotated[SessionStatus | None, Query(alias="status")] = None,
    template_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SessionList:
    """The organization's sessions, newest first, with filters and a ``next_cursor``."""
    for value in (since, until):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed("since and until need a time zone.")
    rows = await service.list_for_org(
        db=db,
        organization_id=ctx.organization_id,
        limit=limit + 1,
        status=status_,
        template_id=template_id,
        since=since,
        until=until,
        after=_decode_cursor(cursor) if cursor else None,
    )
    page = rows[:limit]
    return SessionList(
        items=[service.to_read(s) for s in page],
        next_cursor=_encode_cursor(page[-1]) if len(rows) > limit else None,
    )


@router.get("/{session_id}", name="read", response_model=SessionRead)
async def read(session: ReadableSession) -> SessionRead:
    """Status of a session. Auth: the session's participant token as bearer, or dashboard
    auth (viewer and up) in the session's organization; open in development and test."""
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

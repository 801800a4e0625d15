from __future__ import annotations

import base64
import csv
import io
import json
import secrets
import uuid
from datetime import datetime
from typing import Annotated, Literal

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
from troupe_api.core.config_events import flush_primes
from troupe_api.core.errors import AuthenticationRequired, Unauthorized, ValidationFailed
from troupe_api.core.livekit import verify_participant_token
from troupe_api.core.logging import bind_context
from troupe_api.core.settings import Settings
from troupe_api.deployments.errors import EmbedKeyInvalid
from troupe_api.deployments.models import Deployment
from troupe_api.deps import (
    ACCESS_COOKIE,
    ORG_HEADER,
    BearerDep,
    DbDep,
    LimiterDep,
    MemberOrg,
    RedisDep,
    SettingsDep,
    ViewerOrg,
    authenticate,
    authorize,
    resolve_org_context,
)
from troupe_api.flows.session_start import (
    issue_connection,
    start_dashboard_session,
    start_server_session,
    start_session,
)
from troupe_api.knowledge import service as knowledge
from troupe_api.organizations.models import Role
from troupe_api.sessions import lifecycle as session_lifecycle
from troupe_api.sessions import logs as session_logs
from troupe_api.sessions import reports as session_reports
from troupe_api.sessions import service
from troupe_api.sessions.errors import SessionEnded, SessionNotFound, SessionTokenInvalid
from troupe_api.sessions.models import Session
from troupe_api.sessions.schemas import (
    ReplayItem,
    ReplayKnowledgeChunk,
    SessionList,
    SessionLogRead,
    SessionReplay,
    SessionSummary,
    SessionUsageRow,
)
from troupe_api.usage import metering, prices

router = APIRouter(prefix="/sessions", tags=["sessions"])


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
    (viewers read, members refresh); never without a credential, in any mode."""
    has_cookie = ACCESS_COOKIE in request.cookies
    if credentials is None and not has_cookie:
        # The same rule in every mode: a session id alone is no credential.
        raise SessionTokenInvalid()
    if credentials is None or not _is_participant_token(settings, credentials.credentials):
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
    redis: RedisDep,
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
    await flush_primes(db, redis)
    if limit_status is not None:
        response.headers.update(limit_status.headers())
    return result


@router.post(
    "/server-start",
    name="server_start",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionStartResponse,
)
async def server_start(
    body: SessionStartRequest,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    redis: RedisDep,
    ctx: MemberOrg,
) -> SessionStartResponse:
    """Start a session of one of your deployments (``embed_key``) from your own backend, with
    an API key (``sessions:write``) or as a member: no Origin check, and your ``end_user_id``
    is trusted for the per-user limit. Hand the answer's ``connection`` to the browser. The
    only way to start a deployment with ``require_server_start``."""
    result, limit_status = await start_server_session(
        db=db,
        settings=settings,
        limiter=limiter,
        body=body,
        organization_id=ctx.organization_id,
        principal_label=ctx.principal,
    )
    await flush_primes(db, redis)
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
    end_user_id: Annotated[str | None, Query(max_length=128)] = None,
    agent: Annotated[str | None, Query(max_length=48)] = None,
) -> SessionList:
    """The organization's sessions, newest first, with filters and a ``next_cursor``.
    ``end_user_id`` matches a case-insensitive substring; ``agent`` (slug) keeps sessions in
    which that agent spoke, called a tool or was handed to."""
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
        end_user_id=end_user_id,
        agent=agent,
    )
    page = rows[:limit]
    return SessionList(
        items=[service.to_read(s) for s in page],
        next_cursor=_encode_cursor(page[-1]) if len(rows) > limit else None,
    )


@router.get("/{session_id}", name="read", response_model=SessionRead)
async def read(session: ReadableSession) -> SessionRead:
    """Status of a session. Auth: the session's participant token as bearer, or dashboard
    auth (viewer and up) in the session's organization."""
    return service.to_read(session)


@router.post("/{session_id}/token", name="refresh_token", response_model=SessionConnection)
async def refresh_token(
    session: RefreshableSession,
    settings: SettingsDep,
    db: DbDep,
    embed_key: Annotated[str | None, Query(max_length=128)] = None,
) -> SessionConnection:
    """A new participant token for the same identity and room; ``session_ended`` (409) once
    the session is over (a token would let the user, and the agent it dispatches, back in).
    With ``embed_key`` (the embed page joining a server-started session), the session must
    belong to that deployment (else ``embed_key_invalid``): a link cannot put one deployment's
    page in front of another's session."""
    if embed_key is not None:
        deployment = (
            await db.get(Deployment, session.deployment_id) if session.deployment_id else None
        )
        if deployment is None or not secrets.compare_digest(
            deployment.embed_key.encode(), embed_key.encode()
        ):
            raise EmbedKeyInvalid()
    if session.status not in session_lifecycle.OPEN_STATUSES:
        raise SessionEnded(details={"status": session.status})
    return issue_connection(settings, session=session)


LOG_KINDS = Literal[
    "message", "transition", "tool_call", "panel_event", "turn_metrics", "usage", "error"
]


@router.get("/{session_id}/log", name="read_log", response_model=SessionLogRead)
async def read_log(
    session: ReadableSession,
    db: DbDep,
    kind: Annotated[list[LOG_KINDS] | None, Query()] = None,
    agent: Annotated[str | None, Query(max_length=48)] = None,
    since_seq: Annotated[int | None, Query(ge=-1)] = None,
    cursor: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
) -> SessionLogRead:
    """The session's log entries in sequence order. Filters: ``kind`` (repeatable), ``agent``
    (speaker, tool caller, metrics owner or either side of a handoff), ``since_seq``
    (exclusive). With ``limit``, a ``next_cursor`` while more entries follow (pass it back as
    ``cursor``); without, every matching entry."""
    after = since_seq
    if cursor is not None:
        try:
            after = int(cursor)
        except ValueError as exc:
            raise ValidationFailed("The cursor is invalid.") from exc
    entries = await session_logs.query_log(
        db=db,
        session=session,
        kinds=list(kind) if kind else None,
        agent=agent,
        since_seq=after,
        limit=limit + 1 if limit is not None else None,
    )
    next_cursor = None
    if limit is not None and len(entries) > limit:
        entries = entries[:limit]
        next_cursor = str(entries[-1].seq)
    return SessionLogRead(
        session_id=session.id,
        complete=session.log_completed_at is not None,
        close_reason=session.close_reason,
        entries=entries,
        next_cursor=next_cursor,
    )


async def _org_session(session_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> Session:
    session = await service.get(db=db, organization_id=ctx.organization_id, session_id=session_id)
    if session is None:
        raise SessionNotFound()
    bind_context(org_id=session.organization_id, session_id=session.id)
    return session


OrgSession = Annotated[Session, Depends(_org_session)]


@router.get("/{session_id}/summary", name="summary", response_model=SessionSummary)
async def summary(session: OrgSession, db: DbDep) -> SessionSummary:
    """Duration, turns, agents in order of appearance, handoffs, tools (calls and errors),
    latency p50/p95 per stage from the turn metrics, usage and cost."""
    entries = await session_logs.query_log(db=db, session=session)
    rows = await metering.session_usage(db=db, session_id=session.id)
    cost = sum(r.cost_micros for r in rows)
    return SessionSummary.model_validate(
        {
            **session_reports.summarize(session, entries),
            "usage_rows": [SessionUsageRow.model_validate(r, from_attributes=True) for r in rows],
            "cost_micros": cost,
            "cost_usd": prices.micros_to_usd(cost),
        }
    )


@router.get("/{session_id}/replay", name="replay", response_model=SessionReplay)
async def replay(session: OrgSession, db: DbDep) -> SessionReplay:
    """One ordered timeline of the room's LiveKit events and the session's log entries;
    ``t_ms`` is relative to the room start (else the session's creation)."""
    entries = await session_logs.query_log(db=db, session=session)
    events = await session_logs.list_events(db=db, session=session)
    items = [ReplayItem.model_validate(i) for i in session_reports.replay(session, entries, events)]
    await _link_knowledge(db, session, items)
    return SessionReplay(
        session_id=session.id,
        started_at=session.started_at or session.created_at,
        items=items,
    )


async def _link_knowledge(db: DbDep, session: Session, items: list[ReplayItem]) -> None:
    """Each knowledge search's tool call gets the chunks it returned (document name, snippet,
    ids for links), looked up in the session organization's knowledge bases only."""
    wanted = {
        i.seq: knowledge.chunk_ids_in(i.data.get("result"))
        for i in items
        if i.kind == "tool_call" and i.data.get("tool") in knowledge.KNOWLEDGE_TOOLS
    }
    refs = await knowledge.chunk_refs(
        db=db,
        organization_id=session.organization_id,
        chunk_ids=[c for ids in wanted.values() for c in ids],
    )
    for item in items:
        if item.seq in wanted and item.source == "log":
            item.knowledge = [
                ReplayKnowledgeChunk.model_validate(refs[c], from_attributes=True)
                for c in wanted[item.seq]
                if c in refs
            ]


CSV_COLUMNS = ("seq", "ts", "kind", "agent", "role", "text", "tool", "error", "data")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: what the user said, or a tool's (external)
    error, starting like a formula gets a leading apostrophe (CSV formula injection)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


@router.get(
    "/{session_id}/export",
    name="export",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def export(
    session: OrgSession,
    db: DbDep,
    format_: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Response:
    """The session and its log as a download: JSON (session, summary, events, entries) or CSV
    (one row per log entry)."""
    entries = await session_logs.query_log(db=db, session=session)
    filename = f"session-{session.id}.{format_}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format_ == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for entry in entries:
            payload = entry.model_dump(mode="json")
            known = {k: payload.pop(k, None) for k in CSV_COLUMNS[:-1]}
            agent = known["agent"] or payload.pop("to_agent", None)
            writer.writerow(
                [
                    known["seq"],
                    known["ts"],
                    known["kind"],
                    _csv_cell(agent or ""),
                    known["role"] or "",
                    _csv_cell(known["text"] or ""),
                    _csv_cell(known["tool"] or ""),
                    _csv_cell(known["error"] or ""),
                    json.dumps(payload, sort_keys=True) if payload else "",
                ]
            )
        return Response(out.getvalue(), media_type="text/csv", headers=headers)
    events = await session_logs.list_events(db=db, session=session)
    document = {
        "format": "troupe.session",
        "version": 1,
        "session": service.to_read(session).model_dump(mode="json"),
        "summary": json.loads(json.dumps(session_reports.summarize(session, entries), default=str)),
        "events": [
            {
                "event_type": e.event_type,
                "at": (e.event_created_at or e.received_at).isoformat(),
                "participant_identity": e.participant_identity,
                "track_sid": e.track_sid,
            }
            for e in events
        ],
        "entries": [e.model_dump(mode="json") for e in entries],
    }
    return Response(json.dumps(document), media_type="application/json", headers=headers)

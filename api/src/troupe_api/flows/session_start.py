"""Start a session from a public embed key: deployment + origin check, rate limits, session row,
LiveKit participant token with explicit agent dispatch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import (
    RecordingNotice,
    SessionConnection,
    SessionStartRequest,
    SessionStartResponse,
    SessionStatus,
    TokenMetadata,
)

from troupe_api.core.config_events import defer_prime
from troupe_api.core.errors import DeploymentConcurrentSessions, Unauthorized, ValidationFailed
from troupe_api.core.livekit import mint_participant_token, new_user_identity
from troupe_api.core.logging import bind_context, get_logger
from troupe_api.core.ratelimit import RateLimiter, RateLimitStatus
from troupe_api.core.settings import Settings
from troupe_api.deployments import service as deployments
from troupe_api.deployments.errors import EmbedKeyInvalid, ServerStartRequired
from troupe_api.deployments.models import Deployment
from troupe_api.experiments import service as experiments
from troupe_api.flows import session_variables
from troupe_api.flows.session_config import resolve_config
from troupe_api.observability.tracing import current_trace_context
from troupe_api.organizations.models import Organization
from troupe_api.recordings.schemas import consent_text
from troupe_api.sessions import service as sessions
from troupe_api.sessions.errors import SessionConfigInvalid, SessionNotJoinable
from troupe_api.sessions.models import Session
from troupe_api.templates import service as templates
from troupe_api.templates.errors import TemplateNotAllowed, TemplateNotFound
from troupe_api.templates.models import SessionTemplate
from troupe_api.usage.errors import QuotaConcurrentSessions, QuotaSessionsPerDay, TrialExpired
from troupe_api.usage.plans import limits_for

log = get_logger(__name__)


async def start_session(
    *,
    db: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    body: SessionStartRequest,
    origin: str | None,
    client_address: str | None,
) -> tuple[SessionStartResponse, RateLimitStatus | None]:
    if not body.embed_key:
        # Dashboard-authenticated starts (template_id without embed key) arrive with the auth issue.
        raise Unauthorized("Starting a session requires an embed_key.")
    deployment = await deployments.resolve_embed_key(db=db, embed_key=body.embed_key, origin=origin)
    if deployment.require_server_start:
        raise ServerStartRequired()
    if body.template_id is not None and body.template_id != deployment.template_id:
        raise TemplateNotAllowed()
    org_id = deployment.organization_id
    bind_context(org_id=org_id)

    await limiter.hit(settings.rate_limit_session_start_org, "session_start_org", str(org_id))
    await limiter.hit(
        settings.rate_limit_session_start_deployment, "session_start_deployment", str(deployment.id)
    )
    # Keyed on what the server observes (the client address, behind trusted proxies as
    # TROUPE_FORWARDED_ALLOW_IPS says), never on the client-chosen end_user_id: rotating that
    # would give an attacker a fresh budget per request.
    status = await limiter.hit(
        settings.rate_limit_session_start,
        "session_start",
        str(deployment.id),
        f"ip:{client_address or 'unknown'}",
    )

    template = await templates.get(
        db=db, organization_id=org_id, template_id=deployment.template_id
    )
    if template is None:
        raise SessionConfigInvalid("The deployment's template no longer exists.")
    response = await _create_session(
        db=db,
        settings=settings,
        template=template,
        deployment_id=deployment.id,
        body=body,
    )
    return response, status


async def start_server_session(
    *,
    db: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    body: SessionStartRequest,
    organization_id: uuid.UUID,
    principal_label: str,
) -> tuple[SessionStartResponse, RateLimitStatus | None]:
    """A session of a deployment started by the customer's own backend (an API key or a member
    of the deployment's organization): no Origin check, and the backend's ``end_user_id`` is
    trusted for the per-user limit. The only way to start a ``require_server_start``
    deployment; the answer's connection details are handed to the browser."""
    if not body.embed_key:
        raise ValidationFailed("embed_key is required.")
    deployment = await deployments.resolve_embed_key(
        db=db, embed_key=body.embed_key, origin=None, check_origin=False
    )
    if deployment.organization_id != organization_id:
        raise EmbedKeyInvalid()
    if body.template_id is not None and body.template_id != deployment.template_id:
        raise TemplateNotAllowed()
    bind_context(org_id=organization_id)
    await limiter.hit(
        settings.rate_limit_session_start_org, "session_start_org", str(organization_id)
    )
    await limiter.hit(
        settings.rate_limit_session_start_deployment, "session_start_deployment", str(deployment.id)
    )
    status = await limiter.hit(
        settings.rate_limit_session_start,
        "session_start_server",
        principal_label,
        f"u:{body.end_user_id or '-'}",
    )
    template = await templates.get(
        db=db, organization_id=organization_id, template_id=deployment.template_id
    )
    if template is None:
        raise SessionConfigInvalid("The deployment's template no longer exists.")
    response = await _create_session(
        db=db, settings=settings, template=template, deployment_id=deployment.id, body=body
    )
    return response, status


async def start_dashboard_session(
    *,
    db: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    body: SessionStartRequest,
    organization_id: uuid.UUID,
    principal_label: str,
) -> tuple[SessionStartResponse, RateLimitStatus | None]:
    """A test session started by a dashboard user (or API key) of the template's organization:
    no embed key and no Origin check; the caller's authorization was checked by the route."""
    if body.template_id is None:
        raise ValidationFailed("template_id is required without an embed_key.")
    bind_context(org_id=organization_id)
    await limiter.hit(
        settings.rate_limit_session_start_org, "session_start_org", str(organization_id)
    )
    status = await limiter.hit(
        settings.rate_limit_session_start, "session_start_dashboard", principal_label
    )
    template = await templates.get(
        db=db, organization_id=organization_id, template_id=body.template_id
    )
    if template is None:
        raise TemplateNotFound()
    end_user_id = body.end_user_id or principal_label
    response = await _create_session(
        db=db,
        settings=settings,
        template=template,
        deployment_id=None,
        body=body.model_copy(update={"end_user_id": end_user_id[:128]}),
    )
    return response, status


async def _create_session(
    *,
    db: AsyncSession,
    settings: Settings,
    template: SessionTemplate,
    deployment_id: uuid.UUID | None,
    body: SessionStartRequest,
) -> SessionStartResponse:
    org_id = template.organization_id
    # Refused before anything is counted or stored.
    variables = session_variables.resolve(
        session_variables.declared(template.variables), body.variables
    )
    # Refuse now, with the reasons, rather than letting the agent fail in an empty room. The
    # resolved config also applies the template's environment override. Resolved before the
    # organization's row lock (a read): the lock then covers only the counts and the new row,
    # so concurrent starts of one organization wait for milliseconds, not for the config.
    session_id = uuid.uuid4()
    arm = experiments.assign(template)
    config = await resolve_config(
        db=db,
        settings=settings,
        organization_id=org_id,
        template_id=template.id,
        session_id=session_id,
        arm=arm,
        variables=variables,
        template=template,
    )
    await enforce_quotas(db=db, settings=settings, organization_id=org_id)
    if deployment_id is not None:
        await enforce_deployment_cap(db=db, settings=settings, deployment_id=deployment_id)
    identity = new_user_identity()
    session = await sessions.create(
        db=db,
        organization_id=org_id,
        template_id=template.id,
        deployment_id=deployment_id,
        end_user_id=body.end_user_id,
        participant_identity=identity,
        metadata={},
        session_id=session_id,
    )
    session.experiment_arm = arm
    session.variables = dict(variables)
    metadata = TokenMetadata(
        session_id=session.id,
        organization_id=org_id,
        template_id=template.id,
        user_id=body.end_user_id or identity,
        modality_profile=config.modality_profile,
        enabled_panels=config.enabled_panels,
        trace_context=current_trace_context(),
    )
    session.metadata_ = metadata.model_dump(mode="json")
    await db.commit()
    defer_prime(db, config)  # the runtime's first job reads it from Redis (the route writes it)
    bind_context(session_id=session.id, room=session.room_name)
    log.info("session_created", template_id=str(template.id))

    connection = issue_connection(settings, session=session, display_name=body.display_name)
    return SessionStartResponse(
        session=sessions.to_read(session),
        connection=connection,
        modality_profile=metadata.modality_profile,
        enabled_panels=metadata.enabled_panels,
        recording=RecordingNotice(
            enabled=config.record_audio,
            consent_text=consent_text(config.recording_consent_text) if config.record_audio else "",
        ),
    )


def issue_connection(
    settings: Settings, *, session: Session, display_name: str | None = None
) -> SessionConnection:
    """A fresh participant token for the session's (one) end-user identity."""
    try:
        metadata = TokenMetadata.model_validate(session.metadata_)
    except ValidationError as exc:
        # A session row that was never started through a start flow has nobody to admit.
        raise SessionNotJoinable() from exc
    token = mint_participant_token(
        settings,
        identity=session.participant_identity,
        room_name=session.room_name,
        metadata=metadata,
        display_name=display_name,
    )
    return SessionConnection(
        session_id=session.id,
        room_name=session.room_name,
        livekit_url=settings.livekit_url,
        participant_token=token.jwt,
        participant_identity=session.participant_identity,
        token_expires_at=token.expires_at,
    )


def _open_horizon(settings: Settings, now: datetime) -> datetime:
    """A created session whose token (and refresh grace) expired can no longer join: older
    ``created`` rows hold no slot (the sweeper later marks them abandoned)."""
    return now - timedelta(
        seconds=settings.livekit_token_ttl_s + settings.livekit_token_refresh_grace_s
    )


async def enforce_deployment_cap(
    *, db: AsyncSession, settings: Settings, deployment_id: uuid.UUID
) -> None:
    """The deployment's ``max_concurrent_sessions``: its open sessions (active, or created and
    still joinable) against the cap. Ended sessions (completed, failed, abandoned) free their
    slot. Called after ``enforce_quotas`` locked the organization row, so concurrent starts of
    one deployment are counted one after the other."""
    cap = await db.scalar(
        select(Deployment.max_concurrent_sessions).where(Deployment.id == deployment_id)
    )
    if cap is None:
        return
    horizon = _open_horizon(settings, datetime.now(UTC))
    running = int(
        await db.scalar(
            select(func.count())
            .select_from(Session)
            .where(
                Session.deployment_id == deployment_id,
                or_(
                    Session.status == SessionStatus.ACTIVE.value,
                    (Session.status == SessionStatus.CREATED.value)
                    & (Session.created_at >= horizon),
                ),
            )
        )
        or 0
    )
    if running >= cap:
        raise DeploymentConcurrentSessions(details={"limit": cap}, headers={"Retry-After": "30"})


async def enforce_quotas(
    *, db: AsyncSession, settings: Settings, organization_id: uuid.UUID
) -> None:
    """Trial, sessions per (UTC) day and concurrent sessions of the organization's plan.
    The organization row is locked until the new session commits, so concurrent starts of
    one organization are counted one after the other."""
    org = await db.get(Organization, organization_id, with_for_update=True)
    if org is None:
        return
    now = datetime.now(UTC)
    limits = limits_for(org, now=now)
    if limits.trial_expired:
        raise TrialExpired(details={"trial_ends_at": limits.trial_ends_at})
    if limits.sessions_per_day is not None:
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        started = await sessions.count_started_since(
            db=db, organization_id=organization_id, since=day
        )
        if started >= limits.sessions_per_day:
            retry = int((day + timedelta(days=1) - now).total_seconds()) + 1
            raise QuotaSessionsPerDay(
                details={"limit": limits.sessions_per_day, "plan": limits.plan},
                headers={"Retry-After": str(retry)},
            )
    if limits.concurrent_sessions is not None:
        running = await sessions.count_open_sessions(
            db=db, organization_id=organization_id, created_after=_open_horizon(settings, now)
        )
        if running >= limits.concurrent_sessions:
            raise QuotaConcurrentSessions(
                details={"limit": limits.concurrent_sessions, "plan": limits.plan},
                headers={"Retry-After": "30"},
            )

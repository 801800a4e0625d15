"""Post-session analysis, experiments: ``GET /sessions/{id}/analysis`` and the per-template
analysis/experiment configuration and results (viewer reads, member writes)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter

from troupe_api.analysis import service
from troupe_api.analysis.schemas import AnalysisConfig, AnalysisRead
from troupe_api.core.config_events import publish_invalidations
from troupe_api.core.errors import ValidationFailed
from troupe_api.deps import DbDep, MemberOrg, RedisDep, SettingsDep, ViewerOrg
from troupe_api.experiments import service as experiments
from troupe_api.experiments.schemas import ExperimentConfig, ExperimentResults
from troupe_api.flows.session_config import resolve_config
from troupe_api.sessions import service as sessions
from troupe_api.sessions.errors import SessionConfigInvalid, SessionNotFound
from troupe_api.templates import service as templates
from troupe_api.templates.analytics import TemplateAnalytics, analytics
from troupe_api.templates.errors import SessionTemplateNotFound
from troupe_api.templates.models import SessionTemplate

sessions_router = APIRouter(prefix="/sessions", tags=["sessions"])
templates_router = APIRouter(prefix="/session-templates", tags=["templates"])


@sessions_router.get("/{session_id}/analysis", name="analysis", response_model=AnalysisRead)
async def read_analysis(session_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> AnalysisRead:
    """Extracted fields and success criteria of the session (``status`` pending while the
    job has not run; ``failed`` after its retries; ``none`` with empty fields when the session
    has no analysis: an empty state, not a 404)."""
    session = await sessions.get(db=db, organization_id=ctx.organization_id, session_id=session_id)
    if session is None:
        raise SessionNotFound()
    row = await service.get(db=db, organization_id=ctx.organization_id, session_id=session_id)
    if row is None:
        return AnalysisRead(
            session_id=session.id,
            template_id=session.template_id,
            status="none",
            extractor=None,
            fields={},
            criteria=[],
            success=None,
            attempts=0,
            error=None,
            created_at=session.created_at,
            completed_at=None,
        )
    return service.to_read(row)


async def _template(
    db: DbDep, organization_id: uuid.UUID, template_id: uuid.UUID
) -> SessionTemplate:
    template = await templates.get(db=db, organization_id=organization_id, template_id=template_id)
    if template is None:
        raise SessionTemplateNotFound()
    return template


@templates_router.get(
    "/{template_id}/analysis",
    name="get_analysis_config",
    response_model=AnalysisConfig,
    response_model_exclude_unset=True,
)
async def get_analysis_config(template_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> AnalysisConfig:
    template = await _template(db, ctx.organization_id, template_id)
    return AnalysisConfig.model_validate(template.analysis_config or {})


@templates_router.put(
    "/{template_id}/analysis",
    name="set_analysis_config",
    response_model=AnalysisConfig,
    response_model_exclude_unset=True,
)
async def set_analysis_config(
    template_id: uuid.UUID, body: AnalysisConfig, db: DbDep, ctx: MemberOrg
) -> AnalysisConfig:
    """The JSON Schema of fields to extract after each session and the success criteria
    (``{}`` turns analysis off)."""
    template = await _template(db, ctx.organization_id, template_id)
    template.analysis_config = body.dump()
    await db.commit()
    return AnalysisConfig.model_validate(template.analysis_config)


@templates_router.get(
    "/{template_id}/experiment", name="get_experiment", response_model=ExperimentConfig
)
async def get_experiment(template_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> ExperimentConfig:
    template = await _template(db, ctx.organization_id, template_id)
    return experiments.config_of(template) or ExperimentConfig(enabled=False)


@templates_router.put(
    "/{template_id}/experiment", name="set_experiment", response_model=ExperimentConfig
)
async def set_experiment(
    template_id: uuid.UUID,
    body: ExperimentConfig,
    db: DbDep,
    ctx: MemberOrg,
    settings: SettingsDep,
    redis: RedisDep,
) -> ExperimentConfig:
    """Arms (two or more, weights, agent set and version pins each). Every arm must resolve to
    a runnable config, else ``session_config_invalid`` names the problems per arm."""
    template = await _template(db, ctx.organization_id, template_id)
    problems: list[str] = []
    for arm in body.arms:
        try:
            await resolve_config(
                db=db,
                settings=settings,
                organization_id=ctx.organization_id,
                template_id=template.id,
                session_id=uuid.uuid4(),
                arm_spec=arm,
            )
        except SessionConfigInvalid as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            problems += [f"arm {arm.name!r}: {p}" for p in details.get("problems", [exc.message])]
    if problems:
        raise SessionConfigInvalid(details={"problems": problems})
    template.experiment = body.model_dump(mode="json")
    await db.commit()
    await publish_invalidations(redis, [template.id])
    return body


@templates_router.get(
    "/{template_id}/experiment/results",
    name="experiment_results",
    response_model=ExperimentResults,
)
async def experiment_results(
    template_id: uuid.UUID, db: DbDep, ctx: ViewerOrg
) -> ExperimentResults:
    """Per arm: sessions, completion rate (analysis criteria), duration, turn latency
    p50/p95, handoffs, tool errors, cost per session."""
    template = await _template(db, ctx.organization_id, template_id)
    return await experiments.results(db=db, template=template)


@templates_router.get(
    "/{template_id}/analytics", name="template_analytics", response_model=TemplateAnalytics
)
async def template_analytics(
    template_id: uuid.UUID,
    db: DbDep,
    ctx: ViewerOrg,
    since: datetime | None = None,
    until: datetime | None = None,
) -> TemplateAnalytics:
    """The template's sessions between ``since`` (default 30 days ago) and ``until`` (now):
    how many, how they ended (completion rate), duration, turn latency p50/p95, handoffs,
    tool calls and errors, cost, and sessions per UTC day."""
    template = await _template(db, ctx.organization_id, template_id)
    until = until or datetime.now(UTC)
    since = since or until - timedelta(days=30)
    if since.tzinfo is None or until.tzinfo is None:
        raise ValidationFailed("since and until need a time zone.")
    if since >= until or until - since > timedelta(days=366):
        raise ValidationFailed("since must be before until, at most 366 days apart.")
    return await analytics(
        db=db,
        organization_id=ctx.organization_id,
        template_id=template.id,
        since=since,
        until=until,
    )

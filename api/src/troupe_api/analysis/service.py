"""Post-session analysis: extract the template's fields from the transcript and judge its
success criteria. Requested when the runtime's final log batch arrives (and, later, on
room_finished as a fallback); run by the ``analyze_session`` job, which retries."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.log import LogEntry, MessageEntry, ToolCallEntry, TransitionEntry

from troupe_api.analysis.extractors import Extractor, LLMExtractor, RuleExtractor
from troupe_api.analysis.models import SessionAnalysis
from troupe_api.analysis.schemas import AnalysisConfig, AnalysisRead, Criterion, CriterionResult
from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks import service as endpoints
from troupe_api.jobs.queue import JobRequest, defer
from troupe_api.sessions import logs as session_logs
from troupe_api.sessions.models import Session
from troupe_api.templates.models import SessionTemplate

log = get_logger(__name__)

JOB = "analyze_session"
MAX_ATTEMPTS = 4
RETRY_DELAY_S = 30.0
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"


def config_of(template: SessionTemplate | None) -> AnalysisConfig | None:
    if template is None or not template.analysis_config:
        return None
    config = AnalysisConfig.model_validate(template.analysis_config)
    return config if config.enabled else None


def extractor_for(settings: Settings) -> Extractor:
    mode = settings.analysis_extractor
    if mode == "llm" or (mode == "auto" and settings.openai_api_key):
        return LLMExtractor(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or OPENAI_DEFAULT_BASE_URL,
            model=settings.analysis_model,
        )
    return RuleExtractor()


async def request_analysis(
    *, db: AsyncSession, session: Session, delay_s: float = 0.0
) -> SessionAnalysis | None:
    """Mark the session's analysis pending and defer the job (after commit). None when the
    session's template defines no analysis."""
    template = await db.get(SessionTemplate, session.template_id) if session.template_id else None
    if config_of(template) is None:
        return None
    await db.execute(
        insert(SessionAnalysis)
        .values(
            id=uuid.uuid4(),
            organization_id=session.organization_id,
            session_id=session.id,
            template_id=session.template_id,
            status="pending",
        )
        .on_conflict_do_update(
            index_elements=["session_id"], set_={"status": "pending", "attempts": 0}
        )
    )
    scheduled = datetime.now(UTC) + timedelta(seconds=delay_s) if delay_s else None
    defer(
        db,
        JobRequest(
            JOB,
            kwargs={"session_id": str(session.id)},
            scheduled=scheduled,
            retries=MAX_ATTEMPTS,
            retry_delay_s=RETRY_DELAY_S,
            timeout_s=180,
        ),
    )
    return await get(db=db, organization_id=session.organization_id, session_id=session.id)


async def get(
    *, db: AsyncSession, organization_id: uuid.UUID, session_id: uuid.UUID
) -> SessionAnalysis | None:
    return await db.scalar(
        select(SessionAnalysis).where(
            SessionAnalysis.organization_id == organization_id,
            SessionAnalysis.session_id == session_id,
        )
    )


def evaluate(
    criteria: Sequence[Criterion], fields: dict[str, Any], entries: Sequence[LogEntry]
) -> list[CriterionResult]:
    reached = {e.to_agent for e in entries if isinstance(e, TransitionEntry)}
    reached |= {e.agent for e in entries if isinstance(e, MessageEntry) and e.agent}
    tools_ok = {e.tool for e in entries if isinstance(e, ToolCallEntry) and not e.error}
    results: list[CriterionResult] = []
    for c in criteria:
        if c.agent_reached is not None:
            results.append(
                CriterionResult(
                    criterion=c.label(), passed=c.agent_reached in reached, actual=sorted(reached)
                )
            )
        elif c.tool_called is not None:
            results.append(
                CriterionResult(
                    criterion=c.label(), passed=c.tool_called in tools_ok, actual=sorted(tools_ok)
                )
            )
        else:
            actual = fields.get(c.field or "")
            if c.in_ is not None:
                passed = actual in c.in_
            elif "equals" in c.model_fields_set:
                passed = actual == c.equals
            else:
                passed = actual is not None
            results.append(CriterionResult(criterion=c.label(), passed=passed, actual=actual))
    return results


def to_read(row: SessionAnalysis) -> AnalysisRead:
    return AnalysisRead(
        session_id=row.session_id,
        template_id=row.template_id,
        status=row.status,
        extractor=row.extractor,
        fields=row.fields or {},
        criteria=[CriterionResult.model_validate(c) for c in row.criteria or []],
        success=row.success,
        attempts=row.attempts,
        error=row.error,
        created_at=row.created_at,
        completed_at=row.completed_at,
    )


async def run_analysis(
    *,
    db: AsyncSession,
    settings: Settings,
    session_id: uuid.UUID,
    extractor: Extractor | None = None,
    final_attempt: bool = False,
) -> SessionAnalysis | None:
    """Analyse the session now and store the result (committed). Raises when extraction
    fails, after recording the error, so the job retries; ``final_attempt`` marks it failed."""
    # populate_existing: a long-lived session must see the template's current analysis config.
    session = await db.get(Session, session_id, populate_existing=True)
    if session is None:
        return None
    template = (
        await db.get(SessionTemplate, session.template_id, populate_existing=True)
        if session.template_id
        else None
    )
    config = config_of(template)
    row = await get(db=db, organization_id=session.organization_id, session_id=session.id)
    if config is None:
        return row
    if row is None:
        row = SessionAnalysis(
            organization_id=session.organization_id,
            session_id=session.id,
            template_id=session.template_id,
            status="pending",
            attempts=0,
        )
        db.add(row)
    extractor = extractor or extractor_for(settings)
    entries = await session_logs.list_log(
        db=db, organization_id=session.organization_id, session_id=session.id
    )
    row.attempts = (row.attempts or 0) + 1
    row.extractor = extractor.name
    try:
        fields = await extractor.extract(config.schema_, entries)
    except Exception as exc:
        row.error = f"{type(exc).__name__}: {exc}"[:1000]
        row.status = "failed" if final_attempt or row.attempts >= MAX_ATTEMPTS else "pending"
        await db.commit()
        log.warning("analysis_failed", session_id=str(session.id), attempts=row.attempts)
        raise
    results = evaluate(config.criteria, fields, entries)
    row.fields = fields
    row.criteria = [r.model_dump(mode="json") for r in results]
    row.success = all(r.passed for r in results) if results else None
    row.status = "completed"
    row.error = None
    row.completed_at = datetime.now(UTC)
    await db.flush()
    await db.refresh(row)
    read = to_read(row).model_dump(mode="json")
    digest = hashlib.sha256(
        json.dumps([read["fields"], read["criteria"]], sort_keys=True).encode()
    ).hexdigest()[:16]
    await endpoints.emit(
        db=db,
        organization_id=session.organization_id,
        event_type=endpoints.ANALYSIS_COMPLETED,
        key=f"{session.id}:{digest}",
        data=read,
    )
    await db.commit()
    log.info("analysis_completed", session_id=str(session.id), success=row.success)
    return row

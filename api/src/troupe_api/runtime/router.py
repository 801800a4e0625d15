"""Endpoints for the agent runtime, authenticated by its service token."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from troupe_contracts.config import SessionConfig
from troupe_contracts.log import SessionLogBatch

from troupe_api.analysis import service as analysis
from troupe_api.core.logging import bind_context
from troupe_api.deps import DbDep, JobsDep, RuntimeAuth, SettingsDep
from troupe_api.flows.session_config import build_session_config
from troupe_api.jobs.queue import flush
from troupe_api.organizations.models import Organization
from troupe_api.sessions import lifecycle as session_lifecycle
from troupe_api.sessions import logs as session_logs
from troupe_api.sessions import service as sessions
from troupe_api.sessions.errors import SessionEnded, SessionNotFound
from troupe_api.sessions.models import Session
from troupe_api.sessions.schemas import SessionLogIngestResult
from troupe_api.usage import metering

router = APIRouter(prefix="/runtime", tags=["runtime"], dependencies=[RuntimeAuth])


async def _session(db: DbDep, session_id: uuid.UUID) -> Session:
    session = await sessions.get_unscoped(db=db, session_id=session_id)
    if session is None:
        raise SessionNotFound()
    bind_context(org_id=session.organization_id, session_id=session.id)
    return session


@router.get("/session-config/{session_id}", name="session_config", response_model=SessionConfig)
async def session_config(session_id: uuid.UUID, db: DbDep, settings: SettingsDep) -> SessionConfig:
    """The resolved configuration (template + agents) of a session; ``session_ended`` (409)
    once it is over, so a late or replayed agent dispatch does not run it again."""
    session = await _session(db, session_id)
    if session.status not in session_lifecycle.OPEN_STATUSES:
        raise SessionEnded(details={"status": session.status})
    return await build_session_config(db=db, settings=settings, session=session)


@router.post("/sessions/{session_id}/log", name="ingest_log", response_model=SessionLogIngestResult)
async def ingest_log(
    session_id: uuid.UUID, batch: SessionLogBatch, db: DbDep, jobs: JobsDep
) -> SessionLogIngestResult:
    """Store a batch of log entries. Idempotent: entries whose seq is already stored are
    counted as duplicate. ``final`` marks the session's log complete and requests the
    post-session analysis. Organizations with ``redact_pii`` get emails, phone and card
    numbers replaced before anything is stored."""
    session = await _session(db, session_id)
    org = await db.get(Organization, session.organization_id)
    first_final = batch.final and session.log_completed_at is None
    accepted, duplicate = await session_logs.ingest_log(
        db=db, session=session, batch=batch, redact=bool(org and org.redact_pii)
    )
    if accepted and any(entry.kind == "usage" for entry in batch.entries):
        await metering.finalize_session_usage(db=db, session=session)
    if first_final:
        await analysis.request_analysis(db=db, session=session)
    await db.commit()
    await flush(db, jobs)
    return SessionLogIngestResult(accepted=accepted, duplicate=duplicate, final=batch.final)

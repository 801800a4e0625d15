"""The saq worker: ``troupe-api worker``. Jobs run on Redis (``REDIS_URL``), so any number of
workers share the schedule (saq's cron jobs are unique per queue)."""

from __future__ import annotations

import uuid
from typing import Any

from livekit import api as lk
from saq import CronJob, Queue, Worker
from saq.types import Context as SaqContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from troupe_api.core.crypto import SecretBox
from troupe_api.core.db import create_engine, create_session_factory
from troupe_api.core.livekit import create_livekit_api
from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings, get_settings
from troupe_api.core.storage import get_storage
from troupe_api.jobs import tasks
from troupe_api.jobs.queue import (  # noqa: F401  (QUEUE_NAME re-exported)
    QUEUE_NAME,
    SaqJobQueue,
    create_queue,
    flush,
)
from troupe_api.knowledge import service as knowledge
from troupe_api.knowledge.limits import limits_for
from troupe_api.knowledge.models import KnowledgeDocument
from troupe_api.organizations.models import Organization
from troupe_api.outbox import service as outbox
from troupe_api.sessions import agent_loss
from troupe_api.usage import notify as usage_notify

log = get_logger(__name__)


class Context(SaqContext, total=False):
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    livekit: lk.LiveKitAPI


async def startup(ctx: Context) -> None:
    settings = ctx.get("settings") or get_settings()
    engine = create_engine(settings)
    ctx["settings"] = settings
    ctx["engine"] = engine
    ctx["session_factory"] = create_session_factory(engine)
    ctx["livekit"] = create_livekit_api(settings, timeout_s=10.0)


async def shutdown(ctx: Context) -> None:
    if "livekit" in ctx:
        await ctx["livekit"].aclose()
    if "engine" in ctx:
        await ctx["engine"].dispose()


SLOW_JOB_S = 10.0
"""A job that ran longer than this is logged at info (routine job lines are debug)."""


def log_slow_job(ctx: Context, *, slow_after_s: float = SLOW_JOB_S) -> None:
    job = ctx.get("job")
    if job is None or not job.started or not job.completed:
        return
    duration_s = (job.completed - job.started) / 1000
    if duration_s >= slow_after_s:
        log.info(
            "job_slow",
            function=job.function,
            duration_s=round(duration_s, 3),
            status=str(job.status),
            attempts=job.attempts,
        )


async def _after_process(ctx: Context) -> None:
    log_slow_job(ctx)


async def sweep_orphaned_sessions(ctx: Context) -> dict[str, Any]:
    async with ctx["session_factory"]() as db:
        result = await tasks.sweep_orphaned_sessions(db=db, livekit=ctx["livekit"])
    return result.as_dict()


async def end_session_if_user_left(ctx: Context, *, session_id: str) -> bool:
    async with ctx["session_factory"]() as db:
        ended = await tasks.end_session_if_user_left(
            db=db, livekit=ctx["livekit"], session_id=uuid.UUID(session_id)
        )
        await flush(db, _jobs(ctx))
    return ended


async def fail_session_if_agent_lost(ctx: Context, *, session_id: str) -> bool:
    async with ctx["session_factory"]() as db:
        failed = await agent_loss.fail_session_if_agent_lost(
            db=db, livekit=ctx["livekit"], session_id=uuid.UUID(session_id)
        )
        await flush(db, _jobs(ctx))
    return failed


async def purge_expired_session_data(ctx: Context) -> dict[str, Any]:
    async with ctx["session_factory"]() as db:
        result = await tasks.purge_expired_session_data(db=db, storage=get_storage(ctx["settings"]))
    return result.as_dict()


async def check_usage_alerts(ctx: Context) -> int:
    async with ctx["session_factory"]() as db:
        created = await tasks.check_usage_alerts(db=db)
        await flush(db, _jobs(ctx))
    return created


async def send_usage_alert_email(ctx: Context, *, alert_id: int) -> int:
    async with ctx["session_factory"]() as db:
        sent = await usage_notify.send_email(db=db, settings=ctx["settings"], alert_id=alert_id)
        await flush(db, _jobs(ctx))  # the messages' own send_email jobs (SMTP)
    return sent


async def send_email(ctx: Context, *, email_id: str) -> str | None:
    async with ctx["session_factory"]() as db:
        row = await outbox.deliver(db=db, settings=ctx["settings"], email_id=uuid.UUID(email_id))
        await flush(db, _jobs(ctx))  # the next attempt, after a failure
    return row.status if row is not None else None


async def retry_due_emails(ctx: Context) -> int:
    async with ctx["session_factory"]() as db:
        count = await outbox.retry_due_emails(db=db, settings=ctx["settings"])
        await flush(db, _jobs(ctx))
    return count


def _jobs(ctx: Context) -> SaqJobQueue:
    return SaqJobQueue(ctx["worker"].queue)


async def analyze_session(ctx: Context, *, session_id: str) -> dict[str, Any]:
    job = ctx.get("job")
    final = job is not None and job.attempts >= job.retries
    async with ctx["session_factory"]() as db:
        result = await tasks.analyze_session(
            db=db, settings=ctx["settings"], session_id=uuid.UUID(session_id), final_attempt=final
        )
        await flush(db, _jobs(ctx))
    return result


async def deliver_webhook(ctx: Context, *, delivery_id: str) -> dict[str, Any]:
    async with ctx["session_factory"]() as db:
        result = await tasks.deliver_webhook(
            db=db, settings=ctx["settings"], delivery_id=uuid.UUID(delivery_id)
        )
        await flush(db, _jobs(ctx))
    return result


async def retry_due_webhook_deliveries(ctx: Context) -> int:
    async with ctx["session_factory"]() as db:
        count = await tasks.retry_due_webhook_deliveries(db=db, settings=ctx["settings"])
        await flush(db, _jobs(ctx))
    return count


async def analyze_stale_sessions(ctx: Context) -> int:
    async with ctx["session_factory"]() as db:
        count = await tasks.analyze_stale_sessions(db=db, settings=ctx["settings"])
        await flush(db, _jobs(ctx))
    return count


async def ingest_knowledge_document(ctx: Context, *, document_id: str) -> dict[str, Any]:
    job = ctx.get("job")
    final = job is None or job.attempts >= job.retries
    async with ctx["session_factory"]() as db:
        doc = await db.get(KnowledgeDocument, uuid.UUID(document_id))
        org = await db.get(Organization, doc.organization_id) if doc else None
        result = await knowledge.ingest_document(
            db=db,
            storage=get_storage(ctx["settings"]),
            document_id=uuid.UUID(document_id),
            max_pdf_pages=limits_for(org.plan if org else "free").max_pdf_pages,
            final_attempt=final,
            box=SecretBox.from_settings(ctx["settings"]),
        )
    return {"status": result.status, "chunks": result.chunks, "error_code": result.error_code}


FUNCTIONS: list[Any] = [
    sweep_orphaned_sessions,
    end_session_if_user_left,
    fail_session_if_agent_lost,
    purge_expired_session_data,
    check_usage_alerts,
    send_usage_alert_email,
    send_email,
    retry_due_emails,
    analyze_session,
    deliver_webhook,
    retry_due_webhook_deliveries,
    analyze_stale_sessions,
    ingest_knowledge_document,
]
CRON_JOBS = [
    CronJob(retry_due_webhook_deliveries, cron="* * * * *", timeout=55),
    CronJob(retry_due_emails, cron="* * * * *", timeout=55),
    CronJob(analyze_stale_sessions, cron="*/10 * * * *", timeout=540),
    CronJob(sweep_orphaned_sessions, cron="*/5 * * * *", timeout=240),
    CronJob(check_usage_alerts, cron="*/15 * * * *", timeout=600),
    CronJob(purge_expired_session_data, cron="17 3 * * *", timeout=3600),
]


def create_worker(
    settings: Settings, *, queue: Queue | None = None, cron: bool = True, **kwargs: Any
) -> Worker[Context]:
    async def _startup(ctx: Context) -> None:
        ctx["settings"] = settings
        await startup(ctx)

    return Worker(
        queue or create_queue(settings),
        functions=FUNCTIONS,
        cron_jobs=CRON_JOBS if cron else None,
        startup=_startup,
        shutdown=shutdown,
        after_process=_after_process,
        concurrency=4,
        **kwargs,
    )


async def run_worker(settings: Settings) -> None:
    worker = create_worker(settings)
    await worker.queue.connect()
    try:
        await worker.start()
    finally:
        await worker.queue.disconnect()

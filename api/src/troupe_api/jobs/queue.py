"""Enqueueing background jobs from request handlers and jobs.

Work is always recorded in the database first (a pending analysis, a pending delivery), then a
job is *deferred* on the DB session (``defer``) and enqueued once the transaction committed
(``flush``). A lost enqueue only delays the work: cron sweepers pick up what is due.
The app holds a ``SaqJobQueue``; tests swap in a ``MemoryJobQueue`` that only records."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from saq import Queue
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings

log = get_logger(__name__)

_DEFERRED = "troupe_deferred_jobs"
QUEUE_NAME = "troupe"


ROUTINE_JOB_MESSAGES = frozenset({"Enqueuing %s", "Processing %s", "Finished %s", "Scheduled %s"})
"""saq's info lines for every job it enqueues, runs and finishes: each cron job writes them every
minute, so they are debug here; failures (saq logs them as errors) and slow jobs stay visible."""


class RoutineJobLogsAtDebug(logging.Filter):
    """Demotes saq's routine per-job lines to debug (dropped unless the logger shows debug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and record.msg in ROUTINE_JOB_MESSAGES:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def quiet_routine_job_logs() -> None:
    saq_logger = logging.getLogger("saq")
    if not any(isinstance(f, RoutineJobLogsAtDebug) for f in saq_logger.filters):
        saq_logger.addFilter(RoutineJobLogsAtDebug())


def create_queue(settings: Settings, name: str = QUEUE_NAME) -> Queue:
    quiet_routine_job_logs()
    return Queue.from_url(settings.redis_url, name=name)


@dataclass(frozen=True)
class JobRequest:
    function: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    scheduled: datetime | None = None
    retries: int = 1
    retry_delay_s: float = 0.0
    timeout_s: int = 60


class JobQueue(Protocol):
    async def enqueue(self, request: JobRequest) -> None: ...


class SaqJobQueue:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    async def enqueue(self, request: JobRequest) -> None:
        options: dict[str, Any] = {
            "retries": request.retries,
            "retry_delay": request.retry_delay_s,
            "retry_backoff": request.retry_delay_s > 0,
            "timeout": request.timeout_s,
        }
        if request.key:
            options["key"] = request.key
        if request.scheduled is not None:
            options["scheduled"] = int(request.scheduled.timestamp())
        try:
            await self.queue.enqueue(request.function, **options, **request.kwargs)
        except Exception:  # Redis down: the cron sweepers catch up.
            log.exception("job_enqueue_failed", function=request.function)


class MemoryJobQueue:
    """Records requests (tests run the task functions themselves)."""

    def __init__(self) -> None:
        self.requests: list[JobRequest] = []

    async def enqueue(self, request: JobRequest) -> None:
        self.requests.append(request)

    def named(self, function: str) -> list[JobRequest]:
        return [r for r in self.requests if r.function == function]


def defer(db: AsyncSession, request: JobRequest) -> None:
    """Enqueue ``request`` after the session's transaction commits (see ``flush``)."""
    db.info.setdefault(_DEFERRED, []).append(request)


def discard(db: AsyncSession) -> None:
    db.info.pop(_DEFERRED, None)


async def flush(db: AsyncSession, queue: JobQueue | None) -> list[JobRequest]:
    """Enqueue what was deferred on ``db``; call after a successful commit."""
    requests: list[JobRequest] = db.info.pop(_DEFERRED, [])
    if queue is not None:
        for request in requests:
            await queue.enqueue(request)
    return requests

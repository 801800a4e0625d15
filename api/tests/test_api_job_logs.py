"""The job worker's logs: saq's per-job lines (every cron job, every minute) are debug; slow jobs
are logged at info."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from saq import Job
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.jobs.queue import create_queue
from troupe_api.jobs.worker import create_worker, log_slow_job

ROUTINE = ("Enqueuing", "Processing", "Finished")


async def test_routine_job_lines_are_debug(
    settings: Settings, db: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    queue = create_queue(settings, name=f"troupe-test-{uuid.uuid4().hex[:8]}")
    worker = create_worker(settings, queue=queue, cron=False)
    await queue.connect()
    await queue.sweep()  # see test_queue_runs_a_job: no start-up sweep races the job
    task = asyncio.create_task(worker.start())
    try:
        with caplog.at_level(logging.INFO):
            assert isinstance(await queue.apply("check_usage_alerts", timeout=20), int)
        info = [r.getMessage() for r in caplog.records if r.name == "saq"]
        assert not [m for m in info if m.startswith(ROUTINE)]
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="saq"):
            await queue.apply("check_usage_alerts", timeout=20)
        debug = [
            r for r in caplog.records if r.name == "saq" and r.getMessage().startswith(ROUTINE)
        ]
        assert {r.getMessage().split()[0] for r in debug} >= {"Enqueuing", "Processing"}
        assert {r.levelname for r in debug} == {"DEBUG"}
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 10)
        await queue.disconnect()


def test_slow_jobs_are_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    fast = Job(function="check_usage_alerts", started=1_000, completed=1_500)
    slow = Job(function="analyze_stale_sessions", started=1_000, completed=31_000)
    with caplog.at_level(logging.INFO):
        log_slow_job({"job": fast})  # type: ignore[typeddict-item]
        log_slow_job({"job": slow})  # type: ignore[typeddict-item]
    lines = [r.getMessage() for r in caplog.records if "job_slow" in r.getMessage()]
    assert len(lines) == 1 and "analyze_stale_sessions" in lines[0] and "30.0" in lines[0]

"""The job's shutdown: a conversation the runtime ended itself (silence, time limit, the agent's
goodbye, an error) closes its room after the final log batch, so the user's page learns it is
over and reads why; one the user ended leaves the room alone."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from troupe_agent.local_models import LocalModels
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.settings import Settings
from troupe_agent.worker import SessionJob
from troupe_contracts.log import SessionLogBatch


class FakeJobContext:
    def __init__(self, events: list[tuple[str, Any]]) -> None:
        self.events = events

    def delete_room(self) -> "asyncio.Future[None]":
        self.events.append(("delete_room", None))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class FakeApi:
    async def aclose(self) -> None:
        pass


def make_job(settings: Settings, tmp_path: Path, close_reason: str) -> tuple[SessionJob, list]:
    events: list[tuple[str, Any]] = []

    async def post(_session_id: uuid.UUID, batch: SessionLogBatch) -> None:
        events.append(("log", (batch.final, batch.close_reason)))

    job = SessionJob(FakeJobContext(events), settings, LocalModels())  # type: ignore[arg-type]
    job.sink = SessionLogSink(uuid.uuid4(), post, tmp_path / "spool")
    job.api = FakeApi()  # type: ignore[assignment]
    job.redis = None
    job.close_reason = close_reason
    return job, events


@pytest.mark.parametrize("reason", ["idle", "max_duration", "agent", "error"])
async def test_a_session_the_runtime_ended_closes_its_room_after_the_final_log(
    settings: Settings, tmp_path: Path, reason: str
) -> None:
    job, events = make_job(settings, tmp_path, reason)
    await job.shutdown(reason)
    assert events == [("log", (True, reason)), ("delete_room", None)]


@pytest.mark.parametrize("reason", ["participant_disconnected", "user_initiated", "job_shutdown"])
async def test_a_session_the_user_ended_leaves_the_room_alone(
    settings: Settings, tmp_path: Path, reason: str
) -> None:
    job, events = make_job(settings, tmp_path, reason)
    await job.shutdown(reason)
    assert events == [("log", (True, reason))]

"""A session runtime wired to fakes: recorded events, an in-memory log sink, a fake browser."""

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from livekit import rtc
from troupe_agent.events import RecordingEventPublisher
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.runtime import SessionRuntime
from troupe_contracts.config import SessionConfig
from troupe_contracts.log import SessionLogBatch
from troupe_contracts.rpc import RpcResult


async def _no_post(session_id: UUID, batch: SessionLogBatch) -> None:
    return None


class FakePeer:
    """Stands in for ``room.local_participant``: answers ``perform_rpc`` from a script of
    ``RpcResult``s or ``rtc.RpcError``s per method, and remembers the calls."""

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def perform_rpc(
        self,
        *,
        destination_identity: str,
        method: str,
        payload: str,
        response_timeout: float | None = None,
    ) -> str:
        self.calls.append((destination_identity, method, json.loads(payload)))
        answer = self.answers.get(method, RpcResult(ok=True, data=None))
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, RpcResult):
            return answer.model_dump_json()
        return str(answer)


def rpc_error(code: rtc.RpcError.ErrorCode) -> rtc.RpcError:
    return rtc.RpcError(code, rtc.RpcError.ErrorMessage[code])


def make_runtime(
    config: SessionConfig, tmp_path: Path, *, peer: FakePeer | None = None, **kw: Any
) -> SessionRuntime:
    sink = SessionLogSink(config.session_id, _no_post, tmp_path / "spool", batch_size=500)
    rt = SessionRuntime(
        config,
        publisher=RecordingEventPublisher(),
        sink=sink,
        peer=peer or FakePeer(),
        **kw,
    )
    rt.client.user_identity = "user-1"
    return rt

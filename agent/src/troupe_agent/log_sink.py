"""Session log sink: turns session events into ``troupe_contracts.log`` entries with increasing
``seq`` and delivers them to the API in batches.

Delivery: ``POST /api/v1/runtime/sessions/{id}/log`` with retries (see ``api_client``). A batch
that still fails is written to an on-disk spool (one JSON file per batch, named by its first
seq) and replayed before the next batch, so an API outage loses nothing and order is kept. The
API stores entries idempotently by ``(session, seq)``, so a replayed batch is harmless. The last
batch has ``final: true`` and the close reason."""

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from livekit.agents import AgentSession, llm
from livekit.agents.metrics import LLMModelUsage, STTModelUsage, TTSModelUsage
from livekit.agents.voice.events import (
    ConversationItemAddedEvent,
    SessionUsageUpdatedEvent,
)
from troupe_contracts.log import (
    ErrorEntry,
    LogEntry,
    MessageEntry,
    PanelEventEntry,
    SessionLogBatch,
    ToolCallEntry,
    TransitionEntry,
    TurnMetricsEntry,
    UsageEntry,
)

from troupe_agent.logging import get_logger

log = get_logger(__name__)

PostBatch = Callable[[UUID, SessionLogBatch], Awaitable[None]]
ErrorSource = Literal["stt", "llm", "tts", "tool", "runtime", "config"]
MAX_BATCH = 500  # SessionLogBatch.entries max_length


def _ts(epoch: float | None = None) -> datetime:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now(UTC)


def _ms(seconds: Any) -> float | None:
    return round(float(seconds) * 1000, 1) if isinstance(seconds, int | float) else None


class Spool:
    """Batches that could not be delivered, one file each under ``<dir>/<session_id>/``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, session_id: UUID) -> Path:
        return self.root / str(session_id)

    def put(self, session_id: UUID, batch: SessionLogBatch) -> Path:
        directory = self._dir(session_id)
        directory.mkdir(parents=True, exist_ok=True)
        first = batch.entries[0].seq if batch.entries else 10**9
        path = directory / f"{first:010d}{'-final' if batch.final else ''}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(batch.model_dump_json(), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a reader never sees half a batch
        return path

    def pending(self, session_id: UUID) -> list[Path]:
        directory = self._dir(session_id)
        return sorted(directory.glob("*.json")) if directory.is_dir() else []

    def sessions(self) -> list[UUID]:
        if not self.root.is_dir():
            return []
        out: list[UUID] = []
        for d in self.root.iterdir():
            with contextlib.suppress(ValueError):
                if d.is_dir() and any(d.glob("*.json")):
                    out.append(UUID(d.name))
        return out

    async def replay(self, session_id: UUID, post: PostBatch) -> bool:
        """Send the spooled batches of one session in order; True when none is left.
        Each file is claimed by an atomic rename, so two processes never send the same one."""
        for path in self.pending(session_id):
            claimed = path.with_suffix(f".claimed-{os.getpid()}")
            try:
                os.replace(path, claimed)
            except FileNotFoundError:
                continue  # another process took it
            try:
                batch = SessionLogBatch.model_validate_json(claimed.read_text(encoding="utf-8"))
                await post(session_id, batch)
            except Exception as e:
                os.replace(claimed, path)
                log.warning(
                    "spool replay failed; will retry", session_id=str(session_id), error=str(e)
                )
                return False
            claimed.unlink()
        with contextlib.suppress(OSError):
            self._dir(session_id).rmdir()
        return True


async def replay_all(spool: Spool, post: PostBatch) -> int:
    """Replay every session's spooled batches (worker start, or `troupe-agent flush-spool`).
    Returns the number of sessions fully delivered."""
    done = 0
    for session_id in spool.sessions():
        if await spool.replay(session_id, post):
            done += 1
    return done


class SessionLogSink:
    def __init__(
        self,
        session_id: UUID,
        post: PostBatch,
        spool_dir: Path,
        *,
        batch_size: int = 50,
        flush_interval_s: float = 5.0,
    ) -> None:
        self.session_id = session_id
        self._post = post
        self.spool = Spool(spool_dir)
        self._batch_size = min(batch_size, MAX_BATCH)
        self._flush_interval_s = flush_interval_s
        self._pending: list[LogEntry] = []
        self._seq = 0
        self._lock = asyncio.Lock()
        self._flush_task: asyncio.Task[None] | None = None
        self._periodic: asyncio.Task[None] | None = None
        self._closed = False
        self.active_agent: str | None = None
        self._last_user_metrics: dict[str, Any] = {}
        self._usage: SessionUsageUpdatedEvent | None = None

    # ------------------------------------------------------------------ recording

    def _add(self, factory: Callable[[int], LogEntry]) -> None:
        if self._closed:
            return
        self._pending.append(factory(self._seq))
        self._seq += 1
        if len(self._pending) >= self._batch_size and (
            self._flush_task is None or self._flush_task.done()
        ):
            self._flush_task = asyncio.get_running_loop().create_task(self.flush())

    def agent_entered(
        self,
        slug: str,
        *,
        context_policy: str = "preserve",
        variables: dict[str, Any] | None = None,
        summary_method: Literal["llm", "extractive"] | None = None,
    ) -> None:
        previous, self.active_agent = self.active_agent, slug
        self._add(
            lambda seq: TransitionEntry(
                seq=seq,
                ts=_ts(),
                from_agent=previous,
                to_agent=slug,
                context_policy=context_policy,
                variables=variables or {},
                summary_method=summary_method,
            )
        )

    def tool_call(
        self,
        *,
        agent: str,
        tool: str,
        arguments: dict[str, Any],
        result: str | None,
        error: str | None,
        latency_ms: float | None,
    ) -> None:
        self._add(
            lambda seq: ToolCallEntry(
                seq=seq,
                ts=_ts(),
                agent=agent,
                tool=tool,
                arguments=arguments,
                result=result,
                error=error,
                latency_ms=latency_ms,
            )
        )

    def panel_event(self, panel: str, event: str, data: dict[str, Any], ts: datetime) -> None:
        self._add(lambda seq: PanelEventEntry(seq=seq, ts=ts, panel=panel, event=event, data=data))

    @property
    def entries(self) -> list[LogEntry]:
        """Entries recorded and not yet delivered (tests read them here)."""
        return list(self._pending)

    def error(self, source: ErrorSource, message: str, *, recoverable: bool) -> None:
        self._add(
            lambda seq: ErrorEntry(
                seq=seq, ts=_ts(), source=source, message=message, recoverable=recoverable
            )
        )

    def on_conversation_item(self, ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if not isinstance(item, llm.ChatMessage):
            return
        text = item.text_content or ""
        role = "system" if item.role in ("system", "developer") else item.role
        metrics: dict[str, Any] = dict(item.metrics or {})
        agent = self.active_agent if role == "assistant" else None
        if text:
            self._add(
                lambda seq: MessageEntry(
                    seq=seq,
                    ts=_ts(item.created_at),
                    role=role,
                    agent=agent,
                    text=text,
                    interrupted=item.interrupted,
                    started_at=_ts(metrics["started_speaking_at"])
                    if "started_speaking_at" in metrics
                    else None,
                    ended_at=_ts(metrics["stopped_speaking_at"])
                    if "stopped_speaking_at" in metrics
                    else None,
                )
            )
        if role == "user":
            self._last_user_metrics = metrics
        elif role == "assistant" and any(
            k in metrics for k in ("llm_node_ttft", "tts_node_ttfb", "e2e_latency")
        ):
            user = self._last_user_metrics
            self._last_user_metrics = {}
            self._add(
                lambda seq: TurnMetricsEntry(
                    seq=seq,
                    ts=_ts(item.created_at),
                    agent=agent,
                    end_of_utterance_delay_ms=_ms(user.get("end_of_turn_delay")),
                    transcription_delay_ms=_ms(user.get("transcription_delay")),
                    llm_ttft_ms=_ms(metrics.get("llm_node_ttft")),
                    llm_ttfs_ms=_ms(metrics.get("llm_node_ttfs")),
                    tts_ttfb_ms=_ms(metrics.get("tts_node_ttfb")),
                    e2e_latency_ms=_ms(metrics.get("e2e_latency")),
                )
            )

    def on_usage(self, ev: SessionUsageUpdatedEvent) -> None:
        self._usage = ev  # cumulative: recorded once, at close, so nothing is counted twice

    def _add_usage(self) -> None:
        if self._usage is None:
            return
        for usage in self._usage.usage.model_usage:
            if isinstance(usage, LLMModelUsage):
                fields: dict[str, Any] = {
                    "llm_input_tokens": usage.input_tokens,
                    "llm_output_tokens": usage.output_tokens,
                }
            elif isinstance(usage, STTModelUsage):
                fields = {"stt_seconds": usage.audio_duration}
            elif isinstance(usage, TTSModelUsage):
                fields = {
                    "tts_characters": usage.characters_count,
                    "tts_seconds": usage.audio_duration,
                }
            else:
                continue
            provider, model = usage.provider or "unknown", usage.model or "unknown"

            def entry(
                seq: int, provider: str = provider, model: str = model, f: dict[str, Any] = fields
            ) -> LogEntry:
                return UsageEntry(seq=seq, ts=_ts(), provider=provider, model=model, **f)

            self._add(entry)

    def attach(self, session: AgentSession[Any]) -> None:
        session.on("conversation_item_added", self.on_conversation_item)
        session.on("session_usage_updated", self.on_usage)

    # ------------------------------------------------------------------ delivery

    def start(self) -> None:
        async def periodic() -> None:
            while True:
                await asyncio.sleep(self._flush_interval_s)
                await self.flush()

        self._periodic = asyncio.get_running_loop().create_task(periodic(), name="troupe.log_sink")

    async def _deliver(self, batch: SessionLogBatch) -> None:
        if not await self.spool.replay(self.session_id, self._post):
            self.spool.put(self.session_id, batch)  # keep order: behind what is already spooled
            return
        try:
            await self._post(self.session_id, batch)
        except Exception as e:
            path = self.spool.put(self.session_id, batch)
            log.warning(
                "session log batch spooled",
                session_id=str(self.session_id),
                error=str(e),
                path=str(path),
            )

    async def flush(self, *, final: bool = False, close_reason: str | None = None) -> None:
        async with self._lock:
            while self._pending or final:
                entries, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                last = final and not self._pending
                await self._deliver(
                    SessionLogBatch(
                        entries=entries, final=last, close_reason=close_reason if last else None
                    )
                )
                if last:
                    break

    async def aclose(self, close_reason: str) -> None:
        """Send everything left with ``final: true``. Safe to call twice."""
        if self._closed:
            return
        if self._periodic is not None:
            self._periodic.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._periodic
        if self._flush_task is not None:
            with contextlib.suppress(Exception):
                await self._flush_task
        self._add_usage()
        self._closed = True
        await self.flush(final=True, close_reason=close_reason)

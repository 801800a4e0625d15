"""Failure recovery: a provider error never leaves the user in silence.

On every session ``error`` event: log it with its cause, record it in the session log and send
an ``AgentErrorEvent`` to the browser. When the error is unrecoverable (the provider's own
retries are spent; a recoverable one is being retried and may still succeed), the user hears a
short apology. If the failing part is the TTS itself, the apology is rendered by eSpeak NG.

A malformed tool call (a tool that does not exist, arguments that are not JSON or do not fit the
tool's schema) is a provider failure too: livekit would hand the error back to the model for
another try, which a small model answers with the same broken call. We log the cause, drop that
reply and apologise instead."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from livekit import rtc
from livekit.agents import AgentSession, tts
from livekit.agents.voice.events import ErrorEvent, FunctionToolsExecutedEvent

from troupe_agent.events import EventPublisher
from troupe_agent.log_sink import ErrorSource, SessionLogSink
from troupe_agent.logging import get_logger

log = get_logger(__name__)

APOLOGY = "Sorry, I had a problem just now — could you say that again?"
CONFIG_APOLOGY = "Sorry, I can't start this conversation right now. Please try again in a moment."

_USER_SAFE_MESSAGES: dict[str, str] = {
    "stt": "Speech recognition failed.",
    "llm": "The language model failed to answer.",
    "tts": "Speech synthesis failed.",
    "runtime": "The agent hit an internal error.",
}

MALFORMED_TOOL_CALL_PREFIXES = ("Unknown function:", "Error parsing arguments for")
"""How livekit-agents words the tool output of a call it could not run (``voice/generation.py``,
``llm/utils.py``): an unknown tool name, or arguments that are not JSON or fail validation."""


def malformed_tool_calls(ev: FunctionToolsExecutedEvent) -> list[tuple[str, str]]:
    """(tool name, livekit's error) for each call of the batch the model got wrong."""
    return [
        (out.name, out.output)
        for out in ev.function_call_outputs
        if out is not None and out.is_error and out.output.startswith(MALFORMED_TOOL_CALL_PREFIXES)
    ]


def error_source(ev: ErrorEvent) -> ErrorSource:
    kind = getattr(ev.error, "type", "")
    return {"stt_error": "stt", "llm_error": "llm", "tts_error": "tts"}.get(kind, "runtime")  # type: ignore[return-value]


async def synthesize_frames(engine: tts.TTS[Any], text: str) -> AsyncIterator[rtc.AudioFrame]:
    async with engine.synthesize(text) as stream:
        async for audio in stream:
            yield audio.frame


class ErrorRecovery:
    def __init__(
        self,
        session: AgentSession[Any],
        *,
        publisher: EventPublisher,
        sink: SessionLogSink | None,
        fallback_tts: Callable[[], tts.TTS[Any]],
        min_interval_s: float = 3.0,
    ) -> None:
        self._session = session
        self._publisher = publisher
        self._sink = sink
        self._fallback_tts = fallback_tts
        self._min_interval_s = min_interval_s
        self._last_apology = -1e9
        self._tasks: set[asyncio.Task[None]] = set()
        self.apologies = 0

    def attach(self) -> None:
        self._session.on("error", self.on_error)
        self._session.on("function_tools_executed", self.on_tools_executed)

    def on_tools_executed(self, ev: FunctionToolsExecutedEvent) -> None:
        malformed = malformed_tool_calls(ev)
        if not malformed:
            return
        cause = "; ".join(f"{name}: {error}" for name, error in malformed)
        log.error(
            "provider error", source="llm", recoverable=False, cause=f"malformed tool call: {cause}"
        )
        if self._sink is not None:
            self._sink.error("llm", f"malformed tool call: {cause}", recoverable=False)
        self._publisher.error("llm_error", _USER_SAFE_MESSAGES["llm"], recoverable=False)
        if ev.has_tool_reply:
            ev.cancel_tool_reply()
        self._spawn_apology("llm")

    def on_error(self, ev: ErrorEvent) -> None:
        source = error_source(ev)
        recoverable = bool(getattr(ev.error, "recoverable", False))
        cause = getattr(ev.error, "error", ev.error)
        log.error(
            "provider error",
            source=source,
            recoverable=recoverable,
            provider=getattr(ev.source, "provider", None),
            model=getattr(ev.source, "model", None),
            cause=f"{type(cause).__name__}: {cause}",
            exc_info=cause if isinstance(cause, BaseException) else None,
        )
        if self._sink is not None:
            self._sink.error(source, f"{type(cause).__name__}: {cause}", recoverable=recoverable)
        self._publisher.error(
            f"{source}_error", _USER_SAFE_MESSAGES[source], recoverable=recoverable
        )
        if not recoverable:
            self._spawn_apology(source)

    def _spawn_apology(self, source: ErrorSource) -> None:
        task = asyncio.get_running_loop().create_task(self.apologize(source), name="troupe.apology")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def apologize(self, source: ErrorSource) -> None:
        now = time.monotonic()
        if now - self._last_apology < self._min_interval_s:
            return  # one apology per burst of errors is enough
        self._last_apology = now
        self.apologies += 1
        try:
            if source == "tts":
                engine = self._fallback_tts()
                self._session.say(APOLOGY, audio=synthesize_frames(engine, APOLOGY))
            else:
                self._session.say(APOLOGY)
        except Exception:
            log.exception("could not speak the apology")

    async def aclose(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)

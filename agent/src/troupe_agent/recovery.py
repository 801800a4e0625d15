"""Failure recovery: a provider error never leaves the user in silence.

On every session ``error`` event: log it with its cause, record it in the session log and send
an ``AgentErrorEvent`` to the browser. When the error is unrecoverable (the provider's own
retries are spent; a recoverable one is being retried and may still succeed), the user hears a
short apology. If the failing part is the TTS itself, the apology is rendered by eSpeak NG."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from livekit import rtc
from livekit.agents import AgentSession, tts
from livekit.agents.voice.events import ErrorEvent

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
            task = asyncio.get_running_loop().create_task(
                self.apologize(source), name="troupe.apology"
            )
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

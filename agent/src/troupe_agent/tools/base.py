"""What every tool call goes through: the rate limit, timing, the session log
(``ToolCallEntry``) and the browser's ``ToolCallEvent``s.

Failures the model should react to are ``ToolError``s with a message written for it; any other
exception is logged with its cause and reaches the model as a short, generic ``ToolError``."""

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from livekit.agents import RunContext, ToolError

from troupe_agent.events import EventPublisher, ToolStatus, tool_call_event
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.logging import get_logger

log = get_logger(__name__)

Clock = Callable[[], float]
MAX_LOGGED_RESULT = 2000
"""Characters of a tool result kept in the session log."""


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (truncated, {len(text) - limit} more characters)"


class ToolRateLimiter:
    """Stops runaway tool use: at most ``per_turn`` calls while answering one user turn (one
    speech handle, across its tool steps) and ``per_minute`` calls in any sliding minute."""

    def __init__(
        self, *, per_minute: int = 30, per_turn: int = 8, clock: Clock = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.per_turn = per_turn
        self._clock = clock
        self._recent: deque[float] = deque()
        self._turn_id: str | None = None
        self._turn_count = 0

    def check(self, turn_id: str | None) -> None:
        """Count one call; raise ``ToolError`` (and count nothing) when a limit is reached."""
        now = self._clock()
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if turn_id != self._turn_id:
            self._turn_id, self._turn_count = turn_id, 0
        if self._turn_count >= self.per_turn:
            raise ToolError(
                f"Tool limit reached: at most {self.per_turn} tool calls per answer. "
                "Answer the user now with what you have."
            )
        if len(self._recent) >= self.per_minute:
            raise ToolError(
                f"Tool limit reached: at most {self.per_minute} tool calls per minute. "
                "Do not call tools for a while; answer the user with what you have."
            )
        self._recent.append(now)
        self._turn_count += 1


def current_agent_slug(ctx: RunContext[Any]) -> str:
    agent = ctx.session.current_agent
    return str(getattr(agent, "slug", agent.id))


class ToolCalls:
    """Runs tool bodies under the rate limit and records each call."""

    def __init__(
        self,
        *,
        sink: SessionLogSink | None,
        publisher: EventPublisher,
        limiter: ToolRateLimiter,
        clock: Clock = time.perf_counter,
    ) -> None:
        self._sink = sink
        self._publisher = publisher
        self.limiter = limiter
        self._clock = clock

    async def run(
        self,
        ctx: RunContext[Any],
        tool: str,
        arguments: dict[str, Any],
        body: Callable[[], Awaitable[str]],
    ) -> str:
        agent = current_agent_slug(ctx)
        speech = getattr(ctx, "speech_handle", None)
        started = self._clock()
        try:
            self.limiter.check(speech.id if speech is not None else None)
        except ToolError as e:
            self._record(agent, tool, arguments, None, e.message, None)
            self._publisher.send(tool_call_event(agent, tool, "failed"))
            raise
        self._publisher.send(tool_call_event(agent, tool, "started"))
        try:
            result = await body()
        except ToolError as e:
            self._finish(agent, tool, arguments, started, None, e.message)
            raise
        except Exception as e:
            log.exception("tool failed", tool=tool, agent=agent)
            self._finish(agent, tool, arguments, started, None, f"{type(e).__name__}: {e}")
            raise ToolError(f"The tool {tool} failed unexpectedly; try something else.") from e
        self._finish(agent, tool, arguments, started, result, None)
        return result

    def _finish(
        self,
        agent: str,
        tool: str,
        arguments: dict[str, Any],
        started: float,
        result: str | None,
        error: str | None,
    ) -> None:
        latency_ms = round((self._clock() - started) * 1000, 1)
        self._record(agent, tool, arguments, result, error, latency_ms)
        status: ToolStatus = "failed" if error is not None else "succeeded"
        self._publisher.send(tool_call_event(agent, tool, status))
        log.info("tool call", tool=tool, agent=agent, latency_ms=latency_ms, ok=error is None)

    def _record(
        self,
        agent: str,
        tool: str,
        arguments: dict[str, Any],
        result: str | None,
        error: str | None,
        latency_ms: float | None,
    ) -> None:
        if self._sink is None:
            return
        self._sink.tool_call(
            agent=agent,
            tool=tool,
            arguments=arguments,
            result=truncate(result, MAX_LOGGED_RESULT) if result is not None else None,
            error=error,
            latency_ms=latency_ms,
        )

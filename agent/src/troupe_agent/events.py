"""What the runtime tells the browser besides LiveKit's own transcription streams: the active
agent as participant attributes, and typed events (``troupe_contracts.events``) on the
``TOPIC_EVENTS`` text stream."""

import asyncio
from datetime import UTC, datetime
from typing import Literal, Protocol

from livekit import rtc
from troupe_contracts import (
    ATTR_ACTIVE_AGENT,
    ATTR_ACTIVE_AGENT_AVATAR,
    ATTR_ACTIVE_AGENT_NAME,
    TOPIC_EVENTS,
)
from troupe_contracts.events import (
    ActiveAgentEvent,
    AgentErrorEvent,
    AgentEvent,
    HandoffEvent,
    SessionEndingEvent,
    ToolCallEvent,
)

from troupe_agent.logging import get_logger

log = get_logger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


ToolStatus = Literal["started", "succeeded", "failed"]
EndingReason = Literal["max_duration", "idle", "agent", "error"]


class EventPublisher(Protocol):
    def send(self, event: AgentEvent) -> None: ...
    def active_agent_changed(
        self, slug: str, name: str, *, avatar_url: str | None = None
    ) -> None: ...
    def error(self, code: str, message: str, *, recoverable: bool) -> None: ...
    async def aclose(self) -> None: ...


def active_agent_attributes(slug: str, name: str, avatar_url: str | None) -> dict[str, str]:
    """The agent participant's attributes for the active agent. The avatar is always set (empty
    without one), so a handoff to an agent without an avatar clears the previous one's."""
    return {
        ATTR_ACTIVE_AGENT: slug,
        ATTR_ACTIVE_AGENT_NAME: name,
        ATTR_ACTIVE_AGENT_AVATAR: avatar_url or "",
    }


def handoff_event(from_agent: str, to_agent: str) -> HandoffEvent:
    return HandoffEvent(ts=now(), from_agent=from_agent, to_agent=to_agent)


def tool_call_event(agent: str, tool: str, status: ToolStatus) -> ToolCallEvent:
    return ToolCallEvent(ts=now(), agent=agent, tool=tool, status=status)


def session_ending_event(reason: EndingReason) -> SessionEndingEvent:
    return SessionEndingEvent(ts=now(), reason=reason)


class RoomEventPublisher:
    """Publishes to a connected room. Sends are queued on tasks we keep and await at close,
    so an event is never lost to fire-and-forget."""

    def __init__(self, room: rtc.Room) -> None:
        self._room = room
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent: list[AgentEvent] = []

    def _spawn(self, coro: "asyncio.Future[None] | object", what: str) -> None:
        async def run() -> None:
            try:
                await coro  # type: ignore[misc]
            except Exception:
                log.exception("publishing to the room failed", what=what)

        task = asyncio.get_running_loop().create_task(run(), name=f"troupe.publish.{what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def send(self, event: AgentEvent) -> None:
        self.sent.append(event)
        self._spawn(
            self._room.local_participant.send_text(event.model_dump_json(), topic=TOPIC_EVENTS),
            event.type,
        )

    def active_agent_changed(self, slug: str, name: str, *, avatar_url: str | None = None) -> None:
        self._spawn(
            self._room.local_participant.set_attributes(
                active_agent_attributes(slug, name, avatar_url)
            ),
            "attributes",
        )
        self.send(ActiveAgentEvent(ts=now(), agent=slug, name=name))

    def error(self, code: str, message: str, *, recoverable: bool) -> None:
        self.send(AgentErrorEvent(ts=now(), code=code, message=message, recoverable=recoverable))

    async def aclose(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)


class RecordingEventPublisher:
    """For tests and room-less sessions: remembers what would have been sent."""

    def __init__(self) -> None:
        self.active_agents: list[tuple[str, str]] = []
        self.attributes: dict[str, str] = {}
        """The agent participant's attributes as the room would have them now."""
        self.avatars: list[str] = []
        """``troupe.active_agent_avatar`` at each change of active agent."""
        self.sent: list[AgentEvent] = []

    def send(self, event: AgentEvent) -> None:
        self.sent.append(event)

    def of_type(self, type_: str) -> list[AgentEvent]:
        return [e for e in self.sent if e.type == type_]

    def active_agent_changed(self, slug: str, name: str, *, avatar_url: str | None = None) -> None:
        self.active_agents.append((slug, name))
        self.attributes.update(active_agent_attributes(slug, name, avatar_url))
        self.avatars.append(self.attributes[ATTR_ACTIVE_AGENT_AVATAR])
        self.sent.append(ActiveAgentEvent(ts=now(), agent=slug, name=name))

    def error(self, code: str, message: str, *, recoverable: bool) -> None:
        self.sent.append(
            AgentErrorEvent(ts=now(), code=code, message=message, recoverable=recoverable)
        )

    async def aclose(self) -> None:
        return None

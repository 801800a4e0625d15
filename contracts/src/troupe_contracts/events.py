"""Typed events the agent sends to the browser on ``TOPIC_EVENTS`` (text stream, reliable).

Each event carries ``type`` as its tag; the browser switches on it. Transcripts themselves
travel on LiveKit's built-in transcription streams; these events add what LiveKit lacks."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from troupe_contracts.base import Contract
from troupe_contracts.constants import PROTOCOL_VERSION


class _Event(Contract):
    v: int = PROTOCOL_VERSION
    ts: datetime


class ActiveAgentEvent(_Event):
    type: Literal["active_agent"] = "active_agent"
    agent: str
    name: str


class HandoffEvent(_Event):
    type: Literal["handoff"] = "handoff"
    from_agent: str
    to_agent: str


class ToolCallEvent(_Event):
    type: Literal["tool_call"] = "tool_call"
    agent: str
    tool: str
    status: Literal["started", "succeeded", "failed"]


class AgentErrorEvent(_Event):
    type: Literal["agent_error"] = "agent_error"
    code: str
    message: str
    recoverable: bool


class SessionEndingEvent(_Event):
    type: Literal["session_ending"] = "session_ending"
    reason: Literal["max_duration", "idle", "agent", "error"]


AgentEvent = Annotated[
    ActiveAgentEvent | HandoffEvent | ToolCallEvent | AgentErrorEvent | SessionEndingEvent,
    Field(discriminator="type"),
]
AgentEventAdapter: TypeAdapter[AgentEvent] = TypeAdapter(AgentEvent)

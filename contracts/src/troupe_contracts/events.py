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


class UploadReceivedEvent(_Event):
    """The agent read an upload (``TOPIC_UPLOADS``) and added it to the conversation."""

    type: Literal["upload_received"] = "upload_received"
    stream_id: str = Field(
        description="The byte stream's id (what the browser's sendFile returned)."
    )
    name: str
    mime_type: str
    size: int = Field(ge=0, description="Bytes received.")
    pages: int | None = Field(default=None, description="PDF page count.")
    chars: int = Field(default=0, ge=0, description="Characters of text handed to the agent.")
    truncated: bool = False
    note: str | None = Field(
        default=None, description="Shown to the user, e.g. that this agent cannot see images."
    )


class UploadRejectedEvent(_Event):
    """The agent refused an upload; nothing of it reached the conversation."""

    type: Literal["upload_rejected"] = "upload_rejected"
    stream_id: str
    name: str
    reason: Literal["too_large", "unsupported_type", "not_allowed", "unreadable", "empty"]
    message: str


AgentEvent = Annotated[
    ActiveAgentEvent
    | HandoffEvent
    | ToolCallEvent
    | AgentErrorEvent
    | SessionEndingEvent
    | UploadReceivedEvent
    | UploadRejectedEvent,
    Field(discriminator="type"),
]
AgentEventAdapter: TypeAdapter[AgentEvent] = TypeAdapter(AgentEvent)

"""Session log the runtime submits to the API
(``POST /api/v1/runtime/sessions/{session_id}/log``), in idempotent batches."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from troupe_contracts.base import Contract


class _Entry(Contract):
    seq: int = Field(ge=0, description="Per-session sequence number; (session, seq) is unique.")
    ts: datetime


class MessageEntry(_Entry):
    kind: Literal["message"] = "message"
    role: Literal["user", "assistant", "system"]
    agent: str | None = None
    text: str
    interrupted: bool = False
    started_at: datetime | None = None
    ended_at: datetime | None = None


class TransitionEntry(_Entry):
    kind: Literal["transition"] = "transition"
    from_agent: str | None
    to_agent: str
    context_policy: str = "preserve"
    variables: dict[str, Any] = Field(
        default_factory=dict, description="Shared-state variables the handoff set."
    )
    summary_method: Literal["llm", "extractive"] | None = Field(
        default=None, description="How the summary plan's summary was made."
    )


class ToolCallEntry(_Entry):
    kind: Literal["tool_call"] = "tool_call"
    agent: str
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: str | None = None
    error: str | None = None
    latency_ms: float | None = None


class PanelEventEntry(_Entry):
    kind: Literal["panel_event"] = "panel_event"
    panel: str
    event: str
    data: dict[str, Any] = Field(default_factory=dict)


class TurnMetricsEntry(_Entry):
    kind: Literal["turn_metrics"] = "turn_metrics"
    agent: str | None = None
    end_of_utterance_delay_ms: float | None = None
    transcription_delay_ms: float | None = None
    llm_ttft_ms: float | None = None
    llm_ttfs_ms: float | None = None
    """LLM start → its first sentence/clause handed to the TTS (the wait for text to speak)."""
    tts_ttfb_ms: float | None = None
    e2e_latency_ms: float | None = None


class UsageEntry(_Entry):
    kind: Literal["usage"] = "usage"
    provider: str
    model: str
    llm_input_tokens: int = 0
    llm_output_tokens: int = 0
    stt_seconds: float = 0.0
    tts_characters: int = 0
    tts_seconds: float = 0.0
    vision_frames: int = 0


class ErrorEntry(_Entry):
    kind: Literal["error"] = "error"
    source: Literal["stt", "llm", "tts", "tool", "runtime", "config"]
    message: str
    recoverable: bool = True


LogEntry = Annotated[
    MessageEntry
    | TransitionEntry
    | ToolCallEntry
    | PanelEventEntry
    | TurnMetricsEntry
    | UsageEntry
    | ErrorEntry,
    Field(discriminator="kind"),
]


class SessionLogBatch(Contract):
    entries: list[LogEntry] = Field(max_length=500)
    final: bool = Field(default=False, description="The runtime's last batch for this session.")
    close_reason: str | None = None

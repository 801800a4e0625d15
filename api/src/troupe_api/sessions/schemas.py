"""API-only shapes of the sessions domain. What the browser and runtime exchange with the API
(SessionStartRequest/Response, SessionRead, SessionLogBatch, LogEntry) comes from
``troupe_contracts`` and is used as-is."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from troupe_contracts.log import LogEntry
from troupe_contracts.session import SessionRead


class SessionLogIngestResult(BaseModel):
    accepted: int
    duplicate: int
    final: bool


class SessionLogRead(BaseModel):
    session_id: UUID
    complete: bool
    close_reason: str | None
    entries: list[LogEntry]
    next_cursor: str | None = None


class SessionList(BaseModel):
    items: list[SessionRead]
    next_cursor: str | None


class LatencyStats(BaseModel):
    count: int
    p50: float | None
    p95: float | None


class ToolStats(BaseModel):
    tool: str
    calls: int
    errors: int


class TurnCounts(BaseModel):
    user: int
    agent: int
    total: int


class SessionUsageRow(BaseModel):
    agent: str
    provider: str
    model: str
    llm_input_tokens: int
    llm_output_tokens: int
    stt_seconds: float
    tts_characters: int
    tts_seconds: float
    vision_frames: int
    session_minutes: float
    cost_micros: int


class SessionSummary(BaseModel):
    session_id: UUID
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: float | None
    turns: TurnCounts
    interruptions: int
    agents: list[str]
    handoffs: int
    tools: list[ToolStats]
    errors: int
    latency_ms: dict[str, LatencyStats]
    usage: dict[str, float]
    usage_rows: list[SessionUsageRow]
    cost_micros: int
    cost_usd: str


class ReplayKnowledgeChunk(BaseModel):
    """A knowledge-base chunk a turn used (``search_knowledge`` or automatic retrieval)."""

    chunk_id: UUID
    document_id: UUID
    knowledge_base_id: UUID
    document_name: str
    heading_path: str
    page: int | None
    snippet: str = Field(description="The start of the chunk's text.")


class ReplayItem(BaseModel):
    at: datetime
    t_ms: int
    source: Literal["livekit", "log"]
    kind: str
    seq: int | None
    agent: str | None = None
    data: dict[str, Any]
    knowledge: list[ReplayKnowledgeChunk] | None = Field(
        default=None,
        description="On a knowledge search's tool call: the chunks it returned that still "
        "exist, in rank order, for links to their documents.",
    )


class SessionReplay(BaseModel):
    session_id: UUID
    started_at: datetime | None
    items: list[ReplayItem]

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ToolName = str
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
ToolKindName = Literal["builtin", "panel", "handoff", "webhook"]
SECRET_MASK = "********"
"""What reads show instead of a secret header's value; sending it back keeps the value."""

_NAME = Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookToolSpec(_Schema):
    """A customer-defined webhook tool. ``parameters`` is a JSON Schema (Draft 2020-12) of the
    arguments object; ``secret_headers`` are encrypted at rest and masked in every read."""

    name: ToolName = _NAME
    description: str = Field(min_length=1, max_length=1024)
    url: str = Field(min_length=1, max_length=2048)
    method: HttpMethod = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    secret_headers: dict[str, str] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    timeout_s: float = Field(default=10.0, gt=0, le=60)


class ToolCreate(WebhookToolSpec):
    pass


class ToolUpdate(_Schema):
    name: ToolName | None = Field(default=None, pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")
    description: str | None = Field(default=None, min_length=1, max_length=1024)
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    method: HttpMethod | None = None
    headers: dict[str, str] | None = None
    secret_headers: dict[str, str] | None = None
    parameters: dict[str, Any] | None = None
    timeout_s: float | None = Field(default=None, gt=0, le=60)


class ToolRead(BaseModel):
    """Any tool of the registry. Generated tools (builtin, panel, handoff) have no id and are
    read-only; ``agents`` lists the slugs of the agents that use the tool."""

    id: uuid.UUID | None = None
    name: str
    kind: ToolKindName
    description: str
    parameters: dict[str, Any]
    read_only: bool
    url: str | None = None
    method: HttpMethod | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    secret_headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float | None = None
    panel: str | None = Field(default=None, description="Panel tools: the panel type.")
    handoff_from: str | None = Field(default=None, description="Handoff tools: source agent.")
    handoff_to: str | None = Field(default=None, description="Handoff tools: target agent.")
    agents: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ToolList(BaseModel):
    items: list[ToolRead]


class DryRunRequest(_Schema):
    arguments: dict[str, Any] = Field(default_factory=dict)


class DryRunResult(BaseModel):
    ok: bool
    status_code: int | None = None
    response_body: str | None = None
    latency_ms: float | None = None
    error: str | None = None


class ToolUsage(BaseModel):
    name: str
    calls: int
    errors: int
    avg_latency_ms: float | None
    last_called_at: datetime | None


class ToolUsageList(BaseModel):
    items: list[ToolUsage]

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from troupe_contracts.session import RecordingNotice


class DeploymentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    allowed_origins: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="scheme://host[:port] origins that may start sessions; `*` for any.",
    )
    enabled: bool = True
    require_server_start: bool = Field(
        default=False,
        description="Sessions start only from your backend (POST /api/v1/sessions/server-start "
        "with an API key); the public embed key alone is refused.",
    )
    max_concurrent_sessions: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="At most this many of the deployment's sessions open at once (a start "
        "beyond it: 429 deployment_concurrent_sessions); null: only the plan's limits.",
    )


class DeploymentUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    allowed_origins: list[str] | None = Field(default=None, max_length=50)
    enabled: bool | None = None
    require_server_start: bool | None = None
    max_concurrent_sessions: int | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="A new cap; 0 removes it (null leaves it unchanged).",
    )


class DeploymentRead(BaseModel):
    id: uuid.UUID
    template_id: uuid.UUID
    name: str
    embed_key: str
    allowed_origins: list[str]
    enabled: bool
    require_server_start: bool
    max_concurrent_sessions: int | None
    embed_url: str
    standalone_url: str
    embed_snippet: str
    created_at: datetime
    updated_at: datetime


class DeploymentList(BaseModel):
    items: list[DeploymentRead]


class EmbedAgent(BaseModel):
    slug: str
    name: str


class EmbedInfo(BaseModel):
    """What the public start page may show for an embed key: no ids, no secrets."""

    deployment_name: str
    template_name: str
    description: str
    initial_agent: EmbedAgent
    modality_profile: str
    enabled_panels: list[str]
    max_duration_s: int
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="The origins that may start sessions and frame the embed page (the web "
        "app's `frame-ancestors`); `*` for any.",
    )
    recording: RecordingNotice = Field(
        default_factory=RecordingNotice,
        description="Whether sessions are recorded, and the consent text to show first.",
    )

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from troupe_contracts.config import HandoffTarget, Slug, VisionSettings
from troupe_contracts.providers import DEFAULT_OFFLINE, ProviderRole


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentBody(_Schema):
    """Everything that defines an agent except its slug. ``modalities`` and ``panels`` are
    plain strings here so unknown values get the stable ``modality_unknown`` /
    ``panel_unknown`` problem codes instead of a generic validation error."""

    name: str = Field(min_length=1, max_length=200)
    instructions: str = Field(min_length=1, max_length=20_000)
    greeting: str = Field(default="", max_length=2_000)
    stt: str = DEFAULT_OFFLINE[ProviderRole.STT]
    llm: str = DEFAULT_OFFLINE[ProviderRole.LLM]
    tts: str = DEFAULT_OFFLINE[ProviderRole.TTS]
    voice: str | None = Field(default=None, max_length=128)
    tools: list[str] = Field(default_factory=list, description="Built-in or webhook tool names.")
    handoffs: list[HandoffTarget] = Field(default_factory=list)
    modalities: list[str] = Field(
        default_factory=list, description="Video the agent needs: camera, screen."
    )
    panels: list[str] = Field(default_factory=list, description="Panel types it may use.")
    vision: VisionSettings = Field(default_factory=VisionSettings)


class AgentSpec(AgentBody):
    """An agent's whole definition: what versions snapshot and export/import carry."""

    slug: Slug


class AgentCreate(AgentSpec):
    pass


class AgentUpdate(_Schema):
    """Partial update (PATCH); PUT sends a whole ``AgentBody``. The slug never changes."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    instructions: str | None = Field(default=None, min_length=1, max_length=20_000)
    greeting: str | None = Field(default=None, max_length=2_000)
    stt: str | None = None
    llm: str | None = None
    tts: str | None = None
    voice: str | None = Field(default=None, max_length=128)
    tools: list[str] | None = None
    handoffs: list[HandoffTarget] | None = None
    modalities: list[str] | None = None
    panels: list[str] | None = None
    vision: VisionSettings | None = None


class AgentRead(AgentSpec):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    organization_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


class AgentList(BaseModel):
    items: list[AgentRead]


class AgentVersionRead(BaseModel):
    version: int
    created_at: datetime
    created_by: str | None
    snapshot: AgentSpec


class AgentVersionList(BaseModel):
    items: list[AgentVersionRead]


class FieldChange(BaseModel):
    field: str
    before: Any
    after: Any


class AgentVersionDiff(BaseModel):
    agent_id: uuid.UUID
    from_version: int
    to_version: int
    changes: list[FieldChange]


class RollbackRequest(_Schema):
    version: int = Field(ge=1)


class DuplicateRequest(_Schema):
    slug: Slug
    name: str | None = Field(default=None, min_length=1, max_length=200)


class AgentToolsUpdate(_Schema):
    tools: list[str]


class StarterTemplate(BaseModel):
    id: str
    label: str
    description: str
    agent: AgentBody


class StarterTemplateList(BaseModel):
    items: list[StarterTemplate]


class CreateFromStarter(_Schema):
    template: str
    slug: Slug
    name: str | None = Field(default=None, min_length=1, max_length=200)

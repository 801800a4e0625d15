from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from troupe_contracts.config import (
    ENDPOINTING_MAX_DELAY_RANGE_MS,
    ENDPOINTING_MIN_DELAY_RANGE_MS,
    MAX_SESSION_VARIABLES,
    EndpointingMode,
    SessionVariable,
    Slug,
)

Environment = Literal["dev", "staging", "production"]
PinnedVersion = int | Literal["latest"]
MinDelayMs = Annotated[
    int, Field(ge=ENDPOINTING_MIN_DELAY_RANGE_MS[0], le=ENDPOINTING_MIN_DELAY_RANGE_MS[1])
]
MaxDelayMs = Annotated[
    int, Field(ge=ENDPOINTING_MAX_DELAY_RANGE_MS[0], le=ENDPOINTING_MAX_DELAY_RANGE_MS[1])
]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemplateOverride(_Schema):
    """A partial template applied for one environment; absent fields keep the base value.
    ``pinned_versions`` merges into the base pins (``"latest"`` unpins)."""

    initial_agent: Slug | None = None
    modality_profile: str | None = None
    enabled_panels: list[str] | None = None
    idle_timeout_s: int | None = None
    max_duration_s: int | None = None
    record_audio: bool | None = None
    pinned_versions: dict[str, PinnedVersion] | None = None


class TemplateBody(_Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    agent_set_id: uuid.UUID
    initial_agent: Slug | None = Field(
        default=None, description="Defaults to the agent set's initial agent."
    )
    modality_profile: str = "audio"
    enabled_panels: list[str] = Field(default_factory=list)
    idle_timeout_s: int = 120
    max_duration_s: int = 1800
    record_audio: bool = False
    recording_consent_text: str = Field(
        default="",
        max_length=1000,
        description="Consent notice shown to the end user when the session is recorded "
        "(a default sentence when empty).",
    )
    pinned_versions: dict[str, PinnedVersion] = Field(
        default_factory=dict, description='Agent slug -> version number or "latest".'
    )
    environment_overrides: dict[Environment, TemplateOverride] = Field(default_factory=dict)
    variables: list[SessionVariable] = Field(
        default_factory=list,
        max_length=MAX_SESSION_VARIABLES,
        description="Variables a session start passes (``{{name}}`` in instructions and "
        "greetings); names are unique.",
    )
    endpointing: EndpointingMode = Field(
        default="smart_turn",
        description="How a session decides the user has finished: 'smart_turn' (a short pause, "
        "then the offline Smart Turn model; cut-off sentences wait longer) or 'vad' (plain VAD "
        "silence).",
    )
    endpointing_min_delay_ms: MinDelayMs | None = Field(
        default=None,
        description="Silence before a turn ends (Smart Turn: after a finished sentence); null = "
        "the mode's default (250 ms Smart Turn, 500 ms VAD).",
    )
    endpointing_max_delay_ms: MaxDelayMs | None = Field(
        default=None,
        description="The longest wait (Smart Turn: after a cut-off sentence); null = the mode's "
        "default (2000 ms Smart Turn, 3000 ms VAD).",
    )
    noise_suppression: bool = Field(
        default=False,
        description="Suppress steady background noise (fans, hum, street) in the user's "
        "microphone audio on the agent's side, before voice detection and speech recognition.",
    )


class TemplateCreate(TemplateBody):
    pass


class TemplateUpdate(_Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    agent_set_id: uuid.UUID | None = None
    initial_agent: Slug | None = None
    modality_profile: str | None = None
    enabled_panels: list[str] | None = None
    idle_timeout_s: int | None = None
    max_duration_s: int | None = None
    record_audio: bool | None = None
    recording_consent_text: str | None = Field(default=None, max_length=1000)
    pinned_versions: dict[str, PinnedVersion] | None = None
    environment_overrides: dict[Environment, TemplateOverride] | None = None
    variables: list[SessionVariable] | None = Field(default=None, max_length=MAX_SESSION_VARIABLES)
    endpointing: EndpointingMode | None = None
    endpointing_min_delay_ms: MinDelayMs | None = None
    endpointing_max_delay_ms: MaxDelayMs | None = None
    noise_suppression: bool | None = None


class TemplateRead(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    description: str
    agent_set_id: uuid.UUID | None
    agents: list[str] = Field(description="The agents sessions of this template run.")
    initial_agent: str
    modality_profile: str
    enabled_panels: list[str]
    idle_timeout_s: int
    max_duration_s: int
    record_audio: bool
    recording_consent_text: str
    pinned_versions: dict[str, int]
    environment_overrides: dict[str, TemplateOverride]
    variables: list[SessionVariable] = Field(default_factory=list)
    endpointing: EndpointingMode = "smart_turn"
    endpointing_min_delay_ms: int | None = None
    endpointing_max_delay_ms: int | None = None
    noise_suppression: bool = False
    environment: Environment | None = Field(
        default=None, description="Set when the fields shown have that environment applied."
    )
    shared: bool = Field(default=False, description="Owned by another organization.")
    created_at: datetime
    updated_at: datetime


class TemplateList(BaseModel):
    items: list[TemplateRead]


class CloneRequest(_Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class ShareCreate(_Schema):
    organization: str = Field(description="Target organization id or slug.")


class ShareRead(BaseModel):
    id: uuid.UUID
    template_id: uuid.UUID
    organization_id: uuid.UUID
    target_organization_id: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None


class ShareList(BaseModel):
    items: list[ShareRead]

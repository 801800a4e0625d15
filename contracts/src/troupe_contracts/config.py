"""The fully resolved session configuration the API hands the agent runtime
(``GET /api/v1/runtime/session-config/{session_id}``)."""

from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from troupe_contracts.base import Contract
from troupe_contracts.session import ModalityProfile, PanelType

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")]


class ContextPolicy(StrEnum):
    """What the receiving agent sees of the conversation on a handoff."""

    PRESERVE = "preserve"
    RESET = "reset"


class VideoSource(StrEnum):
    CAMERA = "camera"
    SCREEN = "screen"


class VisionSettings(Contract):
    enabled: bool = False
    detail: str = Field(default="low", pattern="^(low|high|auto)$")
    fps_speaking: float = Field(default=1.0, gt=0, le=10)
    fps_silent: float = Field(default=0.2, gt=0, le=10)
    max_size: int = Field(default=1024, ge=64, le=2048)


class HandoffTarget(Contract):
    agent: Slug
    context_policy: ContextPolicy = ContextPolicy.PRESERVE
    description: str = Field(
        default="", max_length=500, description="When to transfer, for the LLM."
    )


class ToolKind(StrEnum):
    BUILTIN = "builtin"
    PANEL = "panel"
    WEBHOOK = "webhook"


class ToolConfig(Contract):
    """A tool as the runtime needs it. Webhook secrets arrive decrypted, only to the runtime."""

    name: Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")]
    kind: ToolKind
    description: str
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    url: str | None = None
    method: str = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=10.0, gt=0, le=60)


class AgentConfig(Contract):
    id: UUID
    version: int = 1
    slug: Slug
    name: str
    instructions: str
    greeting: str = ""
    stt: str
    llm: str
    tts: str
    voice: str | None = None
    tools: list[ToolConfig] = Field(default_factory=list)
    handoffs: list[HandoffTarget] = Field(default_factory=list)
    modalities: list[VideoSource] = Field(default_factory=list)
    panels: list[PanelType] = Field(default_factory=list)
    vision: VisionSettings = Field(default_factory=VisionSettings)


class SessionConfig(Contract):
    session_id: UUID
    organization_id: UUID
    template_id: UUID | None
    initial_agent: Slug
    agents: list[AgentConfig]
    modality_profile: ModalityProfile
    enabled_panels: list[PanelType] = Field(default_factory=list)
    idle_timeout_s: int = Field(default=120, ge=10, le=3600)
    max_duration_s: int = Field(default=1800, ge=30, le=4 * 3600)
    record_audio: bool = False
    recording_consent_text: str = Field(
        default="",
        max_length=1000,
        description="Shown to the user when record_audio is on (the runtime records only then).",
    )

    def agent(self, slug: str) -> AgentConfig:
        """The agent with this slug; KeyError when the config does not define it."""
        for a in self.agents:
            if a.slug == slug:
                return a
        raise KeyError(slug)

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field
from troupe_contracts import VISION_UNSUPPORTED_NOTE
from troupe_contracts.config import HandoffTarget, Language, Slug, VisionSettings
from troupe_contracts.providers import (
    DEFAULT_OFFLINE,
    ProviderRole,
    provider_by_id,
    supports_language,
)


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
    language: Language = Field(
        default="en", description="What the agent hears and speaks: en, es, fr, pt-BR, ..."
    )
    knowledge_bases: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Knowledge bases it searches (the built-in search_knowledge tool).",
    )
    knowledge_auto_tokens: int = Field(
        default=0, ge=0, le=4000, description="Automatic retrieval budget per reply; 0 = off."
    )


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
    language: Language | None = None
    knowledge_bases: list[uuid.UUID] | None = Field(default=None, max_length=20)
    knowledge_auto_tokens: int | None = Field(default=None, ge=0, le=4000)


class ConfigWarning(BaseModel):
    """Something that works, but not as the customer may expect; same shape as a problem."""

    code: str
    message: str
    field: str | None = None


def vision_warnings(*, llm: str, vision: VisionSettings) -> list[ConfigWarning]:
    """``vision_unsupported_llm``: vision is on but the catalog says the LLM cannot take
    images, so the runtime will skip frames and tell the LLM it cannot see. A warning, not an
    error: the offline default (and the starters built on it) must stay savable."""
    spec = provider_by_id(llm)
    if spec is None and llm.startswith("openai-compatible/"):
        spec = provider_by_id("openai-compatible/default")
    if not vision.enabled or spec is None or spec.role != ProviderRole.LLM or spec.vision:
        return []
    return [
        ConfigWarning(
            code="vision_unsupported_llm",
            message=(
                f"Vision is on but {llm!r} cannot take images: {VISION_UNSUPPORTED_NOTE}. "
                "The agent will be told it cannot see; pick an LLM marked vision to use it."
            ),
            field="vision.enabled",
        )
    ]


def tools_warnings(
    *, llm: str, tools: list[str], handoffs: list[HandoffTarget], panels: list[str]
) -> list[ConfigWarning]:
    """``tools_unsupported_llm``: the agent hands off, drives panels or calls tools, but the
    catalog says its LLM cannot call tools, so none of them will ever run. A warning, not an
    error, like ``vision_unsupported_llm``."""
    spec = provider_by_id(llm)
    uses = [
        what
        for what, present in (("handoffs", handoffs), ("panels", panels), ("tools", tools))
        if present
    ]
    if not uses or spec is None or spec.role != ProviderRole.LLM or spec.tool_calling:
        return []
    return [
        ConfigWarning(
            code="tools_unsupported_llm",
            message=(
                f"This agent has {', '.join(uses)}, but {llm!r} cannot call tools, so they will "
                "never run. Pick an LLM marked tools."
            ),
            field="llm",
        )
    ]


def language_warnings(*, language: str, stt: str, llm: str, tts: str) -> list[ConfigWarning]:
    """``language_unsupported``: a model of the agent does not work in its language (the
    offline models are English-only), so that part will not understand or speak it."""
    out: list[ConfigWarning] = []
    for role, provider_id in (("stt", stt), ("llm", llm), ("tts", tts)):
        spec = provider_by_id(provider_id)
        if spec is None or supports_language(spec, language):
            continue
        offered = ", ".join(spec.languages) or "none"
        out.append(
            ConfigWarning(
                code="language_unsupported",
                message=(
                    f"The agent speaks {language!r} but {provider_id!r} works in {offered} only; "
                    f"pick a {role.upper()} model for {language!r}."
                ),
                field=role,
            )
        )
    return out


class AgentRead(AgentSpec):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    organization_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    avatar_url: str | None = Field(
        default=None,
        description="The avatar image's public URL (a path under the API: "
        "``/api/v1/avatars/<token>``); None without an avatar. Set by "
        "``PUT /agents/{id}/avatar``, not by the agent's definition.",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def warnings(self) -> list[ConfigWarning]:
        """Settings that will not work as configured (stable ``code`` each)."""
        return (
            vision_warnings(llm=self.llm, vision=self.vision)
            + tools_warnings(
                llm=self.llm, tools=self.tools, handoffs=self.handoffs, panels=self.panels
            )
            + language_warnings(language=self.language, stt=self.stt, llm=self.llm, tts=self.tts)
        )


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
    version: int = Field(ge=1, le=2**31 - 1)


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

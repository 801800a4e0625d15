"""The fully resolved session configuration the API hands the agent runtime
(``GET /api/v1/runtime/session-config/{session_id}``)."""

from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, model_validator

from troupe_contracts.base import Contract
from troupe_contracts.session import ModalityProfile, PanelType

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")]


class ContextPolicy(StrEnum):
    """What the receiving agent sees of the conversation on a handoff (its context plan).

    ``preserve`` and ``reset`` are the names stored before context plans existed and keep their
    behaviour: ``preserve`` is every message without tool calls plus a takeover note, ``reset``
    is no history plus one summary line (the user's last words and the shared state)."""

    ALL = "all"
    """Every message, tool call and tool result (the previous agent's instructions excluded)."""
    LAST_N = "last_n"
    """The last ``last_n`` user and assistant messages."""
    CONVERSATION = "conversation"
    """User and assistant messages only: no tool calls, tool results or system notes."""
    NONE = "none"
    """Nothing of the conversation: the new agent starts clean."""
    SUMMARY = "summary"
    """A summary of the conversation: by the outgoing agent's LLM when it can summarise,
    otherwise an extractive one (the session log says which)."""
    PRESERVE = "preserve"
    RESET = "reset"


VariableName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
"""A shared-state variable: referenced as ``{{name}}`` in instructions."""
Scalar = bool | int | float | str


class VariableType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"


class HandoffVariable(Contract):
    """A value the LLM passes when it calls ``transfer_to_<agent>``; stored in the session's
    shared state under ``name`` and visible to every agent's instructions as ``{{name}}``."""

    name: VariableName
    description: str = Field(default="", max_length=300, description="What to pass, for the LLM.")
    type: VariableType = VariableType.STRING
    required: bool = False


MAX_SESSION_VARIABLES = 32
"""At most this many variables a template declares (and a session start passes)."""
MAX_SESSION_VARIABLE_CHARS = 1000
"""The longest string value a session variable may have."""


def scalar_matches(kind: VariableType, value: Scalar) -> bool:
    """Whether ``value`` has the variable type ``kind`` (a bool is never a number)."""
    if kind is VariableType.STRING:
        return isinstance(value, str)
    if kind is VariableType.BOOLEAN:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is VariableType.INTEGER:
        return isinstance(value, int)
    return isinstance(value, int | float)


class SessionVariable(Contract):
    """A variable a session template declares: the session start passes its value
    (``SessionStartRequest.variables``) and every agent's instructions and greeting read it
    as ``{{name}}``."""

    name: VariableName
    type: VariableType = VariableType.STRING
    required: bool = False
    default: Scalar | None = Field(
        default=None, description="Used when the start passes no value (not with required)."
    )
    description: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _default_fits(self) -> "SessionVariable":
        if self.default is None:
            return self
        if self.required:
            raise ValueError(f"{self.name}: a required variable has no default")
        if not scalar_matches(self.type, self.default):
            raise ValueError(f"{self.name}: the default is not of type {self.type.value}")
        if isinstance(self.default, str) and len(self.default) > MAX_SESSION_VARIABLE_CHARS:
            raise ValueError(f"{self.name}: the default is too long")
        return self


class RuleOp(StrEnum):
    """Comparisons a rejection rule may make. Every op but ``exists``/``missing`` is false when
    the variable is not set; ``lt``/``lte``/``gt``/``gte`` compare numbers only."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    NOT_IN = "not_in"
    EXISTS = "exists"
    MISSING = "missing"


class RuleCondition(Contract):
    variable: VariableName
    op: RuleOp
    value: Scalar | list[Scalar] | None = None


class RejectionRule(Contract):
    """Refuses the handoff when its conditions hold on the shared state (variables, then notes).
    The LLM gets ``message`` as the tool result and the conversation stays where it is. A rule
    without conditions never refuses (the API refuses to store one)."""

    match: Literal["all", "any"] = "all"
    conditions: list[RuleCondition] = Field(default_factory=list)
    message: str = Field(min_length=1, max_length=500)


class VideoSource(StrEnum):
    CAMERA = "camera"
    SCREEN = "screen"


Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
"""A language as ISO 639-1 (``en``, ``es``), optionally with a region (``pt-BR``)."""


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
    last_n: int | None = Field(
        default=None, ge=1, le=200, description="Messages passed with the ``last_n`` plan."
    )
    variables: list[HandoffVariable] = Field(default_factory=list)
    reject_when: RejectionRule | None = None


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
    language: Language = Field(
        default="en",
        description="What the agent hears and speaks (STT language, TTS voice, replies).",
    )
    knowledge_bases: list[UUID] = Field(
        default_factory=list,
        description="Knowledge bases the agent searches with the built-in search_knowledge tool.",
    )
    knowledge_auto_tokens: int = Field(
        default=0,
        ge=0,
        le=4000,
        description="Automatic retrieval: before each reply, the best passages for the user's "
        "turn (up to about this many tokens) are added to the context; 0 = off (the agent "
        "still has search_knowledge).",
    )
    avatar_url: str | None = Field(
        default=None,
        max_length=200,
        description="The agent's avatar image (``/api/v1/avatars/<token>``, public, through "
        "the web app's ``/api``); the runtime sets it as ``troupe.active_agent_avatar`` when "
        "the agent becomes active. None: the page shows the name's initial.",
    )


class ProviderCredential(Contract):
    """An organization's own key for one provider, decrypted: it reaches only the runtime."""

    api_key: str = Field(default="", max_length=500)
    base_url: str | None = Field(
        default=None, max_length=500, description="For ``openai-compatible`` only."
    )


EndpointingMode = Literal["smart_turn", "vad"]
"""How a session decides the user has finished a turn (``SessionConfig.endpointing``)."""
ENDPOINTING_MIN_DELAY_RANGE_MS = (0, 5000)
ENDPOINTING_MAX_DELAY_RANGE_MS = (100, 10000)


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
    endpointing: EndpointingMode = Field(
        default="smart_turn",
        description=(
            "How the runtime decides the user has finished: 'smart_turn' (a short pause, then "
            "the offline Smart Turn model; unfinished sentences wait longer) or 'vad' (a fixed "
            "silence of about a second)."
        ),
    )
    endpointing_min_delay_ms: int | None = Field(
        default=None,
        ge=ENDPOINTING_MIN_DELAY_RANGE_MS[0],
        le=ENDPOINTING_MIN_DELAY_RANGE_MS[1],
        description=(
            "Silence after the end of speech before a turn ends ('smart_turn': after a "
            "sentence the model calls finished); null = the mode's default (250 ms Smart Turn, "
            "500 ms VAD)."
        ),
    )
    endpointing_max_delay_ms: int | None = Field(
        default=None,
        ge=ENDPOINTING_MAX_DELAY_RANGE_MS[0],
        le=ENDPOINTING_MAX_DELAY_RANGE_MS[1],
        description=(
            "The longest wait ('smart_turn': after a sentence the model calls unfinished); "
            "null = the mode's default (2000 ms Smart Turn, 3000 ms VAD)."
        ),
    )
    noise_suppression: bool = Field(
        default=False,
        description=(
            "Suppress steady background noise in the user's microphone audio in the runtime "
            "(WebRTC's noise suppressor), before voice detection and speech recognition."
        ),
    )

    provider_keys: dict[str, ProviderCredential] = Field(
        default_factory=dict,
        description=(
            "The organization's own provider keys by provider (``openai``, ``deepgram``, "
            "``cartesia``, ``elevenlabs``, ``openai-compatible``, ...; see "
            "``troupe_contracts.providers.ORG_KEY_PROVIDERS``). The runtime uses them for this "
            "session instead of the platform's keys; a provider missing here falls back to the "
            "platform's."
        ),
    )
    variables: dict[str, Scalar] = Field(
        default_factory=dict,
        description=(
            "The session's variables (given at session start, template defaults applied): "
            "every agent's instructions and greeting read them as ``{{name}}``."
        ),
    )

    @model_validator(mode="after")
    def _delays_ordered(self) -> "SessionConfig":
        low, high = self.endpointing_min_delay_ms, self.endpointing_max_delay_ms
        if low is not None and high is not None and low > high:
            raise ValueError("endpointing_min_delay_ms must not exceed endpointing_max_delay_ms")
        return self

    def agent(self, slug: str) -> AgentConfig:
        """The agent with this slug; KeyError when the config does not define it."""
        for a in self.agents:
            if a.slug == slug:
                return a
        raise KeyError(slug)

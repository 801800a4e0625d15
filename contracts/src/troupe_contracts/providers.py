"""Provider catalog: every ``provider/model`` string an agent may name, with honest
capabilities. The API validates agent configs against it and serves it; the runtime resolves
the same strings to plugin instances."""

from enum import StrEnum
from typing import Any

from pydantic import Field

from troupe_contracts.base import Contract


class ProviderRole(StrEnum):
    STT = "stt"
    LLM = "llm"
    TTS = "tts"


class ProviderSpec(Contract):
    """One selectable model of one provider."""

    id: str = Field(description="``provider/model``, e.g. ``local/piper-joe``.")
    role: ProviderRole
    label: str
    offline: bool = Field(description="Runs on this machine with no network and no key.")
    requires_env: list[str] = Field(default_factory=list, description="Keys it needs.")
    streaming: bool = False
    tool_calling: bool = False
    vision: bool = Field(
        default=False,
        description="An LLM that accepts images in its context (camera/screen frames, "
        "uploaded images, whiteboard PNGs). A vision-enabled agent on an LLM without it is told "
        "it cannot see instead of being sent frames.",
    )
    languages: list[str] = Field(default_factory=lambda: ["en"])
    voices: list[str] = Field(default_factory=list)
    notes: str = ""
    test_only: bool = Field(default=False, description="Deterministic fake; only in test mode.")


def _local(role: ProviderRole, model: str, label: str, **kw: Any) -> ProviderSpec:
    return ProviderSpec(id=f"local/{model}", role=role, label=label, offline=True, **kw)


OPENAI_TTS_VOICES: tuple[str, ...] = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "nova",
    "onyx",
    "sage",
    "shimmer",
    "verse",
)
"""OpenAI's built-in text-to-speech voices (gpt-4o-mini-tts)."""

PROVIDER_CATALOG: tuple[ProviderSpec, ...] = (
    _local(
        ProviderRole.STT,
        "whisper-tiny",
        "Whisper tiny.en (offline)",
        notes="faster-whisper on VAD-segmented utterances. English only.",
    ),
    _local(
        ProviderRole.LLM,
        "smollm2",
        "SmolLM2-135M-Instruct (offline)",
        streaming=True,
        tool_calling=True,
        notes=(
            "Tiny: fine for 'it talks' and plain requests that name what they want (\"Can I "
            'talk to Max?"); tool calls by constrained decoding, weak on paraphrases '
            "(agent/evals). English only."
        ),
    ),
    _local(
        ProviderRole.LLM,
        "gemma3-270m",
        "Gemma 3 270M (offline)",
        streaming=True,
        tool_calling=True,
        notes=(
            "Tiny base model (not instruction-tuned); tool calls by constrained decoding, "
            "weak on paraphrases (agent/evals). English only."
        ),
    ),
    _local(
        ProviderRole.TTS,
        "piper-joe",
        "Piper en_US joe-medium (offline)",
        voices=["joe"],
        notes="One chunk per sentence. English only.",
    ),
    _local(ProviderRole.TTS, "espeak", "eSpeak NG (offline fallback)", voices=["en-us", "en-gb"]),
    ProviderSpec(
        id="deepgram/nova-2",
        role=ProviderRole.STT,
        label="Deepgram Nova-2",
        offline=False,
        requires_env=["DEEPGRAM_API_KEY"],
        streaming=True,
        languages=["en", "multi"],
    ),
    ProviderSpec(
        id="deepgram/nova-3",
        role=ProviderRole.STT,
        label="Deepgram Nova-3",
        offline=False,
        requires_env=["DEEPGRAM_API_KEY"],
        streaming=True,
        languages=["en", "multi"],
    ),
    ProviderSpec(
        id="openai/gpt-4.1-mini",
        role=ProviderRole.LLM,
        label="OpenAI GPT-4.1 mini",
        offline=False,
        requires_env=["OPENAI_API_KEY"],
        streaming=True,
        tool_calling=True,
        vision=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="openai/gpt-4.1",
        role=ProviderRole.LLM,
        label="OpenAI GPT-4.1",
        offline=False,
        requires_env=["OPENAI_API_KEY"],
        streaming=True,
        tool_calling=True,
        vision=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="openai/gpt-4o",
        role=ProviderRole.LLM,
        label="OpenAI GPT-4o",
        offline=False,
        requires_env=["OPENAI_API_KEY"],
        streaming=True,
        tool_calling=True,
        vision=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="anthropic/claude-sonnet-4-6",
        role=ProviderRole.LLM,
        label="Anthropic Claude Sonnet 4.6",
        offline=False,
        requires_env=["ANTHROPIC_API_KEY"],
        streaming=True,
        tool_calling=True,
        vision=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="anthropic/claude-3-5-haiku-20241022",
        role=ProviderRole.LLM,
        label="Anthropic Claude 3.5 Haiku",
        offline=False,
        requires_env=["ANTHROPIC_API_KEY"],
        streaming=True,
        tool_calling=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="google/gemini-2.5-flash",
        role=ProviderRole.LLM,
        label="Google Gemini 2.5 Flash",
        offline=False,
        requires_env=["GOOGLE_API_KEY"],
        streaming=True,
        tool_calling=True,
        vision=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="groq/llama-3.3-70b-versatile",
        role=ProviderRole.LLM,
        label="Groq Llama 3.3 70B",
        offline=False,
        requires_env=["GROQ_API_KEY"],
        streaming=True,
        tool_calling=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="groq/llama-3.1-8b-instant",
        role=ProviderRole.LLM,
        label="Groq Llama 3.1 8B Instant",
        offline=False,
        requires_env=["GROQ_API_KEY"],
        streaming=True,
        tool_calling=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="openai-compatible/default",
        role=ProviderRole.LLM,
        label="OpenAI-compatible server (OPENAI_BASE_URL, e.g. Ollama, vLLM, llama.cpp)",
        offline=True,
        requires_env=["OPENAI_BASE_URL"],
        streaming=True,
        tool_calling=True,
        languages=["multi"],
    ),
    ProviderSpec(
        id="cartesia/sonic",
        role=ProviderRole.TTS,
        label="Cartesia Sonic",
        offline=False,
        requires_env=["CARTESIA_API_KEY"],
        streaming=True,
        voices=["default"],
        languages=["multi"],
    ),
    ProviderSpec(
        id="elevenlabs/eleven_turbo_v2_5",
        role=ProviderRole.TTS,
        label="ElevenLabs Turbo v2.5",
        offline=False,
        requires_env=["ELEVEN_API_KEY"],
        streaming=True,
        voices=["default"],
        languages=["multi"],
    ),
    ProviderSpec(
        id="openai/gpt-4o-mini-tts",
        role=ProviderRole.TTS,
        label="OpenAI gpt-4o-mini-tts",
        offline=False,
        requires_env=["OPENAI_API_KEY"],
        streaming=False,
        voices=list(OPENAI_TTS_VOICES),
        languages=["multi"],
        notes="OpenAI's built-in voices (OpenAI has no voice-list endpoint: this is its "
        "documented list).",
    ),
    ProviderSpec(
        id="fake/echo",
        role=ProviderRole.LLM,
        label="Test: echo LLM",
        offline=True,
        streaming=True,
        tool_calling=True,
        vision=True,
        test_only=True,
        notes="Replies 'You said: <text>'. Deterministic. Accepts images (ignores them).",
    ),
    ProviderSpec(
        id="fake/scripted",
        role=ProviderRole.LLM,
        label="Test: scripted LLM",
        offline=True,
        streaming=True,
        tool_calling=True,
        vision=True,
        test_only=True,
    ),
    ProviderSpec(
        id="fake/instant",
        role=ProviderRole.STT,
        label="Test: instant STT",
        offline=True,
        test_only=True,
        notes="Returns a scripted or fixed transcript at once on each VAD-ended utterance.",
    ),
    ProviderSpec(
        id="fake/tone",
        role=ProviderRole.TTS,
        label="Test: tone TTS",
        offline=True,
        test_only=True,
        notes="Returns a short generated tone at once, in chunks. For latency benches.",
    ),
)


ORG_KEY_PROVIDERS: dict[str, str] = {
    "openai": "OPENAI_API_KEY",
    "openai-compatible": "OPENAI_BASE_URL",
    "deepgram": "DEEPGRAM_API_KEY",
    "cartesia": "CARTESIA_API_KEY",
    "elevenlabs": "ELEVEN_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google": "GOOGLE_API_KEY",
    "groq": "GROQ_API_KEY",
}
"""The providers an organization can bring its own key for, with the platform environment
variable that key stands in for (``requires_env`` of the catalog). For ``openai-compatible``
the organization gives a base URL and, when its server wants one, a key."""


def org_key_provider(env_name: str) -> str | None:
    """The ``ORG_KEY_PROVIDERS`` entry whose key stands in for ``env_name``."""
    return next((p for p, env in ORG_KEY_PROVIDERS.items() if env == env_name), None)


def supports_language(spec: ProviderSpec, language: str) -> bool:
    """Whether the model works in ``language`` (``multi``: any language)."""
    return "multi" in spec.languages or language.split("-")[0] in spec.languages


def is_english_only(spec: ProviderSpec) -> bool:
    """A model that understands or speaks English only (the offline local models)."""
    return spec.languages == ["en"]


def provider_by_id(provider_id: str) -> ProviderSpec | None:
    """The catalog entry for ``provider/model``, or None when unknown. Any
    ``openai-compatible/<model>`` is the generic OpenAI-compatible entry: the model is whatever
    the server at OPENAI_BASE_URL (or the organization's base URL) serves under that name."""
    spec = next((p for p in PROVIDER_CATALOG if p.id == provider_id), None)
    if (
        spec is None
        and provider_id.startswith("openai-compatible/")
        and provider_id != ("openai-compatible/")
    ):
        return next(p for p in PROVIDER_CATALOG if p.id == "openai-compatible/default")
    return spec


DEFAULT_OFFLINE = {
    ProviderRole.STT: "local/whisper-tiny",
    ProviderRole.LLM: "local/smollm2",
    ProviderRole.TTS: "local/piper-joe",
}
DEFAULT_CLOUD = {
    ProviderRole.STT: "deepgram/nova-2",
    ProviderRole.LLM: "openai/gpt-4.1-mini",
    ProviderRole.TTS: "cartesia/sonic",
}

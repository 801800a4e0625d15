"""Resolves the ``provider/model`` strings of ``troupe_contracts.providers.PROVIDER_CATALOG``
to plugin instances.

Rules:
- a cloud provider whose key is missing falls back, with a warning, to the offline default for
  its role (``DEFAULT_OFFLINE``), so a session without keys still talks;
- an unknown id, or a ``fake/*`` id while test providers are disabled, falls back the same way;
- non-streaming STT is wrapped in ``stt.StreamAdapter`` with the session VAD, non-streaming TTS
  in ``tts.StreamAdapter`` (sentence by sentence);
- local models come from the per-process ``LocalModels`` cache, never loaded per session."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from livekit.agents import NOT_GIVEN, llm, stt, tts
from livekit.agents import tts as lk_tts  # the tts() method shadows the module in the class
from troupe_contracts.config import ProviderCredential, SessionConfig
from troupe_contracts.providers import (
    DEFAULT_OFFLINE,
    ProviderRole,
    ProviderSpec,
    org_key_provider,
    provider_by_id,
)

from troupe_agent.local_models import LocalModels
from troupe_agent.logging import get_logger
from troupe_agent.settings import Settings

log = get_logger(__name__)


class ProviderError(RuntimeError):
    """A provider cannot be built (bad id, missing optional package or binary)."""


@dataclass(frozen=True)
class Resolution:
    requested: str
    resolved: str
    reason: str | None = None
    """Why ``resolved`` differs from ``requested``; None when it does not."""


_KEY_SETTINGS = {
    "openai_api_key": "openai",
    "deepgram_api_key": "deepgram",
    "cartesia_api_key": "cartesia",
    "eleven_api_key": "elevenlabs",
    "anthropic_api_key": "anthropic",
    "google_api_key": "google",
    "groq_api_key": "groq",
}
"""Platform key setting -> the provider whose organization key replaces it."""


class ProviderRegistry:
    def __init__(
        self,
        settings: Settings,
        models: LocalModels,
        *,
        credentials: Mapping[str, ProviderCredential] | None = None,
    ) -> None:
        self._settings = settings
        self._models = models
        self._credentials = dict(credentials or {})
        """The organization's own keys (``SessionConfig.provider_keys``): used instead of the
        platform's, which stay the fallback."""
        self.resolutions: list[Resolution] = []

    def for_session(self, config: SessionConfig) -> ProviderRegistry:
        """A registry for one session: the same settings and shared local models, with the
        session's organization keys."""
        return ProviderRegistry(self._settings, self._models, credentials=config.provider_keys)

    def _has_env(self, name: str) -> bool:
        """Whether the key behind env var ``name`` is available: the organization's own, or
        the platform's."""
        provider = org_key_provider(name)
        own = self._credentials.get(provider) if provider is not None else None
        if own is not None and (own.base_url if provider == "openai-compatible" else own.api_key):
            return True
        return self._settings.has_env(name)

    # ------------------------------------------------------------------ resolution of ids

    def _resolution(self, provider_id: str, role: ProviderRole) -> tuple[str, str | None]:
        """(the id that will really be used, why it differs from ``provider_id`` or None)."""
        spec = provider_by_id(provider_id)
        reason: str | None = None
        if spec is None and provider_id.startswith("openai-compatible/"):
            spec = provider_by_id("openai-compatible/default")
        if spec is None:
            reason = "unknown provider"
        elif spec.role != role:
            reason = f"provider is a {spec.role.value} provider, not {role.value}"
        elif spec.test_only and not self._settings.troupe_enable_test_providers:
            reason = "test providers are disabled (TROUPE_ENABLE_TEST_PROVIDERS=false)"
        elif missing := [k for k in spec.requires_env if not self._has_env(k)]:
            reason = f"missing {', '.join(missing)}"
        return (provider_id if reason is None else DEFAULT_OFFLINE[role]), reason

    def resolve_id(self, provider_id: str, role: ProviderRole) -> str:
        """The id that will really be used for ``provider_id`` in ``role``."""
        resolved, reason = self._resolution(provider_id, role)
        if reason is not None:
            log.warning(
                "provider unavailable, using the offline default",
                role=role.value,
                requested=provider_id,
                fallback=resolved,
                reason=reason,
            )
        self.resolutions.append(Resolution(provider_id, resolved, reason))
        return resolved

    def sees_images(self, provider_id: str) -> bool:
        """Whether the LLM that ``provider_id`` resolves to (after any fallback) accepts images:
        the catalog's ``vision`` flag. A cloud LLM without its key falls back to the offline
        default, which cannot see."""
        resolved, _ = self._resolution(provider_id, ProviderRole.LLM)
        return llm_sees_images(resolved)

    @staticmethod
    def _split(provider_id: str) -> tuple[str, str]:
        provider, _, model = provider_id.partition("/")
        return provider, model

    # ------------------------------------------------------------------ builders per role

    def stt(self, provider_id: str, *, language: str = "en") -> stt.STT[Any]:
        resolved = self.resolve_id(provider_id, ProviderRole.STT)
        provider, model = self._split(resolved)
        instance: stt.STT[Any]
        if resolved == "local/whisper-tiny":
            from troupe_agent.providers.local_stt import WhisperSTT

            # tiny.en is English-only: another language gets a language_unsupported warning
            instance = WhisperSTT(self._models.whisper(), language="en")
        elif resolved == "fake/instant":
            from troupe_agent.providers.fake import InstantSTT

            instance = InstantSTT.from_env()
        elif provider == "deepgram":
            from livekit.plugins import deepgram

            instance = deepgram.STT(model=model, language=language, **self._key("deepgram_api_key"))
        else:
            raise ProviderError(f"no STT builder for {resolved}")
        if not instance.capabilities.streaming and self._settings.troupe_stt_vad_flush:
            from troupe_agent.providers.local_stt import FlushedSTT

            instance = FlushedSTT(instance)  # flushed by the session's VAD / turn detector
        elif not instance.capabilities.streaming:
            instance = stt.StreamAdapter(stt=instance, vad=self._models.vad("vad"))
        return instance

    def llm(self, provider_id: str, *, agent: str | None = None) -> llm.LLM[Any]:
        """``agent``: the slug of the agent the LLM serves (``fake/scripted`` follows that
        agent's part of its script)."""
        resolved = self.resolve_id(provider_id, ProviderRole.LLM)
        provider, model = self._split(resolved)
        if provider == "local":
            from troupe_agent.providers.local_llm import build_local_llm

            return build_local_llm(self._models, model)
        if resolved == "fake/echo":
            from troupe_agent.providers.fake import EchoLLM

            return EchoLLM()
        if resolved == "fake/scripted":
            from troupe_agent.providers.fake import ScriptedLLM

            return ScriptedLLM.from_env(agent=agent)
        if provider == "openai":
            from livekit.plugins import openai

            return openai.LLM(model=model, **self._key("openai_api_key"))
        if provider == "openai-compatible":
            from troupe_agent.providers.openai_compatible import OpenAICompatibleLLM

            own = self._credentials.get("openai-compatible")
            if own is not None and own.base_url:
                # the organization's server: never send it the platform's OpenAI key
                base_url: str | None = own.base_url
                api_key = own.api_key or None
            else:
                base_url = self._settings.openai_base_url
                api_key = self._secret("openai_api_key")
            return OpenAICompatibleLLM(
                request_timeout_s=self._settings.openai_compatible_timeout_s,
                model=self._settings.openai_compatible_model if model == "default" else model,
                base_url=base_url or NOT_GIVEN,
                # local servers (Ollama, llama.cpp) accept any key; the client insists on one
                api_key=api_key or "not-needed",
            )
        if provider == "anthropic":
            from livekit.plugins import anthropic

            return anthropic.LLM(model=model, **self._key("anthropic_api_key"))
        if provider == "google":
            from livekit.plugins import google

            return google.LLM(model=model, **self._key("google_api_key"))
        if provider == "groq":
            from livekit.plugins import groq

            return groq.LLM(model=model, **self._key("groq_api_key"))
        raise ProviderError(f"no LLM builder for {resolved}")

    def tts(
        self, provider_id: str, *, voice: str | None = None, language: str = "en"
    ) -> tts.TTS[Any]:
        """``language``: the agent's; picks the voice when none is chosen (eSpeak) and is
        passed to cloud TTS that take one."""
        resolved = self.resolve_id(provider_id, ProviderRole.TTS)
        provider, model = self._split(resolved)
        instance: tts.TTS[Any]
        if resolved == "local/piper-joe":
            from troupe_agent.providers.local_tts import PiperTTS

            instance = PiperTTS(self._models.piper())
        elif resolved == "local/espeak":
            from troupe_agent.providers.local_tts import EspeakTTS

            default_voice = "en-us" if language.split("-")[0] == "en" else language.lower()
            instance = EspeakTTS(voice=voice if voice and voice != "default" else default_voice)
        elif resolved == "fake/tone":
            from troupe_agent.providers.fake import ToneTTS

            instance = ToneTTS()
        elif provider == "cartesia":
            from livekit.plugins import cartesia

            kwargs: dict[str, Any] = {"language": language.split("-")[0]}
            if voice and voice != "default":
                kwargs["voice"] = voice
            instance = cartesia.TTS(**self._key("cartesia_api_key"), **kwargs)
        elif provider == "elevenlabs":
            from livekit.plugins import elevenlabs

            el_kwargs: dict[str, Any] = {"model": model, "language": language.split("-")[0]}
            if voice and voice != "default":
                el_kwargs["voice_id"] = voice
            instance = elevenlabs.TTS(**self._key("eleven_api_key"), **el_kwargs)
        elif provider == "openai":
            from livekit.plugins import openai

            oa_kwargs: dict[str, Any] = {"model": model}
            if voice and voice != "default":
                oa_kwargs["voice"] = voice
            instance = openai.TTS(**self._key("openai_api_key"), **oa_kwargs)
        else:
            raise ProviderError(f"no TTS builder for {resolved}")
        if not instance.capabilities.streaming:
            # Piper gets clauses, not whole sentences (PiperTTS.sentence_tokenizer)
            tokenizer = getattr(instance, "sentence_tokenizer", None)
            instance = tts.StreamAdapter(tts=instance, sentence_tokenizer=tokenizer or NOT_GIVEN)
        return instance

    def fallback_tts(self) -> lk_tts.TTS[Any]:
        """The voice of last resort (apologies when the configured TTS fails): eSpeak NG."""
        from troupe_agent.providers.local_tts import EspeakTTS

        return EspeakTTS()

    def _key(self, name: str) -> dict[str, Any]:
        """``{"api_key": ...}``: the organization's key for the provider behind setting
        ``name``, else the platform's when set; plugins read their env otherwise."""
        own = self._credentials.get(_KEY_SETTINGS.get(name, ""))
        if own is not None and own.api_key:
            return {"api_key": own.api_key}
        secret = self._secret(name)
        return {"api_key": secret} if secret else {}

    def _secret(self, name: str) -> str | None:
        value = getattr(self._settings, name)
        return value.get_secret_value() if value is not None else None


def spec_for(provider_id: str) -> ProviderSpec | None:
    return provider_by_id(provider_id)


def llm_sees_images(provider_id: str) -> bool:
    """The catalog's ``vision`` flag of an LLM id (``openai-compatible/<model>`` counts as the
    generic entry); False for an id the catalog does not know."""
    spec = provider_by_id(provider_id)
    if spec is None and provider_id.startswith("openai-compatible/"):
        spec = provider_by_id("openai-compatible/default")
    return spec is not None and spec.role == ProviderRole.LLM and spec.vision

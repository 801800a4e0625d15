"""A provider registry stand-in that hands out given fake instances.

It implements every public method of the real ``ProviderRegistry`` (test_fake_providers.py
fails when the real one gains a method this fake lacks), so code that takes the real registry
(the session worker, the simulation claimer) can run on it."""

from __future__ import annotations

from livekit.agents import llm, stt, tts
from troupe_agent.providers.fake import EchoLLM, FakeTTS
from troupe_agent.providers.registry import Resolution, llm_sees_images
from troupe_contracts.config import SessionConfig
from troupe_contracts.providers import ProviderRole


class FakeProviders:
    def __init__(
        self,
        *,
        llm: llm.LLM | None = None,
        tts: tts.TTS | None = None,
        stt: stt.STT | None = None,
        llms: dict[str, llm.LLM] | None = None,
    ) -> None:
        self._llm = llm or EchoLLM()
        self._llms = llms or {}
        """Per provider id: give each agent its own ``llm="fake/<name>"`` and script."""
        self._tts = tts or FakeTTS()
        self._stt = stt  # None: text-only tests need no STT (no VAD to segment audio)
        self.requested: list[tuple[str, str]] = []
        self.resolutions: list[Resolution] = []
        self.sessions: list[SessionConfig] = []
        """The configs ``for_session`` was called with (the real one applies their keys)."""

    def for_session(self, config: SessionConfig) -> FakeProviders:
        """The same fakes: a test's scripted models serve every session."""
        self.sessions.append(config)
        return self

    def resolve_id(self, provider_id: str, role: ProviderRole) -> str:
        """Every id is available: the fakes stand in for whatever a test names."""
        self.resolutions.append(Resolution(provider_id, provider_id))
        return provider_id

    def stt(self, provider_id: str, **_: object) -> stt.STT | None:
        self.requested.append(("stt", provider_id))
        return self._stt

    def llm(self, provider_id: str, **_: object) -> llm.LLM:
        self.requested.append(("llm", provider_id))
        return self._llms.get(provider_id, self._llm)

    def sees_images(self, provider_id: str) -> bool:
        """The catalog's answer, as the real registry gives it (no key-based fallback)."""
        return llm_sees_images(provider_id)

    def tts(self, provider_id: str, **_: object) -> tts.TTS:
        self.requested.append(("tts", provider_id))
        return self._tts

    def fallback_tts(self) -> tts.TTS:
        from troupe_agent.providers.local_tts import EspeakTTS

        return EspeakTTS()

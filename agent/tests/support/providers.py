"""A provider registry stand-in that hands out given fake instances."""

from __future__ import annotations

from livekit.agents import llm, stt, tts
from troupe_agent.providers.fake import EchoLLM, FakeTTS
from troupe_agent.providers.registry import llm_sees_images


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

"""Language per agent: the STT hears it, the TTS voice speaks it, the LLM is told to answer
in it; the English-only offline Whisper stays on English."""

from typing import Any

from support.configs import agent_config, session_config
from support.providers import FakeProviders
from troupe_agent.agents import LANGUAGE_NOTE, AgentFactory, build_instructions
from troupe_agent.local_models import LocalModels
from troupe_agent.providers import ProviderRegistry
from troupe_agent.settings import Settings
from troupe_contracts.config import ProviderCredential


class RecordingProviders(FakeProviders):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def stt(self, provider_id: str, **kw: object) -> None:
        self.calls.append(("stt", provider_id, dict(kw)))
        return None

    def tts(self, provider_id: str, **kw: object) -> Any:
        self.calls.append(("tts", provider_id, dict(kw)))
        return super().tts(provider_id)


def test_the_agents_language_reaches_stt_tts_and_instructions() -> None:
    spanish = agent_config("ana", language="es", stt="deepgram/nova-3", tts="cartesia/sonic")
    providers = RecordingProviders()
    factory = AgentFactory(session_config(spanish), providers)
    agent = factory.build("ana")
    assert ("stt", "deepgram/nova-3", {"language": "es"}) in providers.calls
    assert ("tts", "cartesia/sonic", {"voice": None, "language": "es"}) in providers.calls
    assert LANGUAGE_NOTE.format(language="es") in agent.instructions
    assert LANGUAGE_NOTE.format(language="en") not in build_instructions(agent_config("bob"))


def test_the_registry_picks_a_voice_of_the_language(settings: Settings) -> None:
    registry = ProviderRegistry(settings, LocalModels()).for_session(
        session_config().model_copy(
            update={"provider_keys": {"cartesia": ProviderCredential(api_key="ca-org")}}
        )
    )

    def espeak_voice(**kw: Any) -> str:
        engine = registry.tts("local/espeak", **kw)
        return str(getattr(engine, "_wrapped_tts", engine)._voice)

    assert espeak_voice(language="fr") == "fr"
    assert espeak_voice(voice="en-gb", language="fr") == "en-gb"  # a chosen voice stays
    assert espeak_voice() == "en-us"
    cartesia = registry.tts("cartesia/sonic", language="pt-BR")
    assert cartesia._opts.language == "pt"  # type: ignore[attr-defined]

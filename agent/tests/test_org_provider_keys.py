"""An organization's own provider keys (``SessionConfig.provider_keys``) replace the platform's
for that session; the platform's stay the fallback."""

import pytest
from pydantic import SecretStr
from support.configs import session_config
from troupe_agent.local_models import LocalModels
from troupe_agent.providers import ProviderRegistry
from troupe_agent.settings import Settings
from troupe_contracts.config import ProviderCredential, SessionConfig
from troupe_contracts.providers import ProviderRole


@pytest.fixture(scope="module")
def models() -> LocalModels:
    return LocalModels()


def with_keys(**keys: ProviderCredential) -> SessionConfig:
    return session_config().model_copy(
        update={"provider_keys": {name.replace("_", "-"): c for name, c in keys.items()}}
    )


def client_of(instance: object) -> tuple[str, str]:
    client = instance._client  # type: ignore[attr-defined]
    return str(client.base_url), str(client.api_key)


def test_the_organizations_keys_enable_cloud_providers_without_platform_keys(
    settings: Settings, models: LocalModels
) -> None:
    base = ProviderRegistry(settings, models)
    assert base.resolve_id("openai/gpt-4.1-mini", ProviderRole.LLM) == "local/smollm2"
    registry = base.for_session(
        with_keys(
            openai=ProviderCredential(api_key="sk-org"),
            deepgram=ProviderCredential(api_key="dg-org"),
            cartesia=ProviderCredential(api_key="ca-org"),
            elevenlabs=ProviderCredential(api_key="el-org"),
        )
    )
    assert registry.resolve_id("openai/gpt-4.1-mini", ProviderRole.LLM) == "openai/gpt-4.1-mini"
    assert registry.resolve_id("deepgram/nova-2", ProviderRole.STT) == "deepgram/nova-2"
    assert registry.resolve_id("cartesia/sonic", ProviderRole.TTS) == "cartesia/sonic"
    assert (
        registry.resolve_id("elevenlabs/eleven_turbo_v2_5", ProviderRole.TTS)
        == "elevenlabs/eleven_turbo_v2_5"
    )
    assert client_of(registry.llm("openai/gpt-4.1-mini"))[1] == "sk-org"
    assert registry.stt("deepgram/nova-2")._api_key == "dg-org"  # type: ignore[attr-defined]
    assert registry.tts("cartesia/sonic")._opts.api_key == "ca-org"  # type: ignore[attr-defined]
    # another session of the platform is untouched
    assert base.resolve_id("deepgram/nova-2", ProviderRole.STT) == "local/whisper-tiny"


def test_the_organizations_key_wins_over_the_platforms(
    settings: Settings, models: LocalModels
) -> None:
    settings = settings.model_copy(update={"openai_api_key": SecretStr("sk-platform")})
    base = ProviderRegistry(settings, models)
    assert client_of(base.llm("openai/gpt-4.1-mini"))[1] == "sk-platform"
    own = base.for_session(with_keys(openai=ProviderCredential(api_key="sk-org")))
    assert client_of(own.llm("openai/gpt-4.1-mini"))[1] == "sk-org"
    empty = base.for_session(with_keys())
    assert client_of(empty.llm("openai/gpt-4.1-mini"))[1] == "sk-platform"  # the fallback


def test_an_organizations_server_never_receives_the_platforms_openai_key(
    settings: Settings, models: LocalModels
) -> None:
    settings = settings.model_copy(
        update={
            "openai_api_key": SecretStr("sk-platform"),
            "openai_base_url": "http://127.0.0.1:11434/v1",
        }
    )
    base = ProviderRegistry(settings, models)
    assert client_of(base.llm("openai-compatible/llama3"))[0].startswith("http://127.0.0.1:11434")
    own = base.for_session(
        with_keys(openai_compatible=ProviderCredential(base_url="http://10.1.2.3:8080/v1"))
    )
    url, key = client_of(own.llm("openai-compatible/llama3"))
    assert url.startswith("http://10.1.2.3:8080/v1") and key == "not-needed"
    keyed = base.for_session(
        with_keys(openai_compatible=ProviderCredential(api_key="org-srv", base_url="http://h:1/v1"))
    )
    assert client_of(keyed.llm("openai-compatible/default"))[1] == "org-srv"


def test_an_organizations_server_makes_openai_compatible_available(
    settings: Settings, models: LocalModels
) -> None:
    base = ProviderRegistry(settings, models)  # no OPENAI_BASE_URL on the platform
    assert base.resolve_id("openai-compatible/default", ProviderRole.LLM) == "local/smollm2"
    own = base.for_session(
        with_keys(openai_compatible=ProviderCredential(base_url="http://10.1.2.3:8080/v1"))
    )
    assert (
        own.resolve_id("openai-compatible/default", ProviderRole.LLM) == "openai-compatible/default"
    )


def test_anthropic_gemini_and_groq_run_through_their_plugins(
    settings: Settings, models: LocalModels
) -> None:
    from livekit.plugins import anthropic, google, groq

    base = ProviderRegistry(settings, models)
    ids = {
        "anthropic/claude-sonnet-4-6": anthropic.LLM,
        "google/gemini-2.5-flash": google.LLM,
        "groq/llama-3.3-70b-versatile": groq.LLM,
    }
    for provider_id in ids:  # no key anywhere: the offline default
        assert base.resolve_id(provider_id, ProviderRole.LLM) == "local/smollm2"
    own = base.for_session(
        with_keys(
            anthropic=ProviderCredential(api_key="an-org"),
            google=ProviderCredential(api_key="go-org"),
            groq=ProviderCredential(api_key="gr-org"),
        )
    )
    for provider_id, plugin in ids.items():
        assert own.resolve_id(provider_id, ProviderRole.LLM) == provider_id
        instance = own.llm(provider_id)
        assert isinstance(instance, plugin)
        assert instance.model == provider_id.split("/", 1)[1]
    platform = ProviderRegistry(
        settings.model_copy(update={"groq_api_key": SecretStr("gr-platform")}), models
    )
    assert isinstance(platform.llm("groq/llama-3.1-8b-instant"), groq.LLM)


def test_openai_tts_speaks_with_the_organizations_key_and_the_chosen_voice(
    settings: Settings, models: LocalModels
) -> None:
    base = ProviderRegistry(settings, models)
    # no key anywhere: the offline voice stands in
    assert base.resolve_id("openai/gpt-4o-mini-tts", ProviderRole.TTS) == "local/piper-joe"
    registry = base.for_session(with_keys(openai=ProviderCredential(api_key="sk-org")))
    assert registry.resolve_id("openai/gpt-4o-mini-tts", ProviderRole.TTS) == (
        "openai/gpt-4o-mini-tts"
    )
    speaker = registry.tts("openai/gpt-4o-mini-tts", voice="coral")
    inner = getattr(speaker, "_wrapped_tts", speaker)  # non-streaming: sentence by sentence
    assert inner._opts.voice == "coral"  # type: ignore[attr-defined]
    assert inner._opts.model == "gpt-4o-mini-tts"  # type: ignore[attr-defined]
    assert str(inner._client.api_key) == "sk-org"  # type: ignore[attr-defined]

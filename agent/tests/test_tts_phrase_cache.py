"""The greeting cache of the local Piper voice: a remembered greeting's pieces are synthesized
once, then read from memory or disk (a new job process too); other text is never cached; a
greeting with session variables in it is not remembered."""

from pathlib import Path
from typing import Any

import pytest
from livekit import rtc
from livekit.agents import AgentSession, tts
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import make_runtime
from troupe_agent import handoff
from troupe_agent.agents import AgentFactory
from troupe_agent.local_models import LocalModels
from troupe_agent.providers import local_tts
from troupe_agent.providers.fake import ScriptedLLM, ToneTTS
from troupe_agent.providers.local_tts import PhraseCache, PiperTTS, remember_greeting
from troupe_agent.session import build_session

GREETING = "Hello, I am Joe. How can I help?"


@pytest.fixture(scope="module")
def models() -> LocalModels:
    return LocalModels()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PhraseCache:
    """A fresh process-wide cache in a temporary directory."""
    monkeypatch.setenv("TROUPE_TTS_CACHE_DIR", str(tmp_path / "tts-cache"))
    monkeypatch.delenv("TROUPE_TTS_GREETING_CACHE", raising=False)
    monkeypatch.setattr(local_tts, "_phrase_cache", None)
    return local_tts.phrase_cache()


def as_in_a_session(piper: PiperTTS) -> tts.StreamAdapter:
    """Wrapped as the provider registry wraps it (clauses)."""
    assert piper.sentence_tokenizer is not None
    return tts.StreamAdapter(tts=piper, sentence_tokenizer=piper.sentence_tokenizer)


async def spoken(instance: tts.TTS[Any], text: str) -> bytes:
    """What the session's stream adapter renders for ``text``, piece by piece."""
    stream = instance.stream()
    stream.push_text(text)
    stream.end_input()
    frames = [ev.frame async for ev in stream]
    await stream.aclose()
    return rtc.combine_audio_frames(frames).data.tobytes()


async def test_a_remembered_greeting_is_synthesized_once(
    models: LocalModels, cache: PhraseCache
) -> None:
    piper = PiperTTS(models.piper())
    adapter = as_in_a_session(piper)
    assert remember_greeting(adapter, GREETING) and piper.cache is cache

    first = await spoken(adapter, GREETING)
    files = sorted(cache.directory.glob("*.pcm"))
    assert len(files) == 2  # "Hello, I am Joe." and "How can I help?"
    assert (cache.hits, cache.misses) == (0, 2)

    again = await spoken(adapter, GREETING)
    assert again == first  # Piper varies from run to run: identical audio came from the cache
    assert cache.hits == 2

    # a new job process: an empty memory, the files on disk
    fresh = PhraseCache(cache.directory)
    fresh.remember(GREETING)
    piper.cache = fresh
    assert await spoken(adapter, GREETING) == first
    assert (fresh.hits, fresh.misses) == (2, 0)

    # a reply is not a greeting: rendered, never stored
    await spoken(adapter, "The weather in Paris is sunny today.")
    assert sorted(cache.directory.glob("*.pcm")) == files


def test_only_piper_remembers_and_the_switch_turns_it_off(
    models: LocalModels, cache: PhraseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not remember_greeting(ToneTTS(), GREETING)
    monkeypatch.setenv("TROUPE_TTS_GREETING_CACHE", "0")
    piper = PiperTTS(models.piper())
    assert not remember_greeting(piper, GREETING) and piper.cache is None


def test_the_disk_cache_keeps_the_newest_files(tmp_path: Path) -> None:
    cache = PhraseCache(tmp_path, max_memory=1, max_files=2)
    keys = [cache.key("voice", 22050, f"phrase {i}") for i in range(3)]
    for i, key in enumerate(keys):
        cache.put(key, bytes([i]) * 4)
    assert sorted(p.stem for p in tmp_path.glob("*.pcm")) == sorted(keys[1:])
    assert cache.get(keys[0]) is None
    assert cache.get(keys[1]) == b"\x01" * 4  # from disk: memory holds only the newest
    assert cache.key("voice", 22050, "a  b") == cache.key("voice", 22050, "a b")
    assert cache.key("voice", 22050, "a b") != cache.key("other", 22050, "a b")


async def run_greeting(greeting: str, instance: tts.TTS[Any], tmp_path: Path) -> None:
    config = session_config(agent_config("host", llm="fake/host", greeting=greeting))
    config = config.model_copy(update={"variables": {"customer_name": "Ada"}})
    runtime = make_runtime(config, tmp_path)
    providers = FakeProviders(llms={"fake/host": ScriptedLLM(["Sure."])}, tts=instance)
    factory = AgentFactory(config, providers, runtime=runtime)
    session: AgentSession[Any] = build_session(None, userdata=runtime.state)
    handoff.attach(session)
    async with session:
        await session.start(factory.build_initial())
        await session.run(user_input="Hi")


async def test_the_session_remembers_only_a_greeting_without_variables(
    models: LocalModels, cache: PhraseCache, tmp_path: Path
) -> None:
    piper = PiperTTS(models.piper())
    adapter = as_in_a_session(piper)
    await run_greeting("Hello {{customer_name}}, welcome back!", adapter, tmp_path / "a")
    assert piper.cache is None and not cache.cacheable("Hello Ada, welcome back!")

    await run_greeting(GREETING, adapter, tmp_path / "b")
    assert piper.cache is cache and cache.cacheable("How can I help?")

"""Conversation behaviour with deterministic fake providers and no room."""

import shutil

import pytest
from livekit.agents import llm
from livekit.agents.voice.events import ConversationItemAddedEvent
from support.configs import agent_config, session_config
from support.fake_io import FakeAudioOutput
from support.providers import FakeProviders
from support.session import assistant_texts, wait_for
from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.events import RecordingEventPublisher
from troupe_agent.providers.fake import ECHO_PREFIX, FakeTTS, ScriptedLLM
from troupe_agent.recovery import APOLOGY, ErrorRecovery
from troupe_agent.session import build_session


def make_agent(
    providers: FakeProviders, *, greeting: str = "Hi, I am Host.", entered: list[str] | None = None
) -> TroupeAgent:
    config = session_config(agent_config(greeting=greeting))
    factory = AgentFactory(
        config,
        providers,  # type: ignore[arg-type]
        on_entered=(lambda a: entered.append(a.slug)) if entered is not None else None,
    )
    return factory.build_initial()


async def test_greeting_on_enter() -> None:
    entered: list[str] = []
    providers = FakeProviders()
    agent = make_agent(providers, entered=entered)
    async with build_session(None) as session:
        await session.start(agent)
        await wait_for(lambda: assistant_texts(session))
        assert assistant_texts(session) == ["Hi, I am Host."]
        assert entered == ["host"]


async def test_echo_reply() -> None:
    agent = make_agent(FakeProviders(), greeting="Hello.")
    async with build_session(None) as session:
        await session.start(agent)
        result = await session.run(user_input="what time is it")
        result.expect.next_event().is_message(role="assistant")
        reply = [e for e in result.events if e.type == "message"][-1]
        assert reply.item.text_content == f"{ECHO_PREFIX}what time is it"


async def test_interruption_stops_playback_and_marks_message() -> None:
    long_reply = "This is a long answer that keeps going. " * 6
    tts = FakeTTS(seconds_per_char=0.02)  # about five seconds of audio
    providers = FakeProviders(llm=ScriptedLLM([long_reply]), tts=tts)
    agent = make_agent(providers, greeting="")
    items: list[ConversationItemAddedEvent] = []
    async with build_session(None) as session:
        output = FakeAudioOutput()
        session.output.audio = output
        session.on("conversation_item_added", items.append)
        await session.start(agent)
        # no greeting configured: the scripted reply is the generated greeting
        await wait_for(lambda: session.agent_state == "speaking")
        await wait_for(lambda: output.frames > 0)  # the reply is playing
        await session.interrupt()
        await wait_for(
            lambda: any(
                isinstance(i.item, llm.ChatMessage) and i.item.role == "assistant" for i in items
            )
        )
        message = next(
            i.item
            for i in items
            if isinstance(i.item, llm.ChatMessage) and i.item.role == "assistant"
        )
        assert message.interrupted is True
        assert output.interrupted_playbacks == 1
        # playback stopped well before the ~5 s of audio the reply needed
        assert output.finished_playbacks == 0


async def test_llm_failure_is_answered_with_an_apology() -> None:
    providers = FakeProviders(llm=ScriptedLLM([{"error": "backend exploded"}]))
    agent = make_agent(providers, greeting="Hello.")
    publisher = RecordingEventPublisher()
    async with build_session(None) as session:
        recovery = ErrorRecovery(
            session, publisher=publisher, sink=None, fallback_tts=providers.fallback_tts
        )
        recovery.attach()
        await session.start(agent)
        await session.run(user_input="hello?")
        await wait_for(lambda: APOLOGY in assistant_texts(session))
        assert recovery.apologies == 1
        errors = [e for e in publisher.sent if e.type == "agent_error"]
        assert errors and errors[0].code == "llm_error" and errors[0].recoverable is False


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
async def test_tts_failure_apologizes_with_espeak() -> None:
    failing_tts = FakeTTS(fail=True)
    providers = FakeProviders(tts=failing_tts)
    agent = make_agent(providers, greeting="")
    publisher = RecordingEventPublisher()
    async with build_session(None) as session:
        output = FakeAudioOutput()
        session.output.audio = output
        recovery = ErrorRecovery(
            session, publisher=publisher, sink=None, fallback_tts=providers.fallback_tts
        )
        recovery.attach()
        await session.start(agent)  # the generated greeting fails in the TTS
        await wait_for(lambda: APOLOGY in assistant_texts(session), timeout=10)
        await wait_for(lambda: output.finished_playbacks >= 1, timeout=10)
        assert output.frames > 0  # the apology was really played, rendered by eSpeak
        assert next(e.code for e in publisher.sent if e.type == "agent_error") == "tts_error"

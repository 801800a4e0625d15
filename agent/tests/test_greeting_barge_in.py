"""Talking over the greeting (issue 23): the user's speech interrupts it and is transcribed and
answered whole. Real Silero VAD on Piper-spoken audio, fed in real time while the greeting plays;
the STT transcribes exactly the speech it received, so audio withheld from it (livekit's AEC
warm-up fed it silence for the first 3 s the agent spoke) shows as a fragment."""

import asyncio
from typing import Any

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import APIConnectOptions, llm, stt, utils
from livekit.agents.types import NOT_GIVEN, NotGivenOr
from support.configs import agent_config, session_config
from support.fake_io import FakeAudioOutput
from support.microphone import FRAME, RATE, Microphone
from support.providers import FakeProviders
from troupe_agent.agents import AgentFactory
from troupe_agent.local_models import LocalModels
from troupe_agent.providers.fake import ECHO_PREFIX, FakeSTT, FakeTTS
from troupe_agent.providers.local_stt import FlushedSTT
from troupe_agent.session import build_session
from troupe_agent.simulation.voice_user import speech_frames

SENTENCE = "I would like to change the delivery address of my order please"
GREETING = "Hello and welcome to the support line, how can I help you today?"


def voiced_frames(pcm: np.ndarray) -> int:
    """10 ms frames with speech energy."""
    frames = pcm[: len(pcm) // FRAME * FRAME].reshape(-1, FRAME).astype(np.float32)
    return int((np.sqrt((frames**2).mean(axis=1)) > 300).sum())


class HeardSTT(FakeSTT):
    """Transcribes the share of the sentence whose speech it received: all its words for the
    whole sentence, only the last ones when the start reached it as silence."""

    def __init__(self, voiced_total: int) -> None:
        super().__init__()
        self.voiced_total = voiced_total

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        audio = rtc.combine_audio_frames(buffer)
        heard = voiced_frames(np.frombuffer(audio.data, dtype=np.int16))
        words = SENTENCE.split()
        keep = min(len(words), round(len(words) * heard / self.voiced_total))
        event = await super()._recognize_impl(buffer, language=language, conn_options=conn_options)
        event.alternatives[0].text = " ".join(words[len(words) - keep :]) if keep else ""
        return event


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    frames = speech_frames(SENTENCE, LocalModels().piper())
    audio = rtc.combine_audio_frames(frames)
    resampler = rtc.AudioResampler(audio.sample_rate, RATE, num_channels=1)
    out = rtc.combine_audio_frames([*resampler.push(audio), *resampler.flush()])
    return np.frombuffer(out.data, dtype=np.int16).copy()


async def test_speech_over_the_greeting_interrupts_it_and_is_transcribed_whole(
    speech: np.ndarray,
) -> None:
    providers = FakeProviders(
        stt=FlushedSTT(HeardSTT(voiced_frames(speech))),
        tts=FakeTTS(seconds_per_char=0.08),  # about five seconds of greeting
    )
    agent = AgentFactory(
        session_config(agent_config(greeting=GREETING)),
        providers,  # type: ignore[arg-type]
    ).build_initial()
    session = build_session(LocalModels().vad("vad"), endpointing="vad")
    mic = Microphone()
    session.input.audio = mic
    output = FakeAudioOutput()
    session.output.audio = output
    messages: list[llm.ChatMessage] = []

    @session.on("conversation_item_added")
    def on_item(ev: Any) -> None:
        if isinstance(ev.item, llm.ChatMessage):
            messages.append(ev.item)

    async with session:
        await session.start(agent)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while session.agent_state != "speaking" and loop.time() < deadline:
            await asyncio.sleep(0.02)
        assert session.agent_state == "speaking"
        await asyncio.sleep(0.3)  # the user starts talking early in the greeting
        mic.say(speech)
        deadline = loop.time() + len(speech) / RATE + 6
        while loop.time() < deadline and not any(
            m.role == "assistant" and ECHO_PREFIX in (m.text_content or "") for m in messages
        ):
            await asyncio.sleep(0.05)

    greeting = next(m for m in messages if m.role == "assistant")
    assert greeting.interrupted, "the user's speech did not interrupt the greeting"
    assert output.interrupted_playbacks >= 1
    users = [m.text_content for m in messages if m.role == "user"]
    assert users == [SENTENCE], users
    replies = [m.text_content for m in messages if m.role == "assistant"][1:]
    assert replies and replies[0] == f"{ECHO_PREFIX}{SENTENCE}", replies

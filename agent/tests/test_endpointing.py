"""Endpointing with the real models: Silero VAD + Smart Turn v3.2 on Piper-spoken audio, fed to
an ``AgentSession`` in real time. A sentence cut mid-way must not get a reply during a pause
that plain VAD endpointing takes as the end of the turn; a finished one must."""

import asyncio
import contextlib
from typing import Any

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import Agent, AgentSession
from support.microphone import RATE, Microphone
from support.session import wait_for
from troupe_agent.local_models import LocalModels
from troupe_agent.providers.fake import EchoLLM, InstantSTT
from troupe_agent.providers.local_stt import FlushedSTT, trim_leading_silence
from troupe_agent.providers.smart_turn import WINDOW, SmartTurnDetector, pad_front
from troupe_agent.session import build_session
from troupe_agent.simulation.voice_user import speech_frames

SENTENCE = "What is the weather like in Paris today?"
CUT_AT = 0.5
"""Fraction of the sentence's audio kept for the cut-off version ("What is the weather li…",
cut mid-word). Smart Turn is not perfect: a cut that leaves a complete-sounding imperative
("Please tell me") scores as finished."""
PAUSE_S = 1.2
"""Longer than plain VAD endpointing waits (~0.55 s), shorter than Smart Turn's max delay."""


@pytest.fixture(scope="module")
def models() -> LocalModels:
    return LocalModels()


@pytest.fixture(scope="module")
def speech(models: LocalModels) -> np.ndarray:
    frames = speech_frames(SENTENCE, models.piper(), steady=True)
    audio = rtc.combine_audio_frames(frames)
    resampler = rtc.AudioResampler(audio.sample_rate, RATE, num_channels=1)
    out = rtc.combine_audio_frames([*resampler.push(audio), *resampler.flush()])
    return np.frombuffer(out.data, dtype=np.int16).copy()


def as_float(pcm: np.ndarray) -> np.ndarray:
    return pcm.astype(np.float32) / 32768.0


def test_pad_front_puts_the_silence_before_the_speech() -> None:
    audio = np.ones(RATE, dtype=np.float32)
    padded = pad_front(audio)
    assert len(padded) == WINDOW
    assert not padded[: WINDOW - RATE].any() and padded[-RATE:].all()
    assert len(pad_front(np.ones(WINDOW + 5, dtype=np.float32))) == WINDOW


def test_smart_turn_tells_a_cut_sentence_from_a_finished_one(
    models: LocalModels, speech: np.ndarray
) -> None:
    model = models.smart_turn()
    pause = np.zeros(RATE // 5, dtype=np.float32)  # the 200 ms of silence livekit waits for
    finished = model.probability(np.concatenate([as_float(speech), pause]))
    cut = model.probability(np.concatenate([as_float(speech[: int(len(speech) * CUT_AT)]), pause]))
    assert finished > 0.5 > cut, (finished, cut)


def test_trim_leading_silence_keeps_a_short_lead_in() -> None:
    pcm = np.concatenate([np.zeros(RATE * 3, np.int16), np.full(RATE, 3000, np.int16)])
    trimmed = trim_leading_silence(pcm)
    assert len(trimmed) == RATE + int(0.3 * RATE)
    assert len(trim_leading_silence(np.zeros(RATE, np.int16))) == 0


async def replies_after(
    models: LocalModels, pcm: np.ndarray, endpointing: str, pause_s: float
) -> tuple[list[str], SmartTurnDetector | None]:
    """Speaks ``pcm`` into a session, waits ``pause_s`` of silence; the assistant messages."""
    detector = SmartTurnDetector(models.smart_turn()) if endpointing == "smart_turn" else None
    session: AgentSession[Any] = build_session(
        models.vad(endpointing), endpointing=endpointing, detector=detector
    )
    mic = Microphone()
    session.input.audio = mic
    replies: list[str] = []

    @session.on("conversation_item_added")
    def on_item(ev: Any) -> None:
        if getattr(ev.item, "role", None) == "assistant":
            replies.append(ev.item.text_content or "")

    agent = Agent(
        instructions="", stt=FlushedSTT(InstantSTT(["what is the weather like"])), llm=EchoLLM()
    )
    async with session:
        await session.start(agent)
        await wait_for(lambda: mic.listening)  # the session reads the microphone
        mic.say(pcm)
        await asyncio.sleep(len(pcm) / RATE + pause_s)
        with contextlib.suppress(Exception):
            session.interrupt()
    return replies, detector


async def test_a_sentence_cut_mid_way_gets_no_reply_with_smart_turn(
    models: LocalModels, speech: np.ndarray
) -> None:
    cut = speech[: int(len(speech) * CUT_AT)]
    replies, detector = await replies_after(models, cut, "smart_turn", PAUSE_S)
    assert detector is not None and detector.predictions, "Smart Turn was never asked"
    assert replies == [], f"barged in after a cut sentence: {replies} (p={detector.predictions})"


async def test_plain_vad_endpointing_replies_to_the_same_cut_sentence(
    models: LocalModels, speech: np.ndarray
) -> None:
    """The control: what Smart Turn prevents (VAD silence ends this turn within the pause)."""
    cut = speech[: int(len(speech) * CUT_AT)]
    replies, _ = await replies_after(models, cut, "vad", PAUSE_S)
    assert replies, "plain VAD endpointing should have ended the turn"


async def test_a_finished_sentence_gets_a_reply_with_smart_turn(
    models: LocalModels, speech: np.ndarray
) -> None:
    replies, detector = await replies_after(models, speech, "smart_turn", PAUSE_S)
    assert replies, f"no reply to a finished sentence (p={detector and detector.predictions})"

"""Speculative transcription in ``FlushedStream``: Whisper starts on the utterance at the
first short pause, before the session's flush; the result is used when the user said nothing
more, and thrown away when they went on speaking."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import APIConnectOptions, stt, utils
from livekit.agents.language import LanguageCode
from livekit.agents.types import NOT_GIVEN, NotGivenOr
from troupe_agent.providers.local_stt import (
    WHISPER_SAMPLE_RATE,
    FlushedSTT,
    WhisperSTT,
    speculative_pause_s,
)

RATE = WHISPER_SAMPLE_RATE


class RecordingSTT(stt.STT[Any]):
    """Answers "<n> loud chunks" for the audio it gets, and records each call's audio."""

    pure = True

    def __init__(self) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self.calls: list[np.ndarray] = []
        self.gate: asyncio.Event | None = None

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        frame = rtc.combine_audio_frames(buffer)
        pcm = np.frombuffer(frame.data, dtype=np.int16)
        self.calls.append(pcm)
        if self.gate is not None:
            await self.gate.wait()
        loud = int(np.sum(np.abs(pcm.reshape(-1, RATE // 100)).max(axis=1) > 1000))
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=uuid.uuid4().hex,
            alternatives=[stt.SpeechData(language=LanguageCode("en"), text=f"{loud} loud")],
        )


def tone(seconds: float) -> list[rtc.AudioFrame]:
    """Loud audio in 10 ms frames (a 220 Hz tone at a third of full scale)."""
    n = RATE // 100
    frames = []
    for i in range(round(seconds * 100)):
        t = (np.arange(n) + i * n) / RATE
        x = (0.33 * 32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
        frames.append(rtc.AudioFrame(x.tobytes(), RATE, 1, n))
    return frames


def quiet(seconds: float) -> list[rtc.AudioFrame]:
    n = RATE // 100
    return [rtc.AudioFrame(b"\x00\x00" * n, RATE, 1, n) for _ in range(round(seconds * 100))]


async def until(pred: Callable[[], bool], timeout: float = 5.0) -> None:
    """Lets the stream's task run until ``pred`` holds (not a timing assertion: a bound)."""
    for _ in range(int(timeout / 0.005)):
        if pred():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never held")


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def finals(stream: Any, n: int) -> list[str]:
    out: list[str] = []
    async for ev in stream:
        if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT:
            out.append(ev.alternatives[0].text)
            if len(out) == n:
                break
    return out


def push(stream: Any, frames: list[rtc.AudioFrame]) -> None:
    for f in frames:
        stream.push_frame(f)


async def test_a_pause_starts_whisper_before_the_flush_and_the_flush_uses_its_result() -> None:
    inner = RecordingSTT()
    flushed = FlushedSTT(inner, speculate_after_s=0.15)
    stream = flushed.stream()
    push(stream, quiet(0.5) + tone(1.0) + quiet(0.2))
    await until(lambda: len(inner.calls) == 1)  # started by the pause, no flush yet
    push(stream, quiet(0.1))  # the VAD's pause goes on: still no speech
    stream.flush()
    assert await finals(stream, 1) == ["100 loud"]
    assert len(inner.calls) == 1  # nothing recognized twice
    assert flushed.speculations == {"started": 1, "used": 1, "discarded": 0}
    await stream.aclose()


async def test_speech_after_the_pause_discards_the_speculation() -> None:
    inner = RecordingSTT()
    inner.gate = asyncio.Event()  # the speculation is still running when the user goes on
    flushed = FlushedSTT(inner, speculate_after_s=0.15)
    stream = flushed.stream()
    push(stream, tone(0.6) + quiet(0.2))
    await until(lambda: len(inner.calls) == 1)
    push(stream, tone(0.4) + quiet(0.1))
    await settle()
    assert flushed.speculations["discarded"] == 1
    inner.gate.set()
    stream.flush()
    # the whole utterance, both parts: not the speculative "60 loud"
    assert await finals(stream, 1) == ["100 loud"]
    assert len(inner.calls[-1]) > len(inner.calls[0])
    assert flushed.speculations["used"] == 0
    await stream.aclose()


async def test_a_new_pause_after_a_discarded_speculation_speculates_again() -> None:
    inner = RecordingSTT()
    flushed = FlushedSTT(inner, speculate_after_s=0.15)
    stream = flushed.stream()
    push(stream, tone(0.3) + quiet(0.2))
    await until(lambda: len(inner.calls) == 1)
    push(stream, tone(0.3) + quiet(0.2))
    await until(lambda: len(inner.calls) == 2)
    stream.flush()
    assert await finals(stream, 1) == ["60 loud"]
    assert flushed.speculations == {"started": 2, "used": 1, "discarded": 1}
    # the next utterance starts afresh after the flush
    push(stream, tone(0.2) + quiet(0.2))
    await until(lambda: len(inner.calls) == 3)
    stream.flush()
    assert await finals(stream, 1) == ["20 loud"]
    await stream.aclose()


async def test_no_speculation_when_switched_off_or_for_a_scripted_stt() -> None:
    inner = RecordingSTT()
    stream = FlushedSTT(inner, speculate_after_s=0).stream()
    push(stream, tone(0.5) + quiet(0.5))
    await settle()
    await asyncio.sleep(0.05)
    assert inner.calls == []  # only the flush recognizes
    stream.flush()
    assert await finals(stream, 1) == ["50 loud"]
    await stream.aclose()

    class Scripted(RecordingSTT):
        pure = False

    assert FlushedSTT(Scripted()).speculate_after_s == 0.0
    assert WhisperSTT.pure is True


def test_the_pause_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROUPE_STT_SPECULATIVE_PAUSE_MS", "0")
    assert speculative_pause_s() == 0.0
    monkeypatch.setenv("TROUPE_STT_SPECULATIVE_PAUSE_MS", "120")
    assert speculative_pause_s() == pytest.approx(0.12)
    assert FlushedSTT(RecordingSTT()).speculate_after_s == pytest.approx(0.12)

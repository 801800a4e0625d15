"""A simulated user's voice: Piper-rendered speech and a real-time paced microphone track.

Shared by the audio-mode simulations, the latency bench (``bench/voice_latency.py``) and the
load bench (``bench/load.py``)."""

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

import numpy as np
from livekit import rtc

if TYPE_CHECKING:
    from piper import PiperVoice

RATE = 48000
FRAME = RATE // 100  # 10 ms
LOUD_RMS = 200.0
"""An int16 frame louder than this is audio, not silence (Piper speech and the tone are ~2000+)."""


def rms(samples: np.ndarray) -> float:
    s = samples.astype(np.float32)
    return float(np.sqrt(np.mean(s * s))) if len(s) else 0.0


def word_errors(heard: list[str], said: list[str]) -> int:
    """Word-level edit distance (substitutions, insertions, deletions) between what a
    recognizer heard and what was said: the numerator of the word error rate."""
    row = list(range(len(said) + 1))
    for i, h in enumerate(heard, 1):
        prev, row[0] = row[0], i
        for j, w in enumerate(said, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (h != w))
    return row[-1]


def speech_frames(
    text: str, voice: "PiperVoice | None" = None, *, steady: bool = False
) -> list[rtc.AudioFrame]:
    """Piper speech for ``text`` at 48 kHz in 10 ms frames, leading/trailing silence trimmed so
    the last frame is the end of speech. ``steady``: without Piper's random variation (noise
    and phoneme-length noise off), so the same text gives (nearly) the same audio every time."""
    if voice is None:
        from troupe_agent.local_models import LocalModels

        voice = LocalModels().piper()
    from piper import SynthesisConfig

    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0) if steady else None
    pcm = b"".join(c.audio_int16_bytes for c in voice.synthesize(text, syn_config=config))
    frame = rtc.AudioFrame(pcm, voice.config.sample_rate, 1, len(pcm) // 2)
    resampler = rtc.AudioResampler(voice.config.sample_rate, RATE, num_channels=1)
    audio = rtc.combine_audio_frames([*resampler.push(frame), *resampler.flush()])
    samples = np.frombuffer(audio.data, dtype=np.int16)
    chunks = [samples[i : i + FRAME] for i in range(0, len(samples) - FRAME + 1, FRAME)]
    loud = [i for i, c in enumerate(chunks) if rms(c) > LOUD_RMS]
    if not loud:
        return []
    chunks = chunks[loud[0] : loud[-1] + 1]
    return [rtc.AudioFrame(c.tobytes(), RATE, 1, FRAME) for c in chunks]


class Mic:
    """A microphone that sends silence continuously (as a real one does) and speech on demand,
    paced in real time."""

    def __init__(self) -> None:
        self.source = rtc.AudioSource(RATE, 1, queue_size_ms=100)
        self._queue: list[rtc.AudioFrame] = []
        self._done: asyncio.Future[float] | None = None
        self.speech_started_at: float | None = None
        """When the first frame of the last ``say`` left the source's queue (perf_counter)."""
        self._first = False
        self._silence = rtc.AudioFrame(b"\x00\x00" * FRAME, RATE, 1, FRAME)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        start = time.perf_counter()
        i = 0
        while True:
            if self._queue:
                await self.source.capture_frame(self._queue.pop(0))
                # a captured frame waits behind ``queued_duration`` of audio before it leaves
                leaves_at = time.perf_counter() + self.source.queued_duration
                if self._first:
                    self._first = False
                    self.speech_started_at = leaves_at
                if not self._queue and self._done and not self._done.done():
                    self._done.set_result(leaves_at)
            else:
                await self.source.capture_frame(self._silence)
            i += 1
            delay = start + i * 0.01 - time.perf_counter()
            if delay < -0.2:  # fell behind (busy machine): re-anchor, never burst
                start, i = time.perf_counter(), 0
            await asyncio.sleep(max(0.0, delay))

    async def say(self, frames: list[rtc.AudioFrame]) -> float:
        """Queues ``frames``; returns the perf_counter time the last one leaves the source's
        queue for the room (its capture time plus the audio still queued before it): the end
        of speech as the other side can first hear it."""
        self._done = asyncio.get_running_loop().create_future()
        self._first = True
        self._queue.extend(frames)
        return await asyncio.wait_for(self._done, len(frames) * 0.01 + 10)

    async def aclose(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.source.aclose()

"""A real-time microphone for an ``AgentSession``'s audio input: 10 ms frames at 16 kHz, queued
speech when there is some, silence otherwise."""

import asyncio

import numpy as np
from livekit import rtc
from livekit.agents import io

RATE = 16000
FRAME = RATE // 100


class Microphone(io.AudioInput):
    """Real-time 10 ms frames at 16 kHz: queued speech, silence otherwise."""

    def __init__(self) -> None:
        super().__init__(label="test-mic")
        self._pending: list[np.ndarray] = []
        self._next_at: float | None = None

    @property
    def listening(self) -> bool:
        """Whether the session has started reading frames."""
        return self._next_at is not None

    def say(self, pcm: np.ndarray) -> None:
        self._pending.extend(pcm[i : i + FRAME] for i in range(0, len(pcm) - FRAME + 1, FRAME))

    async def __anext__(self) -> rtc.AudioFrame:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._next_at = now if self._next_at is None else self._next_at + FRAME / RATE
        await asyncio.sleep(max(0.0, self._next_at - now))
        chunk = self._pending.pop(0) if self._pending else np.zeros(FRAME, np.int16)
        return rtc.AudioFrame(chunk.tobytes(), RATE, 1, FRAME)

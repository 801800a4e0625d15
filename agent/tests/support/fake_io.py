"""A fake audio sink that "plays" in real time, so playback and interruption behave as in a
room (pattern from livekit-agents' own tests/fake_io.py)."""

import asyncio
import time

from livekit import rtc
from livekit.agents.voice.io import AudioOutput, AudioOutputCapabilities


class FakeAudioOutput(AudioOutput):
    def __init__(self) -> None:
        super().__init__(
            label="FakeIO",
            next_in_chain=None,
            sample_rate=None,
            capabilities=AudioOutputCapabilities(pause=False),
        )
        self._start_time = 0.0
        self._pushed_duration = 0.0
        self._flush_handle: asyncio.TimerHandle | None = None
        self.frames = 0
        self.interrupted_playbacks = 0
        self.finished_playbacks = 0

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        self.frames += 1
        if not self._pushed_duration:
            self._start_time = time.time()
            self.on_playback_started(created_at=self._start_time)
        self._pushed_duration += frame.duration

    def flush(self) -> None:
        super().flush()
        if not self._pushed_duration:
            return

        def finished() -> None:
            self.finished_playbacks += 1
            self.on_playback_finished(playback_position=self._pushed_duration, interrupted=False)
            self._pushed_duration = 0.0

        delay = self._pushed_duration - (time.time() - self._start_time)
        if self._flush_handle:
            self._flush_handle.cancel()
        self._flush_handle = asyncio.get_running_loop().call_later(max(delay, 0), finished)

    def clear_buffer(self) -> None:
        if not self._pushed_duration:
            return
        if self._flush_handle:
            self._flush_handle.cancel()
        self._flush_handle = None
        self.interrupted_playbacks += 1
        self.on_playback_finished(
            playback_position=min(self._pushed_duration, time.time() - self._start_time),
            interrupted=True,
        )
        self._pushed_duration = 0.0

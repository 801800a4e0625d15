"""Agent-side noise suppression of the user's microphone: WebRTC's noise suppressor and
high-pass filter (``rtc.AudioProcessingModule``, compiled into the livekit wheel: offline, no
model download), run on every input frame before VAD, turn detection and STT.

It is on when the session template says so (``SessionConfig.noise_suppression``). Browsers
also suppress noise (the page asks for ``noiseSuppression``), so this is for what they leave:
steady hum, fans, street noise from devices whose own suppression is weak or off."""

from __future__ import annotations

from livekit import rtc
from livekit.agents.voice.room_io.types import AudioInputOptions, NoiseCancellationParams

SLICE_MS = 10
"""The processing module takes exactly 10 ms of audio per call."""


class NoiseSuppressor(rtc.FrameProcessor[rtc.AudioFrame]):
    """One per audio track (the module keeps a noise estimate across frames)."""

    def __init__(self) -> None:
        self._apm: rtc.AudioProcessingModule | None = rtc.AudioProcessingModule(
            noise_suppression=True, high_pass_filter=True
        )
        self._enabled = True
        self.frames = 0
        """Frames processed so far (the session log reports it)."""

    @property
    def enabled(self) -> bool:
        return self._enabled and self._apm is not None

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled = value

    def _process(self, frame: rtc.AudioFrame) -> rtc.AudioFrame:
        apm = self._apm
        if apm is None or not self._enabled:
            return frame
        per_slice = frame.sample_rate * SLICE_MS // 1000 * frame.num_channels
        samples = frame.data  # int16, interleaved
        out = bytearray(samples.tobytes())
        view = memoryview(out).cast("h")
        full = (len(samples) // per_slice) * per_slice
        for start in range(0, full, per_slice):
            piece = rtc.AudioFrame(
                data=bytearray(view[start : start + per_slice].tobytes()),
                sample_rate=frame.sample_rate,
                num_channels=frame.num_channels,
                samples_per_channel=per_slice // frame.num_channels,
            )
            apm.process_stream(piece)
            view[start : start + per_slice] = piece.data
        # A tail shorter than 10 ms (frames are 50 ms in sessions) passes unprocessed.
        self.frames += 1
        return rtc.AudioFrame(
            data=out,
            sample_rate=frame.sample_rate,
            num_channels=frame.num_channels,
            samples_per_channel=frame.samples_per_channel,
        )

    def _close(self) -> None:
        self._apm = None


def suppressor_for_track(params: NoiseCancellationParams) -> NoiseSuppressor:
    """RoomIO's noise-cancellation selector: a fresh suppressor for each user track."""
    return NoiseSuppressor()


def audio_input_options(*, sample_rate: int, noise_suppression: bool) -> AudioInputOptions:
    """The session's microphone input: with ``noise_suppression`` each user track gets its own
    ``NoiseSuppressor``; gain control stays on either way."""
    if not noise_suppression:
        return AudioInputOptions(sample_rate=sample_rate)
    return AudioInputOptions(
        sample_rate=sample_rate, noise_cancellation=suppressor_for_track, auto_gain_control=True
    )

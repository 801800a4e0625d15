"""Model-based end of turn: Smart Turn v3.2 (the ONNX inside the ``pipecat-ai`` wheel) as a
livekit-agents streaming turn detector.

The model reads the last 8 s of the user's audio and says whether the speaker has finished.
It was trained on clips **padded with silence in front**, with Whisper features normalised
over the whole padded window (pipecat's ``local_smart_turn_v3.py``); padding after the speech
instead (as ``smart-turn-livekit`` 0.4.0 does) makes sentences cut mid-word look finished.
So the features come from pipecat's own numpy implementation, loaded from the installed
wheel's file without importing ``pipecat`` (its package import patches ``asyncio``).

livekit-agents asks for a prediction after 200 ms of VAD silence and uses it to pick the
endpointing delay: a finished sentence ends the turn after ``min_delay``, a cut-off one
waits up to ``max_delay`` (dynamic endpointing). One ONNX session per process, shared by
every session; inferences run one at a time on a dedicated thread (FIFO across sessions)."""

from __future__ import annotations

import asyncio
import importlib.util
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from livekit import rtc

SAMPLE_RATE = 16000
WINDOW_S = 8
WINDOW = WINDOW_S * SAMPLE_RATE
THRESHOLD = 0.5
"""P(finished) above which the turn ends after the short delay (pipecat's threshold)."""


def _features_module(model_path: Path) -> ModuleType:
    """pipecat's ``_whisper_features.py`` (numpy only), next to the model in the wheel."""
    path = model_path.parent.parent / "_whisper_features.py"
    spec = importlib.util.spec_from_file_location("troupe_smart_turn_features", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load Smart Turn features from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pad_front(audio: np.ndarray) -> np.ndarray:
    """The last 8 s of ``audio``; shorter audio gets zeros **before** it."""
    if len(audio) >= WINDOW:
        return audio[-WINDOW:]
    return np.pad(audio, (WINDOW - len(audio), 0))


class SmartTurn:
    """The loaded model: ``probability(audio_16k_float32) -> P(the speaker has finished)``."""

    def __init__(self, model_path: Path, *, threads: int = 1) -> None:
        import onnxruntime

        from troupe_agent.local_models import ort_options

        self.model_path = model_path
        self._features = _features_module(model_path)
        self._session = onnxruntime.InferenceSession(
            str(model_path), sess_options=ort_options(threads), providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smart-turn")
        self._lock = threading.Lock()
        self.probability(np.zeros(SAMPLE_RATE, dtype=np.float32))  # allocate arenas now

    def probability(self, audio: np.ndarray) -> float:
        window = pad_front(np.asarray(audio, dtype=np.float32))
        feats = self._features.compute_whisper_log_mel_features(window, do_normalize=True)
        with self._lock:
            out = self._session.run(None, {self._input: np.expand_dims(feats, 0)})
        return float(np.asarray(out[0]).reshape(-1)[0])


def _to_16k_mono(frame: rtc.AudioFrame) -> np.ndarray:
    x = np.frombuffer(bytes(frame.data), dtype=np.int16).astype(np.float32) / 32768.0
    if frame.num_channels > 1:
        x = x.reshape(-1, frame.num_channels).mean(axis=1)
    if frame.sample_rate != SAMPLE_RATE and len(x):
        n = round(len(x) * SAMPLE_RATE / frame.sample_rate)
        x = np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x).astype(np.float32)
    return x


class SmartTurnDetector:
    """``turn_handling["turn_detection"]`` for one session (livekit's streaming protocol)."""

    def __init__(
        self, model: SmartTurn, *, threshold: float = THRESHOLD, prediction_timeout: float = 2.0
    ) -> None:
        self._model = model
        self.threshold = threshold
        # 44 ms per decision on an idle 2-core CPU; on an overloaded one a late answer is
        # still better than livekit's fallback (commit without a prediction = barge in)
        self.prediction_timeout = prediction_timeout
        self.predictions: list[float] = []
        """Every probability this session's detector produced (tests and the bench read it)."""

    @property
    def model(self) -> str:
        return "smart-turn-v3.2"

    @property
    def provider(self) -> str:
        return "local"

    def stream(self, **_: Any) -> SmartTurnStream:
        return SmartTurnStream(self)


class SmartTurnStream:
    def __init__(self, detector: SmartTurnDetector) -> None:
        self._d = detector
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._last_audio_time = 0.0
        self._pending: asyncio.Future[Any] | None = None
        self._closed = False

    @property
    def model(self) -> str:
        return self._d.model

    @property
    def provider(self) -> str:
        return self._d.provider

    @property
    def is_fallback(self) -> bool:
        return False

    @property
    def prediction_timeout(self) -> float:
        return self._d.prediction_timeout

    async def unlikely_threshold(self, language: Any = None) -> float | None:
        return self._d.threshold

    async def backchannel_threshold(self, language: Any = None) -> float | None:
        return None

    async def supports_language(self, language: Any = None) -> bool:
        return True  # the model reads audio; v3 was trained on 23 languages

    def push_audio(self, frame: rtc.AudioFrame) -> None:
        if self._closed:
            return
        x = _to_16k_mono(frame)
        self._chunks.append(x)
        self._samples += len(x)
        while self._chunks and self._samples - len(self._chunks[0]) >= WINDOW:
            self._samples -= len(self._chunks.pop(0))
        self._last_audio_time = time.time()

    def audio(self) -> np.ndarray:
        if not self._chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(self._chunks)[-WINDOW:]

    def predict(self) -> asyncio.Future[Any]:
        if self._pending is not None and not self._pending.done():
            return self._pending
        from livekit.agents.voice.turn import TurnDetectionEvent

        audio, t_audio, started = self.audio(), self._last_audio_time, time.time()
        detector = self._d

        def run() -> TurnDetectionEvent:
            p = detector._model.probability(audio)
            detector.predictions.append(p)
            now = time.time()
            return TurnDetectionEvent(
                type="eot_prediction",
                end_of_turn_probability=p,
                last_speaking_time=t_audio,
                detection_delay=(now - t_audio) if t_audio else None,
                inference_duration=now - started,
                backchannel_probability=None,
            )

        loop = asyncio.get_running_loop()
        self._pending = loop.run_in_executor(detector._model.executor, run)
        return self._pending

    def cancel_inference(self, *, timed_out: bool = False) -> None:
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()
        self._pending = None

    def flush(self, reason: str | None = None) -> None:
        self._chunks, self._samples = [], 0
        self.cancel_inference()

    def end_input(self) -> None:
        self._closed = True

    async def aclose(self) -> None:
        self._closed = True
        self.flush()

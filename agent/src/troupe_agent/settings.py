"""Runtime settings, read from the environment and the repository's ``.env``."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the worker reads from its environment. Reach it through ``get_settings()``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    livekit_url: str = "ws://127.0.0.1:7880"
    livekit_api_key: str = ""
    livekit_api_secret: SecretStr = SecretStr("")

    troupe_api_url: str = "http://127.0.0.1:8000"
    troupe_runtime_token: SecretStr = SecretStr("")
    redis_url: str | None = None

    troupe_agent_health_port: int = 8081
    troupe_enable_test_providers: bool = False
    troupe_agent_spool_dir: Path = Path(".data/spool")
    troupe_agent_num_idle_processes: int | None = None
    """Warm job processes kept ready (each holds the local models); None: livekit's default."""
    troupe_agent_job_executor: Literal["process", "thread"] = "process"
    """``thread``: every job runs as a thread of one process, so the local models are loaded
    once per worker host and shared (memory per extra session: its own state only);
    ``process``: a process per job, each loading the models it uses (livekit's default)."""
    troupe_agent_ffi_batch: bool = False
    """Wake each job's event loop once per batch of LiveKit FFI events instead of once per
    event and subscriber (``ffi_fanout``). Off by default: with the thread executor it cut the
    worker's CPU per session at 10 sessions by 28% but did not make 20 sessions work (see the
    README's load figures); ``bench/load.py --variants`` compares both."""
    troupe_stt_vad_flush: bool = True
    """A non-streaming STT (local Whisper, fake/instant) recognizes when the session's VAD or
    turn detector flushes it (one VAD per session); false: ``stt.StreamAdapter`` runs a
    second VAD for it (the former behaviour, kept for the bench's side-by-side run)."""
    troupe_agent_load_threshold: float = 0.9
    """CPU load (0..1) above which the worker stops taking jobs and LiveKit sends them to another
    worker. LiveKit does not queue a job no worker accepts, so a one-worker install (dev, CI)
    sets ``inf`` to never refuse. (A finite value above 1 is not "never": livekit-agents adds
    an estimate of threshold/idle-processes per job being launched.)"""

    troupe_simulations_enabled: bool = True
    """Whether this worker also claims and runs the simulation runs queued in the dashboard
    (text mode, in the worker's main process)."""

    api_timeout_s: float = 5.0
    api_max_attempts: int = 4

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_compatible_model: str = "llama3.2"
    """Model name sent to the OPENAI_BASE_URL server for ``openai-compatible/default``."""
    openai_compatible_timeout_s: float = 30.0
    """Request timeout for the OPENAI_BASE_URL server (livekit's default, 10 s, is short for a
    local model on a CPU that decides on a tool before it streams)."""
    deepgram_api_key: SecretStr | None = None
    cartesia_api_key: SecretStr | None = None
    eleven_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    google_api_key: SecretStr | None = None
    groq_api_key: SecretStr | None = None

    def has_env(self, name: str) -> bool:
        """Whether the setting behind environment variable ``name`` is set and non-empty."""
        value = getattr(self, name.lower(), None)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return bool(value)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def env_flag(name: str) -> bool:
    """An engine switch that is on unless the environment says ``0``, ``false`` or ``off``
    (read at each call: the benches start workers with different values)."""
    return os.environ.get(name, "1").lower() not in ("0", "false", "off")

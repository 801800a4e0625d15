"""The worker's engine set-up: what prewarm does before the first job, and the per-session
endpointing choice."""

import subprocess
import sys
from typing import Any

import pytest
from troupe_agent import worker
from troupe_agent.local_models import LocalModels, shared_models
from troupe_agent.providers.smart_turn import SmartTurnDetector
from troupe_agent.session import turn_handling
from troupe_agent.settings import Settings


def test_prewarm_imports_what_the_first_job_would_import() -> None:
    """In a fresh interpreter: importing the worker leaves redis, httpcore and anyio's asyncio
    backend for later (the first job's event loop blocked 140-250 ms on each); prewarm's import
    step loads them."""
    code = (
        "import sys; from troupe_agent import worker; "
        "lazy = ('redis.asyncio', 'httpcore', 'anyio._backends._asyncio'); "
        "before = [m in sys.modules for m in lazy]; "
        "missing = worker.import_first_job_modules(); "
        "print(before, [m in sys.modules for m in lazy], missing)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[False, False, False] [True, True, True] []"


def test_models_are_shared_by_every_job_of_the_process() -> None:
    assert shared_models() is shared_models()


def test_smart_turn_endpointing_gets_a_detector_and_vad_none() -> None:
    models = LocalModels()
    assert isinstance(worker.turn_detector(models, "smart_turn"), SmartTurnDetector)
    assert worker.turn_detector(models, "vad") is None
    # one Smart Turn model per process, whatever the number of sessions
    assert models.loaded().count("smart-turn-v3.2") == 1


def test_turn_handling_per_endpointing_mode() -> None:
    smart = turn_handling("smart_turn", object(), preemptive=True)  # type: ignore[arg-type]
    assert smart["endpointing"]["mode"] == "dynamic"
    assert smart["endpointing"]["min_delay"] < smart["endpointing"]["max_delay"]
    assert smart["preemptive_generation"]["enabled"] is True
    plain = turn_handling("vad", None, preemptive=False)
    assert plain["turn_detection"] == "vad" and plain["preemptive_generation"]["enabled"] is False
    # no detector: plain VAD endpointing, whatever the template asked
    assert turn_handling("smart_turn", None)["turn_detection"] == "vad"


def test_thread_executor_setting_runs_jobs_as_threads(settings: Settings) -> None:
    """``TROUPE_AGENT_JOB_EXECUTOR=thread``: one process, the models loaded once for all jobs."""
    from livekit.agents import JobExecutorType

    assert worker.build_server(settings)._job_executor_type != JobExecutorType.THREAD
    settings.troupe_agent_job_executor = "thread"
    assert worker.build_server(settings)._job_executor_type == JobExecutorType.THREAD


def test_an_infinite_load_threshold_reports_no_load(settings: Settings) -> None:
    """A dev/CI worker that never refuses must not look busy to LiveKit either (the host's CPU
    load would make LiveKit refuse the dispatch on a shared machine)."""
    settings.troupe_agent_load_threshold = float("inf")
    assert worker.build_server(settings).load_fnc() == 0.0  # type: ignore[call-arg,misc]
    settings.troupe_agent_load_threshold = 0.9
    assert worker.build_server(settings).load_fnc is not worker._no_load


def test_thread_executor_registers_the_plugins_on_the_main_thread() -> None:
    """Prewarm and jobs run on runner threads there, and livekit-agents raises "Plugins must be
    registered on the main thread" for an import from one: a job thread importing silero after
    ``register_plugins`` finds it registered already."""
    import threading

    assert "silero" in worker.register_plugins()
    errors: list[BaseException] = []

    def job_thread() -> None:
        try:
            LocalModels().vad("smart_turn")
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=job_thread)
    t.start()
    t.join()
    assert errors == []


def test_the_batched_ffi_fanout_is_installed_only_when_asked(settings: Settings) -> None:
    from troupe_agent import ffi_fanout

    try:
        worker.build_server(settings)
        assert not ffi_fanout.installed()
        settings.troupe_agent_ffi_batch = True
        worker.build_server(settings)
        assert ffi_fanout.installed()
    finally:
        ffi_fanout.uninstall()


def test_every_runtime_api_client_of_the_process_shares_one_tls_context(
    settings: Settings,
) -> None:
    """Building a TLS context loads the CA bundle; each job did it at its start."""
    from troupe_agent.api_client import RuntimeApiClient

    a, b = RuntimeApiClient(settings), RuntimeApiClient(settings)
    pool_a = a._client._transport._pool  # type: ignore[attr-defined]
    pool_b = b._client._transport._pool  # type: ignore[attr-defined]
    assert pool_a._ssl_context is pool_b._ssl_context


def test_prewarm_warms_piper_and_whisper_unless_switched_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prewarm runs one synthesis and one recognition (the first session's first real run
    would pay their first-call cost); ``TROUPE_AGENT_WARM_UP=0`` only loads."""
    from troupe_agent.providers import local_stt

    calls: list[str] = []
    real = local_stt.WhisperSTT.transcribe_sync

    def counted(self: local_stt.WhisperSTT, audio: Any) -> str:
        calls.append("whisper")
        return real(self, audio)

    monkeypatch.setattr(local_stt.WhisperSTT, "transcribe_sync", counted)
    monkeypatch.setenv("TROUPE_AGENT_WARM_UP", "0")
    LocalModels().prewarm("whisper")
    assert calls == []
    monkeypatch.setenv("TROUPE_AGENT_WARM_UP", "1")
    models = LocalModels()
    models.prewarm("whisper,piper")
    assert calls == ["whisper"] and set(models.loaded()) == {"whisper-tiny", "piper-joe"}

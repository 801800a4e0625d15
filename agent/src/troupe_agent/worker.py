"""The Troupe agent worker: ``troupe-agent start|dev|console``.

Registers with LiveKit under ``troupe_contracts.AGENT_NAME`` (explicit dispatch only). Each job
process loads the local models once in ``prewarm``; each job reads its dispatch metadata,
fetches the resolved session config from the API and runs one ``AgentSession``. SIGTERM is
handled by livekit-agents' CLI: the worker stops taking jobs, drains the running ones (up to
``drain_timeout``) and then exits; our shutdown callbacks send the final session log."""

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from livekit import rtc
from livekit.agents import (
    Agent,
    AgentServer,
    AgentSession,
    JobContext,
    JobExecutorType,
    JobProcess,
    cli,
    tts,
)
from livekit.agents.voice.io import AudioOutput
from livekit.agents.voice.room_io import RoomOptions
from troupe_contracts import AGENT_NAME, ATTR_SESSION_ID
from troupe_contracts.config import SessionConfig, VisionSettings
from troupe_contracts.rpc import UserAction

from troupe_agent import handoff, observability
from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.api_client import ApiError, RuntimeApiClient
from troupe_agent.bootstrap import BadMetadata, parse_metadata
from troupe_agent.browser import ClientChannel, is_user_identity
from troupe_agent.config_store import ConfigStore, ConfigUnavailable
from troupe_agent.events import RoomEventPublisher
from troupe_agent.lifecycle import SessionLifecycle
from troupe_agent.local_models import (
    LocalModels,
    LocalModelUnavailable,
    force_offline,
    shared_models,
)
from troupe_agent.log_sink import SessionLogSink, Spool, replay_all
from troupe_agent.logging import configure_logging, get_logger
from troupe_agent.noise import audio_input_options
from troupe_agent.providers import ProviderError, ProviderRegistry
from troupe_agent.recording import (
    RECORD_OPTIONS,
    RecordingSpool,
    deliver_all,
    finish_recording,
)
from troupe_agent.recovery import CONFIG_APOLOGY, ErrorRecovery
from troupe_agent.runtime import SessionRuntime
from troupe_agent.session import build_session, endpointing_delays, preemptive_for
from troupe_agent.settings import Settings, get_settings
from troupe_agent.simulation.claimer import WorkerClaimer
from troupe_agent.uploads import UploadReceiver
from troupe_agent.user_actions import UserActions, action_prompt
from troupe_agent.vision import FrameSampler, session_needs_video

log = get_logger("troupe_agent.worker")

MODELS_KEY = "troupe.local_models"
PARTICIPANT_WAIT_S = 15.0
DRAIN_TIMEOUT_S = 30 * 60
SHUTDOWN_PROCESS_TIMEOUT_S = 60.0
"""A SIGTERM lets running conversations finish for up to this long (livekit's default)."""


INPUT_SAMPLE_RATE = 16000
"""The room's audio reaches the session at 16 kHz: Silero, Smart Turn and Whisper all take
16 kHz, so nothing resamples it again."""

FIRST_JOB_IMPORTS = (
    "redis.asyncio",
    "troupe_agent.providers.local_stt",
    "troupe_agent.providers.local_tts",
    "troupe_agent.providers.local_llm",
    "troupe_agent.providers.smart_turn",
    "troupe_agent.providers.fake",
    "livekit.agents.voice.turn",
)
"""Modules a job imports lazily; imported in prewarm so the first job does not block its event
loop importing them (redis alone took ~170 ms)."""


def import_first_job_modules() -> list[str]:
    """Imports ``FIRST_JOB_IMPORTS``; returns those that are not installed."""
    import importlib

    missing = []
    for name in FIRST_JOB_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def prewarm(proc: JobProcess) -> None:
    """Runs once per job process (with the thread executor: once per worker), before any job:
    imports what a job needs and loads the offline models into the process-wide cache."""
    configure_logging()
    force_offline()
    import_first_job_modules()
    models = shared_models()
    models.prewarm()
    proc.userdata[MODELS_KEY] = models


def _models(ctx: JobContext) -> LocalModels:
    models = ctx.proc.userdata.get(MODELS_KEY)
    if models is None:  # console mode or a process that skipped prewarm
        models = shared_models()
        ctx.proc.userdata[MODELS_KEY] = models
    return models


def turn_detector(models: LocalModels, endpointing: str) -> Any | None:
    """The session's Smart Turn detector, or None for plain VAD endpointing (also when the
    model is not installed: the session then ends turns on VAD silence, and says so)."""
    if endpointing != "smart_turn":
        return None
    try:
        from troupe_agent.providers.smart_turn import SmartTurnDetector

        return SmartTurnDetector(models.smart_turn())
    except LocalModelUnavailable as e:
        log.warning("Smart Turn unavailable; ending turns on VAD silence", reason=str(e))
        return None


APOLOGY_PLAYOUT_TIMEOUT_S = 20.0
AGENT_LOST_NOTICE = (
    "Sorry, this conversation stopped because of a technical problem on our side. "
    "Please start a new conversation."
)


def agent_was_lost(error: ConfigUnavailable) -> bool:
    """The API refused the config because the session failed (its agent was lost)."""
    cause = error.__cause__
    return (
        isinstance(cause, ApiError)
        and cause.code == "session_ended"
        and cause.details.get("status") == "failed"
    )


async def speak_and_leave(
    ctx: JobContext,
    voice: Callable[[], tts.TTS[Any]],
    text: str,
    reason: str,
    *,
    audio_output: AudioOutput | None = None,
    close: bool = False,
) -> None:
    """Tell the user the session cannot run, then end the job cleanly. ``voice`` gives the TTS
    (eSpeak NG by default: it needs no model and no key). ``audio_output`` replaces the room
    (tests). ``close``: delete the room afterwards (the session is over: the page says so)."""
    try:
        session: AgentSession[Any] = AgentSession(tts=voice(), vad=None)
        if audio_output is None:
            if not ctx.room.isconnected():
                await ctx.connect()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.wait_for_participant(), PARTICIPANT_WAIT_S)
            await session.start(Agent(instructions=""), room=ctx.room, record=False)
        else:
            session.output.audio = audio_output
            await session.start(Agent(instructions=""), record=False)
        handle = session.say(text, allow_interruptions=False)
        await asyncio.wait_for(handle.wait_for_playout(), APOLOGY_PLAYOUT_TIMEOUT_S)
        await session.aclose()
    except Exception:
        log.exception("could not speak the apology before leaving")
    finally:
        if close and audio_output is None:
            try:
                await ctx.delete_room()
            except Exception:
                log.exception("could not close the room")
        ctx.shutdown(reason=reason)


def _redis(settings: Settings) -> Any | None:
    if not settings.redis_url:
        return None
    import redis.asyncio as aioredis

    return aioredis.from_url(settings.redis_url)


def _user_identity(room: rtc.Room) -> str | None:
    for identity in room.remote_participants:
        if is_user_identity(identity):
            return identity
    return None


async def entrypoint(ctx: JobContext) -> None:
    configure_logging()
    settings = get_settings()
    models = _models(ctx)
    registry = ProviderRegistry(settings, models)
    structlog.contextvars.bind_contextvars(room=ctx.room.name, job_id=ctx.job.id)

    try:
        metadata = parse_metadata(ctx.job.metadata)
    except BadMetadata as e:
        log.error("refusing job: bad dispatch metadata", error=str(e))
        await speak_and_leave(ctx, registry.fallback_tts, CONFIG_APOLOGY, reason="bad metadata")
        return

    observability.continue_trace(metadata.trace_context)
    session_id = str(metadata.session_id)
    structlog.contextvars.bind_contextvars(session_id=session_id)
    ctx.log_context_fields = {"room": ctx.room.name, "session_id": session_id}

    api = RuntimeApiClient(settings)
    redis = _redis(settings)
    store = ConfigStore(api, redis)
    sink = SessionLogSink(metadata.session_id, api.post_log, settings.troupe_agent_spool_dir)
    close_reason = "job_shutdown"
    recordings = RecordingSpool(settings.troupe_agent_spool_dir)
    recorded: list[AgentSession[Any]] = []  # the session, when its audio is recorded
    background: list[asyncio.Task[Any]] = []
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def on_shutdown(reason: str) -> None:
        for task in background:
            task.cancel()
        for cleanup in cleanups:
            with contextlib.suppress(Exception):
                await cleanup()
        await sink.aclose(
            close_reason if close_reason != "job_shutdown" else reason or close_reason
        )
        # After the final log batch: audio processing and upload never delay the log.
        for recorded_session in recorded:
            with contextlib.suppress(Exception):
                await finish_recording(
                    recorded_session,
                    ctx.session_directory,
                    metadata.session_id,
                    recordings,
                    api.put_recording,
                )
        await api.aclose()
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()

    ctx.add_shutdown_callback(on_shutdown)
    background.append(
        asyncio.create_task(replay_all(Spool(settings.troupe_agent_spool_dir), api.post_log))
    )
    # Recordings an earlier job could not upload (an API outage) go now, in the background.
    background.append(asyncio.create_task(deliver_all(recordings, api.put_recording)))
    background.append(asyncio.create_task(store.run_invalidation()))

    try:
        config: SessionConfig = await store.load(metadata)
    except ConfigUnavailable as e:
        if agent_was_lost(e):
            # this session's first agent died with its worker: the API failed the session and
            # sent this job to tell the user, who is still in the room
            log.warning("telling the user their session failed (agent lost)")
            close_reason = "agent_lost"
            await speak_and_leave(
                ctx, registry.fallback_tts, AGENT_LOST_NOTICE, reason="agent lost", close=True
            )
            return
        log.error("could not load the session config", error=str(e))
        sink.error("config", f"session config unavailable: {e}", recoverable=False)
        close_reason = "config_error"
        await speak_and_leave(
            ctx, registry.fallback_tts, CONFIG_APOLOGY, reason="config unavailable"
        )
        return
    if store.source in ("session_cache", "template_cache"):
        sink.error("config", f"API unreachable; using the {store.source}", recoverable=True)

    await ctx.connect()
    publisher = RoomEventPublisher(ctx.room)
    runtime = SessionRuntime(
        config,
        publisher=publisher,
        sink=sink,
        peer=ctx.room.local_participant,
        files=ctx.room.local_participant,
        knowledge_search=api,
    )
    runtime.client.user_identity = _user_identity(ctx.room)
    runtime.panel_images.attach(ctx.room, _is_session_user(runtime))
    runtime.pointers.attach(ctx.room, _is_session_user(runtime))
    cleanups.append(runtime.panel_images.aclose)
    if session_needs_video(config):
        runtime.frames = FrameSampler(lambda: _active_vision(runtime))
    cleanups.append(runtime.aclose)
    channel = ClientChannel(runtime.client, sink)
    channel.attach(ctx.room)
    cleanups.append(channel.aclose)

    def on_entered(agent: TroupeAgent) -> None:
        structlog.contextvars.bind_contextvars(agent=agent.slug)

    registry = registry.for_session(config)  # the organization's own keys, if any
    factory = AgentFactory(config, registry, runtime=runtime, on_entered=on_entered)
    try:
        factory.validate()
        agent = factory.build_initial()
    except (KeyError, ValueError, ProviderError, LocalModelUnavailable) as e:
        log.error("could not build the agents", error=str(e), initial_agent=config.initial_agent)
        sink.error("config", f"agents unavailable: {e}", recoverable=False)
        close_reason = "config_error"
        await speak_and_leave(ctx, registry.fallback_tts, CONFIG_APOLOGY, reason="bad config")
        return

    detector = turn_detector(models, config.endpointing)
    endpointing = config.endpointing if detector is not None else "vad"
    session = build_session(
        models.vad(endpointing),
        endpointing=endpointing,
        detector=detector,
        preemptive=preemptive_for(config),
        delays=endpointing_delays(config),
        userdata=runtime.state,
        user_away_timeout=float(config.idle_timeout_s),
        video_sampler=runtime.frames,
    )
    handoff.attach(session)
    sink.attach(session)
    observability.attach(session)
    sink.start()
    recovery = ErrorRecovery(
        session, publisher=publisher, sink=sink, fallback_tts=registry.fallback_tts
    )
    recovery.attach()
    lifecycle = SessionLifecycle(session, publisher, max_duration_s=config.max_duration_s)
    runtime.end_session = lifecycle.request_end
    cleanups.append(lifecycle.aclose)

    def on_user_action(action: UserAction) -> None:
        session.generate_reply(instructions=action_prompt(action))

    UserActions(runtime.client, on_user_action).attach(ctx.room.local_participant)
    uploads = UploadReceiver(
        user_identity=lambda: runtime.client.user_identity,
        deliver=lambda message: session.generate_reply(user_input=message),
        can_see_images=lambda: bool(getattr(session.current_agent, "can_see", False)),
        image_max_size=lambda: v.max_size if (v := _active_vision(runtime)) else 1024,
        publisher=publisher,
        sink=sink,
    )
    uploads.attach(ctx.room)
    cleanups.append(uploads.aclose)

    @ctx.room.on("participant_connected")
    def _on_joined(participant: rtc.RemoteParticipant) -> None:
        if is_user_identity(participant.identity):
            runtime.client.user_identity = participant.identity
            lifecycle.on_user_joined()

    @ctx.room.on("participant_disconnected")
    def _on_left(participant: rtc.RemoteParticipant) -> None:
        if is_user_identity(participant.identity) and _user_identity(ctx.room) is None:
            lifecycle.on_user_left()

    @session.on("close")
    def _on_close(ev: Any) -> None:
        nonlocal close_reason
        close_reason = lifecycle.ended or (
            ev.reason.value if hasattr(ev.reason, "value") else str(ev.reason)
        )
        log.info("session closed", reason=close_reason)
        ctx.shutdown(reason=close_reason)

    await session.start(
        agent,
        room=ctx.room,
        record=RECORD_OPTIONS if config.record_audio else False,
        room_options=RoomOptions(
            video_input=runtime.frames is not None,
            audio_input=audio_input_options(
                sample_rate=INPUT_SAMPLE_RATE, noise_suppression=config.noise_suppression
            ),
        ),
    )
    lifecycle.attach()
    if config.record_audio:
        recorded.append(session)
    await ctx.room.local_participant.set_attributes({ATTR_SESSION_ID: session_id})
    log.info(
        "session started",
        agent=agent.slug,
        agents=[a.slug for a in config.agents],
        config_source=store.source,
        providers=[r.resolved for r in registry.resolutions],
        endpointing=endpointing,
    )


def _is_session_user(runtime: SessionRuntime) -> Callable[[str], bool]:
    def check(identity: str) -> bool:
        expected = runtime.client.user_identity
        return identity == expected if expected else is_user_identity(identity)

    return check


def _active_vision(runtime: SessionRuntime) -> VisionSettings | None:
    """Vision settings of the agent speaking now (frames are sampled at its rates)."""
    path = runtime.state.agent_path
    if not path:
        return None
    try:
        return runtime.config.agent(path[-1]).vision
    except KeyError:
        return None


def register_plugins() -> list[str]:
    """Imports every installed ``livekit.plugins.*`` now, on the main thread: livekit-agents
    refuses to register a plugin from another thread, and with the thread executor the jobs
    (and prewarm) run on other threads. Returns the plugins imported."""
    import importlib
    import pkgutil

    import livekit.plugins

    names = []
    for info in pkgutil.iter_modules(livekit.plugins.__path__):
        try:
            importlib.import_module(f"livekit.plugins.{info.name}")
            names.append(info.name)
        except Exception as e:  # a broken optional plugin must not stop the worker
            log.warning("livekit plugin not importable", plugin=info.name, error=str(e))
    return names


def _no_load() -> float:
    return 0.0


def build_server(settings: Settings | None = None) -> AgentServer:
    settings = settings or get_settings()
    extra: dict[str, Any] = {}
    if settings.troupe_agent_num_idle_processes is not None:
        extra["num_idle_processes"] = settings.troupe_agent_num_idle_processes
    if math.isinf(settings.troupe_agent_load_threshold):
        # "never refuse": report no load either, or LiveKit itself refuses the next job while
        # the host's CPU (not only this worker's) is busy, e.g. a shared dev or CI machine
        extra["load_fnc"] = _no_load
    if settings.troupe_agent_job_executor == "thread":
        # every job a thread of one process: the local models are loaded once per worker host
        extra["job_executor_type"] = JobExecutorType.THREAD
        register_plugins()
    server = AgentServer(
        setup_fnc=prewarm,
        port=settings.troupe_agent_health_port,
        initialize_process_timeout=120.0,
        # A job's shutdown sends the final log, then splits and uploads its recording (up to
        # recording.FINISH_TIMEOUT_S); livekit's 10 s default would kill it halfway.
        shutdown_process_timeout=SHUTDOWN_PROCESS_TIMEOUT_S,
        drain_timeout=DRAIN_TIMEOUT_S,
        load_threshold=settings.troupe_agent_load_threshold,
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        **extra,
        **observability.server_options(),
    )
    server.rtc_session(entrypoint, agent_name=AGENT_NAME)
    if settings.troupe_simulations_enabled:
        # dashboard-triggered simulation runs execute in the worker's main process
        server.on("worker_started", WorkerClaimer(settings).start)
    return server


def main() -> None:
    configure_logging()
    force_offline()
    cli.run_app(build_server())


if __name__ == "__main__":
    main()

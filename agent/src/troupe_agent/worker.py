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
from typing import Any, get_args

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
from troupe_contracts.session import TokenMetadata

from troupe_agent import ffi_fanout, handoff, observability, priority
from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.api_client import ApiError, RuntimeApiClient
from troupe_agent.bootstrap import BadMetadata, parse_metadata
from troupe_agent.browser import ClientChannel, is_user_identity
from troupe_agent.config_store import ConfigStore, ConfigUnavailable
from troupe_agent.events import EndingReason, RoomEventPublisher
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


ROOM_CLOSING_REASONS = frozenset(get_args(EndingReason))
"""Close reasons of a conversation the runtime ended itself (a long silence, the time limit, the
agent's goodbye, an error): the user is still in the room, so the job deletes it once the
final log batch (with the reason) is sent; the page, told the room was deleted, reads why."""

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
    "httpcore",
    "anyio._backends._asyncio",
)
"""Modules a job imports lazily; imported in prewarm so the first job does not block its event
loop importing them (redis alone took ~170 ms; httpcore, which httpx imports when the API
client is created, 175-250 ms and anyio's asyncio backend, at its first request, 140 ms, both
on the way to the greeting)."""


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
    settings = get_settings()
    if settings.troupe_agent_job_executor == "process":
        # the next idle process loads its models while a new session has its first turns
        priority.lower_for_prewarm()
    if settings.troupe_agent_ffi_batch:
        ffi_fanout.install()  # the job processes of the process executor
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


class SessionJob:
    """One dispatched job: a session from its dispatch metadata to its close, in named steps
    (``run``). A step that cannot go on tells the user (``speak_and_leave``) and returns
    ``None``; ``shutdown`` (livekit's shutdown callback) releases what the steps opened, the
    final session log first."""

    def __init__(self, ctx: JobContext, settings: Settings, models: LocalModels) -> None:
        self.ctx = ctx
        self.settings = settings
        self.models = models
        self.registry = ProviderRegistry(settings, models)
        self.close_reason = "job_shutdown"
        self.recorded: list[AgentSession[Any]] = []  # the session, when its audio is recorded
        self.background: list[asyncio.Task[Any]] = []
        self.cleanups: list[Callable[[], Awaitable[None]]] = []

    async def run(self) -> None:
        structlog.contextvars.bind_contextvars(room=self.ctx.room.name, job_id=self.ctx.job.id)
        metadata = await self.read_metadata()
        if metadata is None:
            return
        self.open_services(metadata)
        config = await self.load_config(metadata)
        if config is None:
            return
        await self.ctx.connect()
        runtime = self.build_runtime(config)
        agent = await self.build_agents(config, runtime)
        if agent is None:
            return
        session, lifecycle = self.build_session(config, runtime)
        self.wire_room(session, runtime, lifecycle)
        await self.start(session, agent, config, runtime, lifecycle)

    async def leave(
        self, text: str, reason: str, close_reason: str | None = None, *, close: bool = False
    ) -> None:
        if close_reason is not None:
            self.close_reason = close_reason
        await speak_and_leave(
            self.ctx, self.registry.fallback_tts, text, reason=reason, close=close
        )

    # ------------------------------------------------------------------ steps

    async def read_metadata(self) -> TokenMetadata | None:
        try:
            metadata = parse_metadata(self.ctx.job.metadata)
        except BadMetadata as e:
            log.error("refusing job: bad dispatch metadata", error=str(e))
            await self.leave(CONFIG_APOLOGY, "bad metadata")
            return None
        observability.continue_trace(metadata.trace_context)
        session_id = str(metadata.session_id)
        structlog.contextvars.bind_contextvars(session_id=session_id)
        self.ctx.log_context_fields = {"room": self.ctx.room.name, "session_id": session_id}
        return metadata

    def open_services(self, metadata: TokenMetadata) -> None:
        """The API client, the config store, the session log and the recording spool; what an
        earlier job left behind (log batches, recordings) is delivered in the background."""
        settings = self.settings
        self.metadata = metadata
        self.api = RuntimeApiClient(settings)
        self.redis = _redis(settings)
        self.store = ConfigStore(self.api, self.redis)
        self.sink = SessionLogSink(
            metadata.session_id, self.api.post_log, settings.troupe_agent_spool_dir
        )
        self.recordings = RecordingSpool(settings.troupe_agent_spool_dir)
        self.ctx.add_shutdown_callback(self.shutdown)
        spool = Spool(settings.troupe_agent_spool_dir)
        self.background.append(asyncio.create_task(replay_all(spool, self.api.post_log)))
        # Recordings an earlier job could not upload (an API outage) go now, in the background.
        self.background.append(
            asyncio.create_task(deliver_all(self.recordings, self.api.put_recording))
        )
        self.background.append(asyncio.create_task(self.store.run_invalidation()))

    async def load_config(self, metadata: TokenMetadata) -> SessionConfig | None:
        try:
            config = await self.store.load(metadata)
        except ConfigUnavailable as e:
            if agent_was_lost(e):
                # this session's first agent died with its worker: the API failed the session
                # and sent this job to tell the user, who is still in the room
                log.warning("telling the user their session failed (agent lost)")
                await self.leave(AGENT_LOST_NOTICE, "agent lost", "agent_lost", close=True)
                return None
            log.error("could not load the session config", error=str(e))
            self.sink.error("config", f"session config unavailable: {e}", recoverable=False)
            await self.leave(CONFIG_APOLOGY, "config unavailable", close_reason="config_error")
            return None
        if self.store.source in ("session_cache", "template_cache"):
            self.sink.error(
                "config", f"API unreachable; using the {self.store.source}", recoverable=True
            )
        return config

    def build_runtime(self, config: SessionConfig) -> SessionRuntime:
        """The session's runtime state and its room-side helpers (panel images, pointers, the
        browser's channel, video frames when an agent can see)."""
        room = self.ctx.room
        self.publisher = RoomEventPublisher(room)
        runtime = SessionRuntime(
            config,
            publisher=self.publisher,
            sink=self.sink,
            peer=room.local_participant,
            files=room.local_participant,
            knowledge_search=self.api,
        )
        runtime.client.user_identity = _user_identity(room)
        runtime.panel_images.attach(room, _is_session_user(runtime))
        runtime.pointers.attach(room, _is_session_user(runtime))
        self.cleanups.append(runtime.panel_images.aclose)
        if session_needs_video(config):
            runtime.frames = FrameSampler(lambda: _active_vision(runtime))
        self.cleanups.append(runtime.aclose)
        channel = ClientChannel(runtime.client, self.sink)
        channel.attach(room)
        self.cleanups.append(channel.aclose)
        return runtime

    async def build_agents(
        self, config: SessionConfig, runtime: SessionRuntime
    ) -> TroupeAgent | None:
        def on_entered(agent: TroupeAgent) -> None:
            structlog.contextvars.bind_contextvars(agent=agent.slug)

        self.registry = self.registry.for_session(config)  # the organization's own keys
        factory = AgentFactory(config, self.registry, runtime=runtime, on_entered=on_entered)
        try:
            factory.validate()
            return factory.build_initial()
        except (KeyError, ValueError, ProviderError, LocalModelUnavailable) as e:
            log.error(
                "could not build the agents", error=str(e), initial_agent=config.initial_agent
            )
            self.sink.error("config", f"agents unavailable: {e}", recoverable=False)
            await self.leave(CONFIG_APOLOGY, "bad config", close_reason="config_error")
            return None

    def build_session(
        self, config: SessionConfig, runtime: SessionRuntime
    ) -> tuple[AgentSession[Any], SessionLifecycle]:
        """The ``AgentSession`` (turn handling from the template) with its observers: handoffs,
        the session log, metrics, error recovery and the lifecycle timers."""
        detector = turn_detector(self.models, config.endpointing)
        self.endpointing = config.endpointing if detector is not None else "vad"
        session = build_session(
            self.models.vad(self.endpointing),
            endpointing=self.endpointing,
            detector=detector,
            preemptive=preemptive_for(config),
            delays=endpointing_delays(config),
            userdata=runtime.state,
            user_away_timeout=float(config.idle_timeout_s),
            video_sampler=runtime.frames,
        )
        handoff.attach(session)
        self.sink.attach(session)
        observability.attach(session)
        self.sink.start()
        recovery = ErrorRecovery(
            session,
            publisher=self.publisher,
            sink=self.sink,
            fallback_tts=self.registry.fallback_tts,
        )
        recovery.attach()
        lifecycle = SessionLifecycle(session, self.publisher, max_duration_s=config.max_duration_s)
        runtime.end_session = lifecycle.request_end
        self.cleanups.append(lifecycle.aclose)
        return session, lifecycle

    def wire_room(
        self, session: AgentSession[Any], runtime: SessionRuntime, lifecycle: SessionLifecycle
    ) -> None:
        """The user's actions and uploads, and the user joining and leaving, reach the session."""
        room = self.ctx.room

        def on_user_action(action: UserAction) -> None:
            session.generate_reply(instructions=action_prompt(action))

        UserActions(runtime.client, on_user_action).attach(room.local_participant)
        uploads = UploadReceiver(
            user_identity=lambda: runtime.client.user_identity,
            deliver=lambda message: session.generate_reply(user_input=message),
            can_see_images=lambda: bool(getattr(session.current_agent, "can_see", False)),
            image_max_size=lambda: v.max_size if (v := _active_vision(runtime)) else 1024,
            publisher=self.publisher,
            sink=self.sink,
        )
        uploads.attach(room)
        self.cleanups.append(uploads.aclose)

        @room.on("participant_connected")
        def _on_joined(participant: rtc.RemoteParticipant) -> None:
            if is_user_identity(participant.identity):
                runtime.client.user_identity = participant.identity
                lifecycle.on_user_joined()

        @room.on("participant_disconnected")
        def _on_left(participant: rtc.RemoteParticipant) -> None:
            if is_user_identity(participant.identity) and _user_identity(room) is None:
                lifecycle.on_user_left()

        @session.on("close")
        def _on_close(ev: Any) -> None:
            self.close_reason = lifecycle.ended or (
                ev.reason.value if hasattr(ev.reason, "value") else str(ev.reason)
            )
            log.info("session closed", reason=self.close_reason)
            self.ctx.shutdown(reason=self.close_reason)

    async def start(
        self,
        session: AgentSession[Any],
        agent: TroupeAgent,
        config: SessionConfig,
        runtime: SessionRuntime,
        lifecycle: SessionLifecycle,
    ) -> None:
        room = self.ctx.room
        await session.start(
            agent,
            room=room,
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
            self.recorded.append(session)
        await room.local_participant.set_attributes(
            {ATTR_SESSION_ID: str(self.metadata.session_id)}
        )
        log.info(
            "session started",
            agent=agent.slug,
            agents=[a.slug for a in config.agents],
            config_source=self.store.source,
            providers=[r.resolved for r in self.registry.resolutions],
            endpointing=self.endpointing,
        )

    # ------------------------------------------------------------------ shutdown

    async def shutdown(self, reason: str) -> None:
        for task in self.background:
            task.cancel()
        for cleanup in self.cleanups:
            with contextlib.suppress(Exception):
                await cleanup()
        close_reason = (
            self.close_reason
            if self.close_reason != "job_shutdown"
            else reason or self.close_reason
        )
        await self.sink.aclose(close_reason)
        if close_reason in ROOM_CLOSING_REASONS:
            # After the final batch: the API has the reason when the user's page asks for it.
            log.info("closing the room", reason=close_reason)
            with contextlib.suppress(Exception):
                await self.ctx.delete_room()
        # After the final log batch: audio processing and upload never delay the log.
        for recorded_session in self.recorded:
            with contextlib.suppress(Exception):
                await finish_recording(
                    recorded_session,
                    self.ctx.session_directory,
                    self.metadata.session_id,
                    self.recordings,
                    self.api.put_recording,
                )
        await self.api.aclose()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()


async def entrypoint(ctx: JobContext) -> None:
    configure_logging()
    priority.restore()  # prewarm loaded at a background priority; the session runs at 0
    await SessionJob(ctx, get_settings(), _models(ctx)).run()


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


def init_rtc_ffi() -> None:
    """Create livekit-rtc's FFI client now, on this thread. Its lazy singleton
    (``FfiClient.instance``) takes no lock: with the thread executor, the first jobs of a fresh
    worker connecting at once each created one, the rooms whose events went to the other never
    finished connecting, and 15 s later the FFI panicked ("timed out waiting for
    ReadyForRoomEventRequest") and livekit-rtc sent SIGTERM to the worker with all its
    sessions (agent/tests/test_rtc_ffi_threads.py)."""
    from livekit.rtc._ffi_client import FfiClient

    FfiClient.instance  # noqa: B018 - the property creates it


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
        init_rtc_ffi()
    if settings.troupe_agent_ffi_batch:
        ffi_fanout.install()
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

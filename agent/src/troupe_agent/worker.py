"""The Troupe agent worker: ``troupe-agent start|dev|console``.

Registers with LiveKit under ``troupe_contracts.AGENT_NAME`` (explicit dispatch only). Each job
process loads the local models once in ``prewarm``; each job reads its dispatch metadata,
fetches the resolved session config from the API and runs one ``AgentSession``. SIGTERM is
handled by livekit-agents' CLI: the worker stops taking jobs, drains the running ones (up to
``drain_timeout``) and then exits; our shutdown callbacks send the final session log."""

import asyncio
import contextlib
from typing import Any

import structlog
from livekit.agents import Agent, AgentServer, AgentSession, JobContext, JobProcess, cli
from pydantic import ValidationError
from troupe_contracts import AGENT_NAME, ATTR_SESSION_ID
from troupe_contracts.config import SessionConfig

from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.api_client import ApiError, RuntimeApiClient
from troupe_agent.bootstrap import BadMetadata, parse_metadata
from troupe_agent.events import RoomEventPublisher
from troupe_agent.local_models import LocalModels, LocalModelUnavailable, force_offline
from troupe_agent.log_sink import SessionLogSink, Spool, replay_all
from troupe_agent.logging import configure_logging, get_logger
from troupe_agent.providers import ProviderError, ProviderRegistry
from troupe_agent.recovery import CONFIG_APOLOGY, ErrorRecovery
from troupe_agent.session import build_session
from troupe_agent.settings import Settings, get_settings

log = get_logger("troupe_agent.worker")

MODELS_KEY = "troupe.local_models"
PARTICIPANT_WAIT_S = 15.0
DRAIN_TIMEOUT_S = 30 * 60
"""A SIGTERM lets running conversations finish for up to this long (livekit's default)."""


def prewarm(proc: JobProcess) -> None:
    """Runs once per job process, before any job: load every offline model there."""
    configure_logging()
    force_offline()
    models = LocalModels()
    models.prewarm()
    proc.userdata[MODELS_KEY] = models


def _models(ctx: JobContext) -> LocalModels:
    models = ctx.proc.userdata.get(MODELS_KEY)
    if models is None:  # console mode or a process that skipped prewarm
        models = LocalModels()
        ctx.proc.userdata[MODELS_KEY] = models
    return models  # type: ignore[no-any-return]


async def speak_and_leave(
    ctx: JobContext, registry: ProviderRegistry, text: str, reason: str
) -> None:
    """Tell the user the session cannot run, then end the job cleanly."""
    try:
        if not ctx.room.isconnected():
            await ctx.connect()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.wait_for_participant(), PARTICIPANT_WAIT_S)
        try:
            voice = registry.tts("local/piper-joe")
        except Exception:
            voice = registry.fallback_tts()
        session: AgentSession[Any] = AgentSession(tts=voice, vad=None)
        await session.start(Agent(instructions=""), room=ctx.room, record=False)
        await session.say(text, allow_interruptions=False).wait_for_playout()
        await session.aclose()
    except Exception:
        log.exception("could not speak the apology before leaving")
    finally:
        ctx.shutdown(reason=reason)


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
        await speak_and_leave(ctx, registry, CONFIG_APOLOGY, reason="bad metadata")
        return

    session_id = str(metadata.session_id)
    structlog.contextvars.bind_contextvars(session_id=session_id)
    ctx.log_context_fields = {"room": ctx.room.name, "session_id": session_id}

    api = RuntimeApiClient(settings)
    sink = SessionLogSink(metadata.session_id, api.post_log, settings.troupe_agent_spool_dir)
    close_reason = "job_shutdown"

    async def on_shutdown(reason: str) -> None:
        await sink.aclose(
            close_reason if close_reason != "job_shutdown" else reason or close_reason
        )
        await api.aclose()

    ctx.add_shutdown_callback(on_shutdown)
    spool_task = asyncio.create_task(
        replay_all(Spool(settings.troupe_agent_spool_dir), api.post_log)
    )

    try:
        config: SessionConfig = await api.session_config(metadata.session_id)
    except (ApiError, ValidationError) as e:
        log.error("could not load the session config", error=str(e))
        sink.error("config", f"session config unavailable: {e}", recoverable=False)
        close_reason = "config_error"
        await speak_and_leave(ctx, registry, CONFIG_APOLOGY, reason="config unavailable")
        return

    await ctx.connect()
    publisher = RoomEventPublisher(ctx.room)

    def on_entered(agent: TroupeAgent) -> None:
        structlog.contextvars.bind_contextvars(agent=agent.slug)
        publisher.active_agent_changed(agent.slug, agent.config.name)
        sink.agent_entered(agent.slug)

    factory = AgentFactory(config, registry, on_entered=on_entered)
    try:
        agent = factory.build_initial()
    except (KeyError, ProviderError, LocalModelUnavailable) as e:
        log.error(
            "could not build the initial agent", error=str(e), initial_agent=config.initial_agent
        )
        sink.error("config", f"initial agent unavailable: {e}", recoverable=False)
        close_reason = "config_error"
        await speak_and_leave(ctx, registry, CONFIG_APOLOGY, reason="bad config")
        return

    session = build_session(models.vad())
    sink.attach(session)
    sink.start()
    recovery = ErrorRecovery(
        session, publisher=publisher, sink=sink, fallback_tts=registry.fallback_tts
    )
    recovery.attach()

    @session.on("close")
    def _on_close(ev: Any) -> None:
        nonlocal close_reason
        close_reason = ev.reason.value if hasattr(ev.reason, "value") else str(ev.reason)
        log.info("session closed", reason=close_reason)
        ctx.shutdown(reason=close_reason)

    await session.start(agent, room=ctx.room, record=config.record_audio)
    await ctx.room.local_participant.set_attributes({ATTR_SESSION_ID: session_id})
    log.info(
        "session started",
        agent=agent.slug,
        providers=[r.resolved for r in registry.resolutions],
    )
    with contextlib.suppress(Exception):
        await spool_task


def build_server(settings: Settings | None = None) -> AgentServer:
    settings = settings or get_settings()
    extra: dict[str, Any] = {}
    if settings.troupe_agent_num_idle_processes is not None:
        extra["num_idle_processes"] = settings.troupe_agent_num_idle_processes
    server = AgentServer(
        setup_fnc=prewarm,
        port=settings.troupe_agent_health_port,
        initialize_process_timeout=120.0,
        drain_timeout=DRAIN_TIMEOUT_S,
        load_threshold=settings.troupe_agent_load_threshold,
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        **extra,
    )
    server.rtc_session(entrypoint, agent_name=AGENT_NAME)
    return server


def main() -> None:
    configure_logging()
    force_offline()
    cli.run_app(build_server())


if __name__ == "__main__":
    main()

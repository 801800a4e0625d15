"""Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; when on, a request runs inside a
server span that continues an incoming W3C traceparent, and ``current_trace_context()`` gives
the carrier that belongs in ``TokenMetadata.trace_context``. Runs in a subprocess: it installs a
global tracer provider."""

from __future__ import annotations

import json

from tests.deploy.tools import run_isolated

SCRIPT = r"""
import asyncio, json, httpx
from fastapi import APIRouter
from troupe_api.core.settings import Settings
from troupe_api.main import create_app
from troupe_api.observability import current_trace_context

assert current_trace_context() == {}
seen = {}
router = APIRouter()

@router.get("/api/v1/_trace_probe")
async def probe() -> dict[str, str]:
    seen.update(current_trace_context())
    return {}

app = create_app(Settings())
app.include_router(router)

async def main() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/api/v1/_trace_probe", headers={
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
        assert r.status_code == 200, r.text
    print("CARRIER=" + json.dumps(seen))

asyncio.run(main())
"""


# Nothing listens there: the batch exporter fails quietly at exit, off the request path.
OTLP_ENV = {
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
    "OTEL_BSP_SCHEDULE_DELAY": "60000",
    "OTEL_EXPORTER_OTLP_TIMEOUT": "1",
}


def test_tracing_continues_the_incoming_trace() -> None:
    stdout = run_isolated(SCRIPT, OTLP_ENV)
    line = next(x for x in stdout.splitlines() if x.startswith("CARRIER="))  # logs go to stdout
    carrier = json.loads(line.removeprefix("CARRIER="))
    assert carrier["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")


WORKER_SCRIPT = r"""
from livekit.agents.telemetry import tracer
from troupe_agent import observability as obs

assert obs.continue_trace({"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) is False
assert obs.init_tracing(obs.ObservabilitySettings())
assert obs.continue_trace({}) is False
assert obs.continue_trace({"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
with tracer.start_as_current_span("agent_session") as span:
    print("TRACE=%032x" % span.get_span_context().trace_id)
"""


def test_worker_spans_continue_the_trace_from_the_dispatch_metadata() -> None:
    assert "TRACE=4bf92f3577b34da6a3ce929d0e0e4736" in run_isolated(WORKER_SCRIPT, OTLP_ENV)

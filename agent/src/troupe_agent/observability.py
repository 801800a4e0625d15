"""Prometheus metrics (and optional OpenTelemetry tracing / Sentry) for the worker.

Job processes are separate OS processes, so the metrics use prometheus-client's multiprocess
mode: livekit-agents' own ``/metrics`` server (``prometheus_port``) aggregates every process's
files under ``PROMETHEUS_MULTIPROC_DIR``. Two hooks, both one line in ``worker.py``:
``server_options()`` for the ``AgentServer`` and ``attach(session)`` per job. Metric names are
the operator contract (deploy/observability/alerts.yml, grafana-dashboard.json)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from troupe_agent.logging import get_logger

log = get_logger("troupe_agent.observability")

_LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)

SESSIONS_ACTIVE = Gauge(
    "troupe_agent_sessions_active", "Agent sessions running now.", multiprocess_mode="livesum"
)
SESSIONS = Counter(
    "troupe_agent_sessions_total", "Agent sessions ended, by close reason.", ["reason"]
)
SESSIONS_STARTED = Counter("troupe_agent_sessions_started_total", "Agent sessions started.")
TURN_LATENCY = Histogram(
    "troupe_agent_turn_latency_seconds",
    "Per-turn latency by pipeline stage (the session's own per-turn metrics).",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
TOOL_LATENCY = Histogram(
    "troupe_agent_tool_call_duration_seconds",
    "Tool call duration (call created to output created).",
    ["tool"],
    buckets=_LATENCY_BUCKETS,
)
TOOL_ERRORS = Counter("troupe_agent_tool_call_errors_total", "Tool calls that failed.", ["tool"])
TOOL_CALLS = Counter("troupe_agent_tool_calls_total", "Tool calls executed.", ["tool"])
LLM_TOKENS = Counter(
    "troupe_agent_llm_tokens_total", "LLM tokens, by model and kind.", ["model", "kind"]
)
PIPELINE_ERRORS = Counter(
    "troupe_agent_pipeline_errors_total", "Errors the session reported, by source.", ["source"]
)

# item.metrics keys → stage label. User-side keys come on the user message, the rest on the
# assistant reply of the same turn.
STAGE_KEYS = {
    "end_of_turn_delay": "end_of_utterance",
    "transcription_delay": "stt",
    "llm_node_ttft": "llm_ttft",
    "tts_node_ttfb": "tts_ttfb",
    "e2e_latency": "e2e",
}

METRIC_NAMES = (
    "troupe_agent_sessions_active",
    "troupe_agent_sessions_total",
    "troupe_agent_sessions_started_total",
    "troupe_agent_turn_latency_seconds",
    "troupe_agent_tool_call_duration_seconds",
    "troupe_agent_tool_call_errors_total",
    "troupe_agent_tool_calls_total",
    "troupe_agent_llm_tokens_total",
    "troupe_agent_pipeline_errors_total",
)


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ObservabilitySettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    metrics_port: int | None = Field(
        default=None,
        validation_alias=_env("TROUPE_AGENT_METRICS_PORT"),
        description="Serve Prometheus metrics on this port (all job processes aggregated).",
    )
    multiproc_dir: str | None = Field(
        default=None, validation_alias=_env("PROMETHEUS_MULTIPROC_DIR")
    )
    otel_endpoint: str | None = Field(
        default=None, validation_alias=_env("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    sentry_dsn: SecretStr | None = Field(default=None, validation_alias=_env("SENTRY_DSN"))


def server_options(settings: ObservabilitySettings | None = None) -> dict[str, Any]:
    """Keyword arguments for ``AgentServer``: the metrics port and the multiprocess directory.
    Empty when ``TROUPE_AGENT_METRICS_PORT`` is unset."""
    settings = settings or ObservabilitySettings()
    init_tracing(settings)
    init_sentry(settings)
    if settings.metrics_port is None:
        return {}
    directory = settings.multiproc_dir or tempfile.mkdtemp(prefix="troupe-agent-metrics-")
    # Set here, before any job process is forked/spawned, so children write their files there.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return {"prometheus_port": settings.metrics_port, "prometheus_multiproc_dir": directory}


class SessionMetrics:
    """Subscribes to one AgentSession's events and records them."""

    def __init__(self) -> None:
        self._closed = False
        self._tokens_seen: dict[tuple[str, str], int] = {}

    def attach(self, session: Any) -> SessionMetrics:
        SESSIONS_STARTED.inc()
        SESSIONS_ACTIVE.inc()
        session.on("conversation_item_added", self.on_conversation_item)
        session.on("function_tools_executed", self.on_tools_executed)
        session.on("session_usage_updated", self.on_usage)
        session.on("error", self.on_error)
        session.on("close", self.on_close)
        return self

    def on_conversation_item(self, ev: Any) -> None:
        item = getattr(ev, "item", None)
        metrics = getattr(item, "metrics", None) or {}
        for key, stage in STAGE_KEYS.items():
            value = metrics.get(key)
            if isinstance(value, int | float) and value >= 0:
                TURN_LATENCY.labels(stage).observe(float(value))

    def on_tools_executed(self, ev: Any) -> None:
        for call, output in zip(ev.function_calls, ev.function_call_outputs, strict=False):
            TOOL_CALLS.labels(call.name).inc()
            if output is None:
                continue
            TOOL_LATENCY.labels(call.name).observe(max(output.created_at - call.created_at, 0.0))
            if output.is_error:
                TOOL_ERRORS.labels(call.name).inc()

    def on_usage(self, ev: Any) -> None:
        """``session_usage_updated`` (livekit's replacement of the deprecated
        ``metrics_collected``) carries cumulative usage per model: count what is new since
        the previous event."""
        for usage in getattr(getattr(ev, "usage", None), "model_usage", None) or []:
            if getattr(usage, "type", None) != "llm_usage":
                continue
            model = str(getattr(usage, "model", None) or "unknown")
            for kind, total in (
                ("prompt", int(getattr(usage, "input_tokens", 0) or 0)),
                ("completion", int(getattr(usage, "output_tokens", 0) or 0)),
            ):
                seen = self._tokens_seen.get((model, kind), 0)
                if total > seen:
                    LLM_TOKENS.labels(model, kind).inc(total - seen)
                    self._tokens_seen[(model, kind)] = total

    def on_error(self, ev: Any) -> None:
        source = type(getattr(ev, "source", None)).__name__.lower() or "unknown"
        PIPELINE_ERRORS.labels(source).inc()

    def on_close(self, ev: Any) -> None:
        if self._closed:
            return
        self._closed = True
        SESSIONS_ACTIVE.dec()
        reason = getattr(ev, "reason", "unknown")
        SESSIONS.labels(str(getattr(reason, "value", reason))).inc()


def attach(session: Any) -> SessionMetrics:
    """Record this session's metrics (call once, after the session is built)."""
    return SessionMetrics().attach(session)


_tracing = False


def init_tracing(settings: ObservabilitySettings) -> bool:
    """OTLP/HTTP tracing of livekit-agents' own spans, off unless OTEL_EXPORTER_OTLP_ENDPOINT.
    The API's trace context arrives in ``TokenMetadata.trace_context``; see ``job_context``."""
    global _tracing
    if not settings.otel_endpoint or _tracing:
        return _tracing
    from livekit.agents.telemetry import set_tracer_provider
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", "troupe-agent")}
        )
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    set_tracer_provider(provider, allow_pii=False)
    _tracing = True
    return True


def job_context(trace_context: dict[str, str]) -> Any:
    """The OpenTelemetry context to start a job's spans under (None when tracing is off)."""
    if not _tracing or not trace_context:
        return None
    from opentelemetry.propagate import extract

    return extract(trace_context)


def continue_trace(trace_context: dict[str, str]) -> bool:
    """Make the API's session-start span the parent of this job's spans (livekit-agents'
    own spans included), so one trace runs API -> LiveKit dispatch -> runtime. No-op when
    tracing is off or the dispatch carried no context."""
    parent = job_context(trace_context)
    if parent is None:
        return False
    from opentelemetry import context as otel_context

    otel_context.attach(parent)
    return True


def init_sentry(settings: ObservabilitySettings) -> bool:
    if settings.sentry_dsn is None:
        return False
    try:
        import sentry_sdk
    except ImportError:
        log.warning("SENTRY_DSN is set but sentry-sdk is not installed (uv pip install sentry-sdk)")
        return False
    sentry_sdk.init(dsn=settings.sentry_dsn.get_secret_value(), send_default_pii=False)
    return True

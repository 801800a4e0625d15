"""Optional OpenTelemetry tracing, off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set. One
server span per request (W3C ``traceparent`` honoured when present); ``current_trace_context()``
gives the carrier the session start flow puts in ``TokenMetadata.trace_context`` so the agent
runtime continues the same trace."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from troupe_api.core.logging import get_logger
from troupe_api.observability.settings import ObservabilitySettings

log = get_logger(__name__)
_enabled = False


def init_tracing(settings: ObservabilitySettings, *, service_name: str) -> bool:
    """Install a global tracer provider exporting over OTLP/HTTP. True when tracing is on."""
    global _enabled
    if not settings.otel_endpoint:
        return False
    if _enabled:
        return True
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    # The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT / _HEADERS itself (standard variables).
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _enabled = True
    log.info("tracing_enabled", endpoint=settings.otel_endpoint)
    return True


def current_trace_context() -> dict[str, str]:
    """W3C trace context of the current span (empty when tracing is off)."""
    if not _enabled:
        return {}
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


class TracingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from opentelemetry import trace
        from opentelemetry.propagate import extract

        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        tracer = trace.get_tracer("troupe_api")
        with tracer.start_as_current_span(
            f"{scope['method']} {scope['path']}",
            context=extract(carrier),
            kind=trace.SpanKind.SERVER,
        ) as span:
            status: dict[str, Any] = {}

            async def send_tap(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                await send(message)

            await self.app(scope, receive, send_tap)
            from troupe_api.observability.metrics import route_template

            route = route_template(scope)
            if route != "<unmatched>":
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
            span.set_attribute("http.request.method", scope["method"])
            span.set_attribute("http.response.status_code", status.get("code", 500))

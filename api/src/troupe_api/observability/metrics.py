"""Prometheus metrics of the API. Names are part of the operator contract: the alert rules in
deploy/observability/alerts.yml and the Grafana dashboard use them, and tests/deploy checks
they are exposed."""

from __future__ import annotations

import hmac
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from troupe_api.observability.settings import ObservabilitySettings

SESSION_START_PATHS = frozenset({"/api/v1/sessions"})
"""Route templates whose 2xx POST response means a session was started."""
WEBHOOK_PATH = "/api/v1/webhooks/livekit"
_WEBHOOK_BODY_LIMIT = 64 * 1024

REQUEST_DURATION = Histogram(
    "troupe_api_request_duration_seconds",
    "Time to the last byte of the response, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUESTS = Counter(
    "troupe_api_requests_total",
    "Responses sent, by route and status.",
    ["method", "route", "status"],
)
ERRORS = Counter(
    "troupe_api_errors_total",
    "Responses with a 5xx status (including unhandled exceptions), by route.",
    ["method", "route"],
)
IN_PROGRESS = Gauge(
    "troupe_api_requests_in_progress",
    "Requests being handled.",
    multiprocess_mode="livesum",
)
SESSIONS_STARTED = Counter(
    "troupe_api_sessions_started_total", "Sessions started (2xx on a session start route)."
)
SESSION_START_FAILURES = Counter(
    "troupe_api_session_start_failures_total",
    "Session start requests refused or failed, by status.",
    ["status"],
)
WEBHOOK_LAG = Histogram(
    "troupe_api_webhook_lag_seconds",
    "LiveKit webhook lag: receive time minus the event's created_at (whole seconds upstream).",
    ["event"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900),
)
WEBHOOKS = Counter(
    "troupe_api_webhooks_received_total",
    "LiveKit webhooks received, by event and status.",
    ["event", "status"],
)

METRIC_NAMES = (
    "troupe_api_request_duration_seconds",
    "troupe_api_requests_total",
    "troupe_api_errors_total",
    "troupe_api_requests_in_progress",
    "troupe_api_sessions_started_total",
    "troupe_api_session_start_failures_total",
    "troupe_api_webhook_lag_seconds",
    "troupe_api_webhooks_received_total",
)


def route_template(scope: Scope) -> str:
    # FastAPI resolves included routers lazily; the full template (with every router prefix)
    # is on its effective route context, the bare route only knows its own router's part.
    fastapi_scope = scope.get("fastapi")
    context = (
        fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    )
    path = getattr(context, "path_format", None) or getattr(context, "path", None)
    if not path:
        path = getattr(scope.get("route"), "path", None)
    # Unmatched paths are folded into one label so scanners cannot explode the cardinality.
    return path if isinstance(path, str) else "<unmatched>"


def _webhook_event(body: bytes) -> tuple[str, float | None]:
    if not body:  # refused before the handler read it
        return "unread", None
    try:
        data: Any = json.loads(body)
        event = str(data.get("event") or "unknown")
        created = data.get("createdAt", data.get("created_at"))
        return event, float(created) if created not in (None, "", 0, "0") else None
    except (ValueError, AttributeError, TypeError):
        return "unparsable", None


class MetricsMiddleware:
    """Pure ASGI: times every HTTP request and derives the session and webhook metrics from
    the route template and the response status, so no handler needs to know about metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        received_at = time.time()
        status = 500
        body = bytearray()
        watch_body = scope["method"] == "POST" and scope["path"] == WEBHOOK_PATH

        async def receive_tap() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < _WEBHOOK_BODY_LIMIT:
                body.extend(message.get("body", b""))
            return message

        async def send_tap(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        IN_PROGRESS.inc()
        try:
            await self.app(scope, receive_tap if watch_body else receive, send_tap)
        finally:
            IN_PROGRESS.dec()
            method, route = scope["method"], route_template(scope)
            REQUEST_DURATION.labels(method, route).observe(time.perf_counter() - started)
            REQUESTS.labels(method, route, str(status)).inc()
            if status >= 500:
                ERRORS.labels(method, route).inc()
            if method == "POST" and route in SESSION_START_PATHS:
                if 200 <= status < 300:
                    SESSIONS_STARTED.inc()
                else:
                    SESSION_START_FAILURES.labels(str(status)).inc()
            if watch_body:
                event, created_at = _webhook_event(bytes(body))
                WEBHOOKS.labels(event, str(status)).inc()
                if created_at is not None and 200 <= status < 300:
                    WEBHOOK_LAG.labels(event).observe(max(received_at - created_at, 0.0))


def render_latest() -> bytes:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_endpoint(
    settings: ObservabilitySettings,
) -> Callable[[Request], Awaitable[Response]]:
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None

    async def metrics(request: Request) -> Response:
        if token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return Response(status_code=401)
        return Response(render_latest(), media_type=CONTENT_TYPE_LATEST)

    return metrics

"""Pure ASGI middleware (keeps contextvars flowing into handlers, unlike BaseHTTPMiddleware)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from troupe_api.core.errors import TroupeError
from troupe_api.core.logging import get_logger

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = get_logger("troupe_api.access")
error_log = get_logger("troupe_api.errors")


QUIET_PATHS = frozenset(
    {
        "/api/v1/healthz",
        "/api/v1/readyz",
        "/metrics",
        # every agent worker polls for queued simulation runs every 2 s (204: none)
        "/api/v1/runtime/simulation-runs/claim",
    }
)
"""Probes and polls whose successful answers are logged at debug, not info (errors stay info)."""


class RequestContextMiddleware:
    """Outermost: request id (X-Request-ID in/out), log context, one access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), ""
        )
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=request_id, method=scope["method"], path=scope["path"]
        )
        started = time.perf_counter()
        status_code = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            quiet = scope["path"] in QUIET_PATHS and 200 <= status_code < 300
            (access_log.debug if quiet else access_log.info)(
                "request", status=status_code, duration_ms=duration_ms
            )
            structlog.contextvars.clear_contextvars()


class CatchAllMiddleware:
    """Innermost of ours: any exception no handler mapped becomes a logged 500 envelope, so
    even crashes keep the request id and the CORS headers of the middleware around it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_log.exception("unhandled_exception")
            if started:
                raise
            from troupe_api.core.error_handlers import envelope_response

            response = envelope_response(TroupeError())
            await response(scope, receive, send)

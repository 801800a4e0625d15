"""Pure ASGI middleware (keeps contextvars flowing into handlers, unlike BaseHTTPMiddleware)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from troupe_api.core.errors import PayloadTooLarge, TroupeError
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


_MB = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 2 * _MB
"""Every request body unless BODY_LIMITS says otherwise: JSON configuration and starts are a
few KB; nothing is read into memory past this."""
BODY_LIMITS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    # Knowledge documents: the largest plan's file, plus the multipart envelope (the parser
    # spools the whole upload before the route can look at its size).
    ("POST", re.compile(r"^/api/v1/knowledge-bases/[^/]+/documents$"), 100 * _MB + 64 * 1024),
    # Recordings from the agent runtime (the route enforces RECORDING_MAX_BYTES as it streams).
    ("PUT", re.compile(r"^/api/v1/runtime/sessions/[^/]+/recordings/[^/]+$"), 200 * _MB),
    # Log batches from the agent runtime (up to 500 entries) and configuration bundles.
    ("POST", re.compile(r"^/api/v1/runtime/"), 32 * _MB),
    ("POST", re.compile(r"^/api/v1/import$"), 16 * _MB),
)


def body_limit(method: str, path: str) -> int:
    for route_method, pattern, limit in BODY_LIMITS:
        if method == route_method and pattern.match(path):
            return limit
    return DEFAULT_MAX_BODY_BYTES


class BodySizeLimitMiddleware:
    """Refuses request bodies over the route's limit (``body_limit``) with 413
    ``payload_too_large``: at once when ``Content-Length`` says so, else as soon as the
    streamed (chunked) body passes it, before anything is parsed or spooled further."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.exceptions import HTTPException

        from troupe_api.core.error_handlers import envelope_response

        limit = body_limit(scope["method"], scope["path"])
        message = f"The request body is larger than {limit} bytes."
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            error = PayloadTooLarge(message, details={"max_bytes": limit})
            await envelope_response(error)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    # An HTTPException passes FastAPI's body parsing unchanged (other errors
                    # become a 400 there); the error handlers make it the 413 envelope.
                    raise HTTPException(status_code=413, detail=message)
            return event

        await self.app(scope, limited_receive, send)

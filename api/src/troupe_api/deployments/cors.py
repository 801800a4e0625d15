"""CORS for the public embed endpoints (session start, embed info), decided per request from
the deployments' allowed origins rather than the static ``TROUPE_CORS_ORIGINS`` list.

A preflight carries no body, so it is answered for an origin that some enabled deployment
allows; the start route then checks the origin against the embed key's own deployment
(``origin_not_allowed``). No credentials: embedded pages never use dashboard cookies."""

from __future__ import annotations

import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from troupe_api.deployments import service

EMBED_PATHS = ("/api/v1/sessions", "/api/v1/embed/")
ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "content-type, x-request-id"
EXPOSE_HEADERS = "X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After"
CACHE_TTL_S = 5.0


def _is_embed_path(path: str) -> bool:
    return path == EMBED_PATHS[0] or path.startswith(EMBED_PATHS[1])


class EmbedCorsMiddleware:
    def __init__(self, app: ASGIApp, static_origins: list[str]) -> None:
        self.app = app
        self.static_origins = set(static_origins)
        self._cache: dict[str, tuple[float, bool]] = {}

    async def _allowed(self, scope: Scope, origin: str) -> bool:
        hit = self._cache.get(origin)
        now = time.monotonic()
        if hit is not None and now - hit[0] < CACHE_TTL_S:
            return hit[1]
        factory = scope["app"].state.session_factory
        async with factory() as db:
            allowed = await service.origins_allowed_anywhere(db=db, origin=origin)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[origin] = (now, allowed)
        return allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_embed_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if not origin or origin in self.static_origins or not await self._allowed(scope, origin):
            await self.app(scope, receive, send)
            return
        cors = {
            "Access-Control-Allow-Origin": origin,
            "Vary": "Origin",
        }
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response: Response = PlainTextResponse(
                "OK",
                headers={
                    **cors,
                    "Access-Control-Allow-Methods": ALLOW_METHODS,
                    "Access-Control-Allow-Headers": ALLOW_HEADERS,
                    "Access-Control-Max-Age": "600",
                },
            )
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.update(cors)
                out["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

"""Security headers on every API response. The API serves JSON (and the OpenAPI docs page), so
the content security policy is the strictest one for anything that is not HTML: nothing may load,
nothing may frame it."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""For JSON and other non-HTML responses. The interactive docs page (HTML, loads its scripts
from a CDN) keeps no CSP from us but still gets every other header."""


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts_max_age_s: int, force_hsts: bool = False) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_max_age_s}; includeSubDomains"
        self.force_hsts = force_hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # uvicorn rewrites the scheme from X-Forwarded-Proto for trusted proxies, so behind a
        # TLS-terminating ingress this is "https".
        https = scope.get("scheme") == "https" or self.force_hsts

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if not headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", JSON_CSP)
                if https:
                    headers.setdefault("Strict-Transport-Security", self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)

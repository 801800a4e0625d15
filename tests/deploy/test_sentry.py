"""Error reporting: with SENTRY_DSN set, an unhandled error in a request reaches a
Sentry-compatible endpoint (here a real HTTP server on loopback that stores what it receives),
with the exception and the route but without personal data (no Authorization header, no client
address, no cookies). The user still gets the JSON error envelope. Runs in a subprocess: Sentry
patches the web framework globally."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.deploy.tools import run_isolated

SCRIPT = r"""
import asyncio, httpx, sentry_sdk
from fastapi import APIRouter
from troupe_api.core.settings import Settings
from troupe_api.main import create_app

router = APIRouter()

@router.get("/api/v1/_sentry_probe")
async def probe() -> dict[str, str]:
    raise RuntimeError("sentry probe failure")

app = create_app(Settings())
app.include_router(router)

async def main() -> None:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.get("/api/v1/_sentry_probe", headers={
            "Authorization": "Bearer secret-token-abc", "Cookie": "sid=cookie-secret"})
        assert r.status_code == 500, r.text
        assert r.json()["error"]["code"], r.text
    sentry_sdk.flush(timeout=10)

asyncio.run(main())
sentry_sdk.get_client().close(timeout=10)
"""


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


def test_unhandled_request_errors_reach_the_sentry_endpoint_without_personal_data() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
        run_isolated(SCRIPT, {"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "test"})
    finally:
        server.shutdown()
    envelopes = b"\n".join(_Collector.received).decode()
    events = [
        json.loads(line)
        for line in envelopes.splitlines()
        if line.startswith("{") and '"exception"' in line
    ]
    assert events, f"no error event reached the endpoint: {envelopes[:500]}"
    event = events[0]
    values = event["exception"]["values"]
    assert any(v["type"] == "RuntimeError" and "sentry probe" in v["value"] for v in values)
    assert event["environment"] == "test"
    for secret in ("secret-token-abc", "cookie-secret"):
        at = envelopes.find(secret)
        assert at < 0, f"{secret} was sent to Sentry: ...{envelopes[max(0, at - 300) : at + 50]}"
    assert "127.0.0.1" not in json.dumps(event.get("user", {}))

"""Oversized request bodies are refused (413 ``payload_too_large``) before they are read into
memory or spooled: by Content-Length at once, and for a chunked body as soon as it passes the
route's limit. Routes that take large bodies (knowledge uploads, the runtime's recordings and
log batches, configuration import) have their own, larger limits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from api_factories import ORIGIN, make_published_template
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.middleware import DEFAULT_MAX_BODY_BYTES, body_limit


def _big_start(embed_key: str, size: int) -> bytes:
    return json.dumps({"embed_key": embed_key, "display_name": "x" * size}).encode()


async def test_a_public_start_with_an_oversized_body_is_refused(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    _, _, deployment = await make_published_template(db)
    body = _big_start(deployment.embed_key, DEFAULT_MAX_BODY_BYTES)
    declared = await client.post(
        "/api/v1/sessions",
        content=body,
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
    )
    assert declared.status_code == 413, declared.text
    error = declared.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"]["max_bytes"] == DEFAULT_MAX_BODY_BYTES
    # CORS headers stay on the refusal, so the embedding page can read it.
    assert declared.headers["access-control-allow-origin"] == ORIGIN

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 64 * 1024):
            yield body[i : i + 64 * 1024]

    streamed = await client.post(
        "/api/v1/sessions",
        content=chunks(),
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413, streamed.text
    assert streamed.json()["error"]["code"] == "payload_too_large"

    bogus = await client.post(
        "/api/v1/sessions",
        content=b"{}",
        headers={"Origin": ORIGIN, "Content-Type": "application/json", "Content-Length": "x"},
    )
    assert bogus.status_code in (400, 413)

    # Under the limit, the same route answers as usual.
    ok = await client.post(
        "/api/v1/sessions",
        content=_big_start(deployment.embed_key, 10),
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
    )
    assert ok.status_code == 201, ok.text


async def test_large_body_routes_have_their_own_limits(
    client: httpx.AsyncClient, runtime_headers: dict[str, str]
) -> None:
    assert body_limit("POST", "/api/v1/knowledge-bases/b/documents") > 100 * 1024 * 1024
    assert body_limit("PUT", "/api/v1/runtime/sessions/s/recordings/mixed") == 200 * 1024 * 1024
    assert body_limit("POST", "/api/v1/agents") == DEFAULT_MAX_BODY_BYTES
    # A runtime log batch past the default limit is read (and answered on its merits).
    entries = [
        {"seq": i, "kind": "message", "ts": "2026-01-01T00:00:00Z", "role": "user", "text": "x"}
        for i in range(1)
    ]
    padding = "y" * DEFAULT_MAX_BODY_BYTES
    body = json.dumps({"entries": entries, "final": False, "close_reason": padding}).encode()
    r = await client.post(
        "/api/v1/runtime/sessions/00000000-0000-0000-0000-000000000000/log",
        content=body,
        headers={**runtime_headers, "Content-Type": "application/json"},
    )
    assert r.status_code != 413, r.text

from __future__ import annotations

import httpx
from fastapi import FastAPI
from troupe_api.core.livekit import create_livekit_api
from troupe_api.core.settings import Settings


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["X-Request-ID"]


async def test_readyz_checks_real_services(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    for name in ("postgres", "redis", "livekit"):
        assert body["checks"][name]["status"] == "ok"
        assert body["checks"][name]["latency_ms"] >= 0
        assert body["checks"][name].get("error") is None


async def test_readyz_reports_unreachable_livekit(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    broken = settings.model_copy(update={"livekit_api_url": "http://127.0.0.1:9"})
    original = app.state.livekit
    app.state.livekit = create_livekit_api(broken, timeout_s=1.0)
    try:
        response = await client.get("/api/v1/readyz")
    finally:
        await app.state.livekit.aclose()
        app.state.livekit = original
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["livekit"]["status"] == "error"
    assert body["checks"]["livekit"]["error"]
    assert body["checks"]["postgres"]["status"] == "ok"


async def test_openapi_served_with_route_ids(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "health-liveness",
        "sessions-start",
        "runtime-session_config",
        "webhooks-livekit",
    } <= ids
    assert (await client.get("/api/v1/docs")).status_code == 200

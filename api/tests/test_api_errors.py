from __future__ import annotations

import json
import logging

import httpx
import pytest
from troupe_api.core.settings import Settings
from troupe_api.main import create_app


def _error(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]  # type: ignore[no-any-return]


async def test_unknown_route_is_enveloped(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nope")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


async def test_wrong_method_is_enveloped(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/healthz")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


async def test_validation_error_lists_fields(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/sessions", json={"embed_key": "pk_x", "template_id": "not-a-uuid", "bogus": 1}
    )
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_error"
    locs = [tuple(f["loc"]) for f in error["details"]["fields"]]  # type: ignore[index]
    assert ("body", "template_id") in locs
    assert ("body", "bogus") in locs


async def test_unhandled_exception_is_internal_error(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)

    @app.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with caplog.at_level(logging.ERROR):
            response = await client.get("/api/v1/boom", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "internal_error"
    assert "secret detail" not in json.dumps(error)
    assert response.headers["X-Request-ID"] == "req-123"
    assert any("unhandled_exception" in r.getMessage() for r in caplog.records)


async def test_request_id_generated_and_bad_ids_replaced(client: httpx.AsyncClient) -> None:
    generated = await client.get("/api/v1/healthz")
    assert len(generated.headers["X-Request-ID"]) == 32
    replaced = await client.get("/api/v1/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["X-Request-ID"] != "bad id\twith spaces"


async def test_cors_preflight_allows_configured_origin(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    origin = settings.cors_origins[0]
    response = await client.options(
        "/api/v1/sessions",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin


async def test_access_log_is_structured_with_request_context(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="troupe_api.access"):
        await client.get("/api/v1/nope", headers={"X-Request-ID": "trace-42"})
    lines = _access_lines(caplog, logging.INFO)
    assert lines, caplog.records
    line = lines[-1]
    assert line["request_id"] == "trace-42"
    assert line["method"] == "GET" and line["path"] == "/api/v1/nope"
    assert line["status"] == 404 and line["duration_ms"] >= 0


def _access_lines(caplog: pytest.LogCaptureFixture, level: int) -> list[dict[str, object]]:
    return [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg.get("event") == "request" and r.levelno == level
    ]


async def test_probes_and_empty_polls_log_at_debug_errors_stay_info(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="troupe_api.access"):
        await client.get("/api/v1/healthz")
        await client.post("/api/v1/runtime/simulation-runs/claim")  # no runtime token: 401
    debug = _access_lines(caplog, logging.DEBUG)
    info = _access_lines(caplog, logging.INFO)
    assert [(d["path"], d["status"]) for d in debug] == [("/api/v1/healthz", 200)]
    assert [(i["path"], i["status"]) for i in info] == [
        ("/api/v1/runtime/simulation-runs/claim", 401)
    ]

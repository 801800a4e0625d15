"""The API's /metrics and the worker's metrics module expose the names the alert rules and the
Grafana dashboard use; the security headers are on every API response."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import yaml
from prometheus_client import REGISTRY, generate_latest
from troupe_agent import observability as agent_obs
from troupe_api.core.settings import Settings
from troupe_api.main import create_app
from troupe_api.observability import metrics as api_metrics
from troupe_api.observability.security import JSON_CSP

ROOT = Path(__file__).resolve().parents[2]
OBS = ROOT / "deploy" / "observability"


@pytest.fixture
async def client() -> httpx.AsyncClient:
    # No lifespan: these routes touch neither the database nor Redis.
    app = create_app(Settings())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://api.test"
    ) as c:
        yield c


async def test_api_metrics_expose_documented_names_after_a_request(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/v1/healthz")).status_code == 200
    now = int(time.time())
    # Without the app's lifespan (no database) the webhook is refused; the received counter
    # counts every delivery, the lag histogram only accepted ones.
    await client.post(
        "/api/v1/webhooks/livekit",
        content=json.dumps({"event": "room_started", "createdAt": str(now - 3)}),
    )
    text = (await client.get("/metrics")).text
    for name in api_metrics.METRIC_NAMES:
        assert f"# TYPE {name} " in text, name
    assert re.search(
        r'troupe_api_request_duration_seconds_count\{method="GET",route="/api/v1/healthz"\} [1-9]',
        text,
    )
    assert re.search(r'troupe_api_webhooks_received_total\{event="\w+",status="\d+"\} [1-9]', text)


async def test_api_webhook_lag_is_receive_time_minus_created_at() -> None:
    received = {"status": 200}

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        scope["fastapi"] = {
            "effective_route_context": SimpleNamespace(path_format=api_metrics.WEBHOOK_PATH)
        }
        await receive()
        await send({"type": "http.response.start", "status": received["status"], "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    before = (
        REGISTRY.get_sample_value(
            "troupe_api_webhook_lag_seconds_sum", {"event": "participant_joined"}
        )
        or 0.0
    )
    wrapped = api_metrics.MetricsMiddleware(app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=wrapped), base_url="http://t"
    ) as c:
        body = {"event": "participant_joined", "createdAt": str(int(time.time()) - 5)}
        await c.post(api_metrics.WEBHOOK_PATH, json=body)
    lag = REGISTRY.get_sample_value(
        "troupe_api_webhook_lag_seconds_sum", {"event": "participant_joined"}
    )
    assert lag is not None and 4.0 <= lag - before <= 7.0


async def test_api_counts_session_starts_by_route_template() -> None:
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        scope["fastapi"] = {
            "effective_route_context": SimpleNamespace(path_format="/api/v1/sessions")
        }
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    before = REGISTRY.get_sample_value("troupe_api_sessions_started_total") or 0.0
    wrapped = api_metrics.MetricsMiddleware(app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=wrapped), base_url="http://t"
    ) as c:
        await c.post("/api/v1/sessions", json={})
        await c.get("/api/v1/sessions")  # a list, not a start
    assert REGISTRY.get_sample_value("troupe_api_sessions_started_total") == before + 1


async def test_api_security_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["content-security-policy"] == JSON_CSP
    assert r.headers["strict-transport-security"].startswith("max-age=")
    # error envelopes too
    r = await client.get("/api/v1/does-not-exist")
    assert r.status_code == 404 and r.headers["x-frame-options"] == "DENY"


async def test_api_no_hsts_over_plain_http() -> None:
    app = create_app(Settings())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as c:
        r = await c.get("/api/v1/healthz")
    assert "strict-transport-security" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_api_cors_only_for_configured_origins() -> None:
    # Preflights from other origins are answered by the API's embed CORS middleware, which
    # looks the origin up in the deployments table (api/tests cover it with a database).
    app = create_app(Settings(TROUPE_CORS_ORIGINS="https://app.example.com"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://a") as c:
        ok = await c.get("/api/v1/healthz", headers={"Origin": "https://app.example.com"})
        bad = await c.get("/api/v1/healthz", headers={"Origin": "https://evil.example.net"})
    assert ok.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in bad.headers


async def test_metrics_token_protects_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROUPE_METRICS_TOKEN", "s3cret-token")
    app = create_app(Settings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c:
        assert (await c.get("/metrics")).status_code == 401
        r = await c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert r.status_code == 200


def _ev(**kw: object) -> SimpleNamespace:
    return SimpleNamespace(**kw)


def test_worker_metrics_render_from_session_events() -> None:
    handlers: dict[str, object] = {}
    session = SimpleNamespace(on=lambda name, fn: handlers.__setitem__(name, fn))
    agent_obs.attach(session)
    handlers["conversation_item_added"](  # type: ignore[operator]
        _ev(item=_ev(metrics={"transcription_delay": 0.12, "end_of_turn_delay": 0.4}))
    )
    handlers["conversation_item_added"](  # type: ignore[operator]
        _ev(item=_ev(metrics={"llm_node_ttft": 0.3, "tts_node_ttfb": 0.2, "e2e_latency": 0.9}))
    )
    now = time.time()
    handlers["function_tools_executed"](  # type: ignore[operator]
        _ev(
            function_calls=[_ev(name="lookup", created_at=now - 0.25)],
            function_call_outputs=[_ev(created_at=now, is_error=True)],
        )
    )
    assert "metrics_collected" not in handlers  # deprecated in livekit-agents 1.8
    for prompt, completion in ((6, 2), (10, 4)):  # cumulative per model: counted once
        handlers["session_usage_updated"](  # type: ignore[operator]
            _ev(
                usage=_ev(
                    model_usage=[
                        _ev(
                            type="llm_usage",
                            model="fake/echo",
                            input_tokens=prompt,
                            output_tokens=completion,
                        ),
                        _ev(type="tts_usage", model="fake/tone"),
                    ]
                )
            )
        )
    active = REGISTRY.get_sample_value("troupe_agent_sessions_active")
    handlers["close"](_ev(reason=_ev(value="user_initiated")))  # type: ignore[operator]
    handlers["close"](_ev(reason=_ev(value="user_initiated")))  # type: ignore[operator]  # once
    assert REGISTRY.get_sample_value("troupe_agent_sessions_active") == (active or 0) - 1
    text = generate_latest(REGISTRY).decode()
    for name in agent_obs.METRIC_NAMES:
        assert f"# TYPE {name} " in text, name
    for stage in agent_obs.STAGE_KEYS.values():
        assert f'troupe_agent_turn_latency_seconds_count{{stage="{stage}"}}' in text
    assert 'troupe_agent_tool_call_errors_total{tool="lookup"} 1.0' in text
    assert 'troupe_agent_llm_tokens_total{kind="prompt",model="fake/echo"} 10.0' in text


def test_worker_server_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TROUPE_AGENT_METRICS_PORT", raising=False)
    assert agent_obs.server_options() == {}
    monkeypatch.setenv("TROUPE_AGENT_METRICS_PORT", "9464")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert agent_obs.server_options() == {
        "prometheus_port": 9464,
        "prometheus_multiproc_dir": str(tmp_path),
    }


def _metric_names_in(expr: str) -> set[str]:
    expr = re.sub(r'"[^"]*"', '""', expr)  # label values are not metric names
    return set(re.findall(r"\b((?:troupe|lk)_[a-z_]+|up)\b", expr))


KNOWN = (
    set(api_metrics.METRIC_NAMES)
    | set(agent_obs.METRIC_NAMES)
    | {"up", "lk_agents_active_job_count", "lk_agents_worker_load"}
)


def _base(name: str) -> str:
    return name if name in KNOWN else re.sub(r"_(bucket|sum|count)$", "", name)


def test_alert_rules_reference_real_metrics() -> None:
    doc = yaml.safe_load((OBS / "alerts.yml").read_text())
    rules = [r for g in doc["groups"] for r in g["rules"]]
    names = {r["alert"] for r in rules}
    assert {
        "TroupeSessionFailureRateHigh",
        "TroupeApiErrorRateHigh",
        "TroupeTurnLatencyP95High",
        "TroupeLiveKitDown",
        "TroupeAgentWorkerDown",
    } <= names
    for r in rules:
        assert set(r) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        assert r["labels"]["severity"] in {"warning", "critical"}
        assert r["annotations"]["summary"]
        used = {_base(n) for n in _metric_names_in(r["expr"]) if n.startswith(("troupe", "lk"))}
        assert used <= KNOWN, (r["alert"], used - KNOWN)


def test_grafana_dashboard_panels_use_real_metrics() -> None:
    dash = json.loads((OBS / "grafana-dashboard.json").read_text())
    assert dash["title"] and dash["panels"]
    used: set[str] = set()
    for panel in dash["panels"]:
        for target in panel.get("targets", []):
            used |= {_base(n) for n in _metric_names_in(target["expr"])}
    used.discard("up")
    assert used and used <= KNOWN, used - KNOWN
    # every metric we document is on the dashboard
    assert set(api_metrics.METRIC_NAMES) - used <= {"troupe_api_requests_in_progress"}
    assert {"troupe_agent_turn_latency_seconds", "troupe_agent_sessions_active"} <= used

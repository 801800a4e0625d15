"""Deployments, embed info and CORS, quotas, log queries, summary/replay/export, usage and cost,
alerts, recommendations, sweeper and retention jobs, and one job through the saq queue."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_factories import ORIGIN, bearer_for, make_published_template, make_user
from livekit import api as lk
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks.models import WebhookDelivery, WebhookEndpoint
from troupe_api.jobs import tasks
from troupe_api.jobs.worker import create_queue, create_worker
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.organizations.models import Organization, Role
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.usage import alerts as usage_alerts
from troupe_api.usage import metering
from troupe_api.usage import recommendations as cost_hints

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def _member(db: AsyncSession, settings: Settings, org: Organization) -> dict[str, str]:
    return await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))


async def _session(
    db: AsyncSession, org: Organization, template_id: uuid.UUID, **kw: Any
) -> Session:
    session = await sessions.create(
        db=db,
        organization_id=org.id,
        template_id=template_id,
        deployment_id=None,
        end_user_id=kw.pop("end_user_id", "eu-1"),
        participant_identity="user-x",
        metadata={},
    )
    for k, v in kw.items():
        setattr(session, k, v)
    await db.flush()
    return session


async def _user_joined(db: AsyncSession, session: Session, at: datetime) -> None:
    """The LiveKit participant_joined event of the session's end user, as the webhook stores it."""
    db.add(
        WebhookEvent(
            event_id=f"EV_{uuid.uuid4().hex[:12]}",
            event_type="participant_joined",
            room_name=session.room_name,
            session_id=session.id,
            organization_id=session.organization_id,
            participant_identity=session.participant_identity,
            event_created_at=at,
            payload={},
        )
    )
    await db.flush()


def _log(seq: int, kind: str, s: float, **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "kind": kind, "ts": (T0 + timedelta(seconds=s)).isoformat(), **fields}


ENTRIES = [
    _log(0, "transition", 0.5, from_agent=None, to_agent="ava"),
    _log(1, "message", 1, role="assistant", agent="ava", text="Hi"),
    _log(2, "message", 3, role="user", text="Talk to max"),
    _log(3, "turn_metrics", 3.5, agent="ava", e2e_latency_ms=800, llm_ttft_ms=300),
    _log(4, "tool_call", 4, agent="ava", tool="lookup", error="boom"),
    _log(
        5,
        "transition",
        5,
        from_agent="ava",
        to_agent="max",
        context_policy="summary",
        variables={"topic": "billing"},
        summary_method="extractive",
    ),
    _log(6, "message", 6, role="assistant", agent="max", text="Max here"),
    _log(7, "turn_metrics", 6.5, agent="max", e2e_latency_ms=1200, llm_ttft_ms=500),
    _log(8, "tool_call", 7, agent="max", tool="lookup", result="ok"),
    _log(
        9,
        "usage",
        9,
        provider="openai",
        model="gpt-4.1",
        llm_input_tokens=1_000_000,
        llm_output_tokens=100,
    ),
    _log(10, "usage", 9, provider="deepgram", model="nova-2", stt_seconds=120.0),
]


async def _with_log(
    client: httpx.AsyncClient, runtime_headers: dict[str, str], session: Session
) -> None:
    r = await client.post(
        f"/api/v1/runtime/sessions/{session.id}/log",
        json={"entries": ENTRIES, "final": True, "close_reason": "user_left"},
        headers=runtime_headers,
    )
    assert r.status_code == 200, r.text


async def test_deployments_crud_embed_info_and_cors(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await _member(db, settings, org)
    base = f"/api/v1/session-templates/{template.id}/deployments"
    created = await client.post(
        base,
        json={"name": "site", "allowed_origins": ["https://Shop.example:443/"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    dep = created.json()
    assert dep["embed_key"].startswith("pk_") and dep["allowed_origins"] == ["https://shop.example"]
    assert dep["embed_url"] == f"{settings.web_url.rstrip('/')}/embed/{dep['embed_key']}"
    assert 'allow="microphone; camera; display-capture"' in dep["embed_snippet"]
    bad = await client.post(
        base, json={"name": "x", "allowed_origins": ["ftp://x"]}, headers=headers
    )
    assert bad.status_code == 422
    dup = await client.post(base, json={"name": "site"}, headers=headers)
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "conflict", dup.text
    other = await client.post(base, json={"name": "other"}, headers=headers)
    assert other.status_code == 201, other.text
    renamed = await client.patch(
        f"{base}/{other.json()['id']}", json={"name": "site"}, headers=headers
    )
    assert renamed.status_code == 409 and renamed.json()["error"]["code"] == "conflict"
    listed = await client.get(base, headers=headers)
    assert [d["id"] for d in listed.json()["items"]].count(dep["id"]) == 1

    info = await client.get(f"/api/v1/embed/{dep['embed_key']}")
    assert info.status_code == 200
    body = info.json()
    assert body["template_name"] == template.name and body["initial_agent"]["slug"] == "ava"
    assert body["modality_profile"] == "audio_camera" and str(org.id) not in info.text

    # CORS: preflight and answer for an origin the deployment allows; none for others.
    pre = await client.options(
        "/api/v1/sessions",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://shop.example"
    start = await client.post(
        "/api/v1/sessions",
        json={"embed_key": dep["embed_key"]},
        headers={"Origin": "https://shop.example"},
    )
    assert start.status_code == 201, start.text
    assert start.headers["access-control-allow-origin"] == "https://shop.example"
    other = await client.options(
        "/api/v1/sessions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers

    rotated = await client.post(f"{base}/{dep['id']}/rotate-key", headers=headers)
    assert rotated.json()["embed_key"] != dep["embed_key"]
    assert (await client.get(f"/api/v1/embed/{dep['embed_key']}")).status_code == 401
    disabled = await client.patch(f"{base}/{dep['id']}", json={"enabled": False}, headers=headers)
    assert disabled.json()["enabled"] is False
    assert (await client.get(f"/api/v1/embed/{rotated.json()['embed_key']}")).status_code == 401
    assert (await client.delete(f"{base}/{dep['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"{base}/{dep['id']}", headers=headers)).status_code == 404


async def test_quotas_at_session_start(client: httpx.AsyncClient, db: AsyncSession) -> None:
    org, _, deployment = await make_published_template(db)
    start = {"embed_key": deployment.embed_key}

    async def go(user: str) -> httpx.Response:
        return await client.post(
            "/api/v1/sessions", json={**start, "end_user_id": user}, headers={"Origin": ORIGIN}
        )

    org.quota_concurrent_sessions = 2
    await db.commit()
    assert (await go("a")).status_code == 201
    assert (await go("b")).status_code == 201
    third = await go("c")
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "quota_concurrent_sessions"

    org.quota_concurrent_sessions = None
    org.quota_sessions_per_day = 2
    await db.commit()
    day = await go("d")
    assert day.status_code == 429 and day.json()["error"]["code"] == "quota_sessions_per_day"
    assert int(day.headers["retry-after"]) > 0

    # Org limits never exceed the plan's.
    org.quota_sessions_per_day = 10**9
    org.plan = "trial"
    org.trial_ends_at = datetime.now(UTC) - timedelta(minutes=1)
    await db.commit()
    expired = await go("e")
    assert expired.status_code == 402 and expired.json()["error"]["code"] == "trial_expired"


async def test_log_filters_pagination_summary_replay_export(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await _member(db, settings, org)
    session = await _session(
        db,
        org,
        template.id,
        status="completed",
        started_at=T0,
        ended_at=T0 + timedelta(seconds=60),
        duration_seconds=60.0,
        end_user_id="Customer-42",
    )
    db.add(
        WebhookEvent(
            event_id=f"EV_{uuid.uuid4().hex}",
            event_type="track_published",
            room_name=session.room_name,
            session_id=session.id,
            organization_id=org.id,
            participant_identity="user-x",
            track_sid="TR_1",
            event_created_at=T0 + timedelta(seconds=2),
            payload={"track": {"sid": "TR_1", "type": "AUDIO"}},
        )
    )
    await db.commit()
    await _with_log(client, runtime_headers, session)
    url = f"/api/v1/sessions/{session.id}"

    page = (await client.get(f"{url}/log?limit=4", headers=headers)).json()
    assert [e["seq"] for e in page["entries"]] == [0, 1, 2, 3] and page["next_cursor"] == "3"
    rest = (await client.get(f"{url}/log?limit=100&cursor=3", headers=headers)).json()
    assert rest["entries"][0]["seq"] == 4 and rest["next_cursor"] is None
    kinds = (await client.get(f"{url}/log?kind=tool_call&kind=transition", headers=headers)).json()
    assert [e["seq"] for e in kinds["entries"]] == [0, 4, 5, 8]
    by_agent = (await client.get(f"{url}/log?agent=max&since_seq=5", headers=headers)).json()
    assert [e["seq"] for e in by_agent["entries"]] == [6, 7, 8]

    summary = (await client.get(f"{url}/summary", headers=headers)).json()
    assert summary["agents"] == ["ava", "max"] and summary["handoffs"] == 1
    assert summary["turns"] == {"user": 1, "agent": 2, "total": 3}
    assert summary["tools"] == [{"tool": "lookup", "calls": 2, "errors": 1}]
    assert summary["latency_ms"]["e2e"] == {"count": 2, "p50": 800.0, "p95": 1200.0}
    assert summary["latency_ms"]["tts_ttfb"]["count"] == 0
    # gpt-4.1 default: $2/M input, $8/M output; deepgram $0.0043/min -> 2_000_800 + 8_600.
    assert summary["cost_micros"] == 2_000_000 + 800 + 8_600

    replay = (await client.get(f"{url}/replay", headers=headers)).json()["items"]
    times = [i["t_ms"] for i in replay]
    assert times == sorted(times) and times[0] == 500
    track = next(i for i in replay if i["source"] == "livekit")
    assert track["kind"] == "track_published" and track["t_ms"] == 2000
    assert track["data"]["track"]["sid"] == "TR_1"
    # A transition keeps its context plan, variables and summary method (the replay shows them).
    handoff = next(i for i in replay if i["kind"] == "transition" and i["agent"] == "max")
    assert handoff["data"]["context_policy"] == "summary"
    assert handoff["data"]["variables"] == {"topic": "billing"}
    assert handoff["data"]["summary_method"] == "extractive"

    exported = await client.get(f"{url}/export?format=csv", headers=headers)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == len(ENTRIES) and rows[4]["tool"] == "lookup" and rows[4]["error"] == "boom"
    doc = (await client.get(f"{url}/export?format=json", headers=headers)).json()
    assert doc["format"] == "troupe.session" and len(doc["entries"]) == len(ENTRIES)
    assert doc["events"][0]["track_sid"] == "TR_1"

    found = await client.get("/api/v1/sessions?end_user_id=customer-4&agent=max", headers=headers)
    assert [s["id"] for s in found.json()["items"]] == [str(session.id)]
    none = await client.get("/api/v1/sessions?agent=nobody", headers=headers)
    assert none.json()["items"] == []


async def test_usage_cost_with_org_prices_aggregation_and_recommendations(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await _member(db, settings, org)
    put = await client.put(
        "/api/v1/usage/prices",
        json={
            "provider": "openai",
            "model": "gpt-4.1",
            "llm_input_per_mtok_micros": 1_000_000,
            "llm_output_per_mtok_micros": 10_000_000,
        },
        headers=headers,
    )
    assert put.status_code == 200 and put.json()["scope"] == "organization"
    put = await client.put(
        "/api/v1/usage/prices",
        json={"provider": "troupe", "model": "session", "session_per_minute_micros": 1000},
        headers=headers,
    )
    session = await _session(
        db,
        org,
        template.id,
        status="completed",
        started_at=T0,
        ended_at=T0 + timedelta(seconds=120),
        duration_seconds=120.0,
    )
    await db.commit()
    await _with_log(client, runtime_headers, session)
    # Resent batch: rows are rebuilt, never doubled.
    await _with_log(client, runtime_headers, session)
    rows = await metering.session_usage(db=db, session_id=session.id)
    by = {(r.agent, r.provider, r.model): r for r in rows}
    # One assistant message each: the split is half/half and sums to the total.
    assert by[("ava", "openai", "gpt-4.1")].llm_input_tokens == 500_000
    assert by[("max", "openai", "gpt-4.1")].llm_input_tokens == 500_000
    assert sum(r.llm_output_tokens for r in rows) == 100
    assert by[("", "troupe", "session")].session_minutes == 2.0
    assert by[("", "troupe", "session")].cost_micros == 2000
    # $1/M in + $10/M out (override) + deepgram default + 2 session minutes.
    assert sum(r.cost_micros for r in rows) == 1_000_000 + 1_000 + 8_600 + 2_000

    since, until = (T0 - timedelta(days=1)).isoformat(), (T0 + timedelta(days=1)).isoformat()
    q = {"since": since, "until": until}
    day = (
        await client.get("/api/v1/usage", params={**q, "group_by": "day"}, headers=headers)
    ).json()
    assert [i["key"] for i in day["items"]] == ["2026-11-20"]
    assert day["totals"]["cost_micros"] == 1_011_600 and day["totals"]["cost_usd"] == "1.011600"
    assert day["totals"]["sessions"] == 1
    agents = (
        await client.get("/api/v1/usage", params={**q, "group_by": "agent"}, headers=headers)
    ).json()
    assert {i["key"] for i in agents["items"]} == {"", "ava", "max"}
    models = (
        await client.get("/api/v1/usage", params={**q, "group_by": "model"}, headers=headers)
    ).json()
    assert {i["key"] for i in models["items"]} == {
        "openai/gpt-4.1",
        "deepgram/nova-2",
        "troupe/session",
    }

    recs = await cost_hints.recommendations(
        db=db, organization_id=org.id, now=T0 + timedelta(days=1)
    )
    assert {r.agent for r in recs} == {"ava", "max"}
    assert all(r.suggested == "openai/gpt-4.1-mini" for r in recs)


async def test_usage_alerts_thresholds_and_spikes(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await _member(db, settings, org)
    now = datetime.now(UTC)
    patched = await client.patch(
        "/api/v1/usage/settings",
        json={"alert_sessions_per_day": 3, "retention_days": 7},
        headers=headers,
    )
    assert patched.status_code == 200 and patched.json()["retention_days"] == 7
    await _session(db, org, template.id, created_at=now - timedelta(days=3))
    for _ in range(12):
        await _session(db, org, template.id, created_at=now)
    await db.commit()
    await db.refresh(org)
    created = await usage_alerts.evaluate_alerts(db=db, org=org, now=now)
    assert {a.kind for a in created} == {"sessions_per_day", "sessions_spike"}
    assert await usage_alerts.evaluate_alerts(db=db, org=org, now=now) == []  # once per period
    await db.commit()
    listed = (await client.get("/api/v1/usage/alerts", headers=headers)).json()["items"]
    assert {a["kind"] for a in listed} == {"sessions_per_day", "sessions_spike"}


class _Rooms:
    def __init__(self, alive: set[str]) -> None:
        self.alive = alive

    async def list_rooms(self, request: lk.ListRoomsRequest) -> lk.ListRoomsResponse:
        return lk.ListRoomsResponse(
            rooms=[lk.Room(name=n) for n in request.names if n in self.alive]
        )


class _LiveKit:
    def __init__(self, alive: set[str]) -> None:
        self.room = _Rooms(alive)


async def test_sweeper_closes_orphaned_sessions(db: AsyncSession) -> None:
    org, template, _ = await make_published_template(db)
    old = datetime.now(UTC) - timedelta(hours=1)
    active = await _session(db, org, template.id, status="active", created_at=old, started_at=old)
    await _user_joined(db, active, old + timedelta(seconds=1))
    # The room started (the agent joined) but the user never did.
    agent_only = await _session(
        db, org, template.id, status="active", created_at=old, started_at=old
    )
    never = await _session(db, org, template.id, created_at=old)
    alive = await _session(db, org, template.id, status="active", created_at=old, started_at=old)
    recent = await _session(db, org, template.id)
    await db.commit()
    result = await tasks.sweep_orphaned_sessions(
        db=db,
        livekit=_LiveKit({alive.room_name}),
        older_than_s=600,  # type: ignore[arg-type]
    )
    assert result.completed == [str(active.id)]
    assert sorted(result.abandoned) == sorted([str(agent_only.id), str(never.id)])
    for s in (active, agent_only, never, alive, recent):
        await db.refresh(s)
    assert active.status == "completed" and active.ended_at is not None
    assert active.close_reason == "orphaned"
    assert active.duration_seconds is not None and active.duration_seconds >= 3598
    for s in (agent_only, never):
        assert s.status == "abandoned" and s.close_reason == "never_connected"
        assert s.duration_seconds is None
    assert alive.status == "active" and recent.status == "created"


async def test_sweeper_publishes_session_ended_once_like_the_lost_webhook(
    db: AsyncSession,
) -> None:
    org, template, _ = await make_published_template(db)
    db.add(
        WebhookEndpoint(
            organization_id=org.id,
            url="https://hooks.example.test/troupe",
            events=["session.ended"],
            secret_encrypted="unused-here",
        )
    )
    old = datetime.now(UTC) - timedelta(hours=1)
    orphan = await _session(db, org, template.id, status="active", created_at=old, started_at=old)
    await _user_joined(db, orphan, old)
    never = await _session(db, org, template.id, created_at=old)
    await db.commit()
    for _ in range(2):  # a second sweep finds nothing left to close: still one event each
        await tasks.sweep_orphaned_sessions(
            db=db,
            livekit=_LiveKit(set()),
            older_than_s=600,  # type: ignore[arg-type]
        )
    deliveries = list(
        await db.scalars(select(WebhookDelivery).where(WebhookDelivery.organization_id == org.id))
    )
    by_session = sorted((d.payload["data"]["id"], d.payload["data"]["status"]) for d in deliveries)
    assert by_session == sorted([(str(orphan.id), "completed"), (str(never.id), "abandoned")])
    assert {d.event_type for d in deliveries} == {"session.ended"}


async def test_sweeper_against_real_livekit(db: AsyncSession, settings: Settings) -> None:
    org, template, _ = await make_published_template(db)
    old = datetime.now(UTC) - timedelta(hours=1)
    orphan = await _session(db, org, template.id, status="active", created_at=old, started_at=old)
    await _user_joined(db, orphan, old)
    await db.commit()
    async with lk.LiveKitAPI(
        settings.livekit_server_url, settings.livekit_api_key, settings.livekit_api_secret
    ) as api:
        result = await tasks.sweep_orphaned_sessions(db=db, livekit=api, older_than_s=600)
    assert str(orphan.id) in result.completed


async def test_retention_purges_old_logs_and_events(
    client: httpx.AsyncClient, db: AsyncSession, runtime_headers: dict[str, str]
) -> None:
    org, template, _ = await make_published_template(db)
    org.retention_days = 10
    old = await _session(db, org, template.id, created_at=datetime.now(UTC) - timedelta(days=11))
    new = await _session(db, org, template.id)
    for s in (old, new):
        db.add(
            WebhookEvent(
                event_id=f"EV_{uuid.uuid4().hex}",
                event_type="room_started",
                room_name=s.room_name,
                session_id=s.id,
                organization_id=org.id,
                payload={},
            )
        )
    await db.commit()
    for s in (old, new):
        await _with_log(client, runtime_headers, s)
    result = await tasks.purge_expired_session_data(db=db)
    assert result.log_entries >= len(ENTRIES) and result.events >= 1

    async def count(model: Any, session: Session) -> int:
        return int(
            await db.scalar(
                select(func.count()).select_from(model).where(model.session_id == session.id)
            )
            or 0
        )

    assert await count(SessionLogEntry, old) == 0 and await count(WebhookEvent, old) == 0
    assert await count(SessionLogEntry, new) == len(ENTRIES) and await count(WebhookEvent, new) == 1
    assert await db.get(Session, old.id) is not None  # the session row stays


async def test_queue_runs_a_job(settings: Settings, db: AsyncSession) -> None:
    """A real saq worker on Redis runs an enqueued job (bounded time); ``db`` migrates the
    schema the job reads."""
    queue = create_queue(settings, name=f"troupe-test-{uuid.uuid4().hex[:8]}")
    worker = create_worker(settings, queue=queue, cron=False)
    await queue.connect()
    # saq sweeps the active list when a worker starts; a job dequeued but not yet marked
    # active at that instant is aborted as "swept". Sweeping first takes the sweep lock (60 s),
    # so the worker's start-up sweep cannot race the job below.
    await queue.sweep()
    task = asyncio.create_task(worker.start())
    try:
        result = await queue.apply("check_usage_alerts", timeout=20)
        assert isinstance(result, int)
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 10)
        await queue.disconnect()

"""Post-session analysis, customer webhooks, experiments and PII redaction."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from api_factories import (
    admin_headers,
    make_published_template,
    make_session,
)
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.analysis.extractors import RuleExtractor
from troupe_api.core.redaction import luhn_valid, redact_text
from troupe_api.core.settings import Settings, get_settings
from troupe_api.customer_webhooks import service as endpoints
from troupe_api.experiments import service as experiments
from troupe_api.experiments.schemas import Arm
from troupe_api.jobs import tasks
from troupe_api.jobs.queue import MemoryJobQueue
from troupe_api.organizations.models import Organization
from troupe_api.sessions import logs as session_logs
from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.templates.models import SessionTemplate
from troupe_contracts.log import SessionLogBatch

ANALYSIS = {
    "schema": {
        "type": "object",
        "properties": {
            "order_id": {"type": "string", "x-troupe-pattern": r"order (?:number )?#?(\d{4,})"},
            "resolved": {
                "type": "boolean",
                "x-troupe-pattern": [
                    r"\b(that|this) (fixed|solved|resolved) it\b",
                    r"\bthanks?, it works\b",
                ],
                "x-troupe-false-pattern": r"\bstill (broken|not working)\b",
                "default": False,
            },
            "topic": {
                "type": "string",
                "enum": ["billing", "technical", "sales"],
                "x-troupe-keywords": {"technical": ["error", "crash"], "billing": ["invoice"]},
                "x-troupe-source": "user",
            },
            "refund_amount": {"type": "number", "x-troupe-pattern": r"refund of \$?([\d.,]+)"},
            "callback_requested": {"type": "boolean", "x-troupe-pattern": r"call me back"},
        },
    },
    "criteria": [
        {"field": "resolved", "equals": True},
        {"agent_reached": "max"},
        {"tool_called": "lookup_order"},
        {"field": "topic", "in": ["technical", "billing"]},
    ],
}


def _ts(i: int) -> str:
    return (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i)).isoformat()


def _msg(seq: int, role: str, text: str, agent: str | None = "ava") -> dict[str, Any]:
    return {
        "kind": "message",
        "seq": seq,
        "ts": _ts(seq),
        "role": role,
        "text": text,
        "agent": agent,
    }


SCRIPT: list[dict[str, Any]] = [
    _msg(0, "assistant", "Hi, this is Ava. How can I help?"),
    _msg(1, "user", "I got an invoice question about order #48213, and the app shows an error."),
    {
        "kind": "tool_call",
        "seq": 2,
        "ts": _ts(2),
        "agent": "ava",
        "tool": "lookup_order",
        "arguments": {"order": "48213"},
        "result": "found",
    },
    {"kind": "transition", "seq": 3, "ts": _ts(3), "from_agent": "ava", "to_agent": "max"},
    _msg(4, "assistant", "Max here. I issued a refund of $12.50 and reset the app.", "max"),
    _msg(5, "user", "It was still broken at first... ok now, that fixed it!"),
    {"kind": "turn_metrics", "seq": 6, "ts": _ts(6), "agent": "max", "e2e_latency_ms": 800.0},
]


async def _session(db: AsyncSession, org: Organization, template: SessionTemplate) -> Session:
    return await make_session(
        db, org, template, participant_identity=f"user-{uuid.uuid4().hex[:6]}", end_user_id="eu"
    )


# --- analysis ---------------------------------------------------------------------------------


async def test_final_log_batch_enqueues_analysis_that_extracts_fields_and_judges_criteria(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
    jobs: MemoryJobQueue,
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    put = await client.put(
        f"/api/v1/session-templates/{template.id}/analysis", json=ANALYSIS, headers=headers
    )
    assert put.status_code == 200, put.text
    assert put.json()["criteria"][0] == {"field": "resolved", "equals": True}
    session = await _session(db, org, template)
    url = f"/api/v1/runtime/sessions/{session.id}/log"

    first = await client.post(url, json={"entries": SCRIPT[:3]}, headers=runtime_headers)
    assert first.status_code == 200 and not jobs.named("analyze_session")
    final = await client.post(
        url, json={"entries": SCRIPT[3:], "final": True}, headers=runtime_headers
    )
    assert final.json()["final"] is True
    [job] = jobs.named("analyze_session")
    assert job.kwargs == {"session_id": str(session.id)} and job.retries > 1

    pending = await client.get(f"/api/v1/sessions/{session.id}/analysis", headers=headers)
    assert pending.json()["status"] == "pending"

    result = await tasks.analyze_session(
        db=db, settings=settings, session_id=session.id, extractor=RuleExtractor()
    )
    assert result == {"status": "completed", "success": True}
    body = (await client.get(f"/api/v1/sessions/{session.id}/analysis", headers=headers)).json()
    assert body["status"] == "completed" and body["extractor"] == "rules"
    assert body["fields"] == {
        "order_id": "48213",
        "resolved": True,  # "still broken" came first, "that fixed it" last
        "topic": "technical",  # "invoice" then "error": the last mention wins
        "refund_amount": 12.5,
        "callback_requested": None,
    }
    assert [c["passed"] for c in body["criteria"]] == [True, True, True, True]
    assert body["success"] is True and body["attempts"] == 1


async def test_failed_criteria_give_a_negative_verdict(
    db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    template.analysis_config = ANALYSIS
    session = await _session(db, org, template)
    batch = SessionLogBatch.model_validate(
        {"entries": [_msg(0, "user", "Sales question. It is still not working."), SCRIPT[2]]}
    )
    await session_logs.ingest_log(db=db, session=session, batch=batch)
    await db.commit()
    result = await tasks.analyze_session(
        db=db, settings=settings, session_id=session.id, extractor=RuleExtractor()
    )
    assert result == {"status": "completed", "success": False}
    row = await db.scalar(select(SessionLogEntry).where(SessionLogEntry.session_id == session.id))
    assert row is not None


async def test_a_session_without_analysis_reads_as_an_empty_state_not_a_404(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    session = await _session(db, org, template)
    response = await client.get(f"/api/v1/sessions/{session.id}/analysis", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "none" and body["session_id"] == str(session.id)
    assert body["fields"] == {} and body["criteria"] == [] and body["success"] is None
    assert body["attempts"] == 0 and body["completed_at"] is None
    # An unknown session is still a 404.
    missing = await client.get(f"/api/v1/sessions/{uuid.uuid4()}/analysis", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "session_not_found"


async def test_analysis_config_is_validated(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    url = f"/api/v1/session-templates/{template.id}/analysis"
    bad_schema = await client.put(url, json={"schema": {"type": "array"}}, headers=headers)
    assert bad_schema.status_code == 422
    two_kinds = await client.put(
        url, json={"criteria": [{"field": "x", "tool_called": "y"}]}, headers=headers
    )
    assert two_kinds.status_code == 422


# --- customer webhooks ------------------------------------------------------------------------


@pytest.fixture
async def flaky_receiver() -> AsyncIterator[tuple[str, list[tuple[int, bytes, dict[str, str]]]]]:
    """A local endpoint answering 500 twice, then 200; records (status, body, headers)."""
    calls: list[tuple[int, bytes, dict[str, str]]] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        status = 500 if len(calls) < 2 else 200
        calls.append((status, body, dict(request.headers)))
        return web.Response(status=status, text="nope" if status == 500 else "ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/hook", calls
    finally:
        await runner.cleanup()


async def test_webhook_fails_twice_then_arrives_once_with_a_valid_signature(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    flaky_receiver: tuple[str, list[tuple[int, bytes, dict[str, str]]]],
) -> None:
    url, calls = flaky_receiver
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    saved_hosts = list(settings.webhook_allowed_hosts)
    settings.webhook_allowed_hosts = ["127.0.0.1"]  # the receiver listens on loopback
    try:
        created = await client.post(
            "/api/v1/webhook-endpoints",
            json={"url": url, "events": ["session.ended", "analysis.completed"]},
            headers=headers,
        )
    finally:
        settings.webhook_allowed_hosts = saved_hosts
    assert created.status_code == 201, created.text
    endpoint = created.json()
    secret = endpoint["secret"]
    assert secret.startswith("whsec_")
    listed = await client.get("/api/v1/webhook-endpoints", headers=headers)
    assert listed.json()["items"][0]["secret"] is None  # shown once

    session = await _session(db, org, template)
    for _ in range(2):  # the same event twice: one delivery
        await endpoints.emit(
            db=db,
            organization_id=org.id,
            event_type="session.ended",
            key=str(session.id),
            data={"id": str(session.id)},
        )
    await endpoints.emit(
        db=db,
        organization_id=org.id,
        event_type="session.started",  # not subscribed
        key=str(session.id),
        data={},
    )
    await db.commit()
    [delivery] = await endpoints.list_deliveries(
        db=db, organization_id=org.id, endpoint_id=uuid.UUID(endpoint["id"])
    )

    allowed = settings.model_copy(
        update={"webhook_allowed_hosts": ["127.0.0.1"], "webhook_delivery_backoff_s": 10.0}
    )
    refused = await tasks.deliver_webhook(db=db, settings=settings, delivery_id=delivery.id)
    assert refused["status"] == "failed" and not calls  # SSRF check: loopback refused
    delivery.status = "pending"
    delivery.attempts = 0
    await db.commit()

    t0 = datetime.now(UTC)
    first = await tasks.deliver_webhook(db=db, settings=allowed, delivery_id=delivery.id, now=t0)
    assert first == {"status": "pending", "attempts": 1, "status_code": 500}
    await db.refresh(delivery)
    assert delivery.next_retry_at == t0 + timedelta(seconds=10)
    # Not due yet: the sweeper leaves it alone; then due after 10 s, and 20 s after that.
    assert await tasks.retry_due_webhook_deliveries(db=db, settings=allowed, now=t0) == 0
    t1 = t0 + timedelta(seconds=10)
    assert await tasks.retry_due_webhook_deliveries(db=db, settings=allowed, now=t1) == 1
    await db.refresh(delivery)
    assert delivery.attempts == 2 and delivery.next_retry_at == t1 + timedelta(seconds=20)
    t2 = t1 + timedelta(seconds=20)
    third = await tasks.deliver_webhook(db=db, settings=allowed, delivery_id=delivery.id, now=t2)
    assert third == {"status": "succeeded", "attempts": 3, "status_code": 200}
    again = await tasks.deliver_webhook(db=db, settings=allowed, delivery_id=delivery.id, now=t2)
    assert again == {"status": None}

    assert [c[0] for c in calls] == [500, 500, 200]
    _, body, received = calls[-1]
    assert sum(1 for c in calls if c[0] == 200) == 1
    payload = json.loads(body)
    assert payload["type"] == "session.ended" and payload["data"] == {"id": str(session.id)}
    assert received["Troupe-Event"] == "session.ended"
    assert received["Troupe-Event-Id"] == payload["id"]
    signature = received["Troupe-Signature"]
    t, _v1 = (p.split("=", 1)[1] for p in signature.split(","))
    assert int(t) == int(t2.timestamp())
    assert endpoints.sign(secret, body, int(t)) == signature
    assert not endpoints.verify("whsec_wrong", body, signature, tolerance_s=10**9)

    log = await client.get(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=headers
    )
    [row] = log.json()["items"]
    assert row["status"] == "succeeded" and row["attempts"] == 3
    assert row["last_status_code"] == 200 and row["response_excerpt"] == "ok"
    assert row["next_retry_at"] is None

    jobs.requests.clear()
    redo = await client.post(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/{delivery.id}/redeliver",
        headers=headers,
    )
    assert redo.status_code == 202 and redo.json()["status"] == "pending"
    assert [j.kwargs for j in jobs.named("deliver_webhook")] == [{"delivery_id": str(delivery.id)}]


# --- experiments ------------------------------------------------------------------------------


def test_weighted_assignment_is_seedable_and_within_tolerance() -> None:
    arms = [Arm(name="a", weight=70), Arm(name="b", weight=30)]
    first = [experiments.choose(arms, random.Random(7)).name for _ in range(50)]
    rng = random.Random(7)
    seq = [experiments.choose(arms, rng).name for _ in range(2000)]
    assert seq == [
        experiments.choose(arms, r).name for r in [random.Random(7)] for _ in range(2000)
    ]
    assert len(set(first)) == 1  # same seed, same first draw
    assert abs(seq.count("a") / 2000 - 0.7) < 0.03


async def test_200_starts_split_by_weight_and_results_compare_arms(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    unlimited = settings.model_copy(
        update={
            "rate_limit_session_start": "1000/minute",
            "rate_limit_session_start_org": "1000/minute",
        }
    )
    app.dependency_overrides[get_settings] = lambda: unlimited
    org, template, _ = await make_published_template(db)
    org.plan = "enterprise"
    headers = await admin_headers(db, settings, org)
    put = await client.put(
        f"/api/v1/session-templates/{template.id}/experiment",
        json={
            "arms": [
                {"name": "control", "weight": 70},
                {"name": "pinned", "weight": 30, "pinned_versions": {"ava": 1}},
            ]
        },
        headers=headers,
    )
    assert put.status_code == 200, put.text
    bad = await client.put(
        f"/api/v1/session-templates/{template.id}/experiment",
        json={
            "arms": [
                {"name": "a", "weight": 1},
                {"name": "b", "weight": 1, "pinned_versions": {"ava": 99}},
            ]
        },
        headers=headers,
    )
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "session_config_invalid"
    assert "arm 'b'" in json.dumps(bad.json())

    experiments.seed(1234)
    counts = {"control": 0, "pinned": 0}
    session_ids: dict[str, list[str]] = {"control": [], "pinned": []}
    for _ in range(200):
        response = await client.post(
            "/api/v1/sessions", json={"template_id": str(template.id)}, headers=headers
        )
        assert response.status_code == 201, response.text
        sid = response.json()["session"]["id"]
        arm = await db.scalar(select(Session.experiment_arm).where(Session.id == uuid.UUID(sid)))
        assert arm is not None
        counts[arm] += 1
        session_ids[arm].append(sid)
    assert abs(counts["control"] / 200 - 0.7) <= 0.08, counts

    # The arm is used when the runtime resolves the session's config.
    pinned_sid = session_ids["pinned"][0]
    config = await client.get(
        f"/api/v1/runtime/session-config/{pinned_sid}",
        headers={"Authorization": f"Bearer {settings.runtime_token}"},
    )
    assert config.status_code == 200
    assert {a["slug"]: a["version"] for a in config.json()["agents"]}["ava"] == 1

    # A few latency samples per arm.
    for arm, latency in (("control", 400.0), ("pinned", 900.0)):
        session = await db.get(Session, uuid.UUID(session_ids[arm][0]))
        assert session is not None
        await session_logs.ingest_log(
            db=db,
            session=session,
            batch=SessionLogBatch.model_validate(
                {
                    "entries": [
                        {
                            "kind": "turn_metrics",
                            "seq": i,
                            "ts": _ts(i),
                            "e2e_latency_ms": latency + 100 * i,
                        }
                        for i in range(3)
                    ]
                    + [
                        {
                            "kind": "transition",
                            "seq": 9,
                            "ts": _ts(9),
                            "from_agent": "ava",
                            "to_agent": "max",
                        }
                    ]
                },
            ),
        )
    await db.commit()
    results = await client.get(
        f"/api/v1/session-templates/{template.id}/experiment/results", headers=headers
    )
    assert results.status_code == 200, results.text
    body = results.json()
    assert body["sessions"] == 200 and body["enabled"] is True
    by_arm = {a["arm"]: a for a in body["arms"]}
    assert by_arm["control"]["sessions"] == counts["control"]
    assert by_arm["control"]["weight"] == 70
    assert by_arm["control"]["turn_latency_p50_ms"] == 500.0
    assert by_arm["pinned"]["turn_latency_p95_ms"] == pytest.approx(1090.0)
    assert by_arm["pinned"]["handoffs"] == 1
    assert by_arm["pinned"]["completion_rate"] is None  # no analyses yet


# --- redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me: jane.doe+x@mail.example.co.uk.", "mail me: [EMAIL]."),
        ("card 4111 1111 1111 1111 exp 12/29", "card [CARD] exp 12/29"),
        ("card 4242-4242-4242-4242", "card [CARD]"),
        ("not a card 4111 1111 1111 1112", "not a card 4111 1111 1111 1112"),
        ("call +1 (415) 555-0132 or 020 7946 0958", "call [PHONE] or [PHONE]"),
        ("order 12345 on 2024-01-31 costs 3.50", "order 12345 on 2024-01-31 costs 3.50"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


async def test_redaction_applies_before_storing_when_the_org_enables_it(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    session = await _session(db, org, template)
    url = f"/api/v1/runtime/sessions/{session.id}/log"
    text = "I'm bob@example.com, card 4111 1111 1111 1111, phone +44 20 7946 0958"
    await client.post(url, json={"entries": [_msg(0, "user", text)]}, headers=runtime_headers)

    on = await client.patch("/api/v1/usage/settings", json={"redact_pii": True}, headers=headers)
    assert on.status_code == 200 and on.json()["redact_pii"] is True
    entries = [
        _msg(1, "user", text),
        {
            "kind": "tool_call",
            "seq": 2,
            "ts": _ts(2),
            "agent": "ava",
            "tool": "crm",
            "arguments": {"email": "bob@example.com"},
            "result": "bob@example.com found",
        },
    ]
    await client.post(url, json={"entries": entries}, headers=runtime_headers)
    rows = {
        r.seq: r.payload
        for r in await db.scalars(
            select(SessionLogEntry).where(SessionLogEntry.session_id == session.id)
        )
    }
    assert rows[0]["text"] == text  # stored before redaction was switched on
    assert rows[1]["text"] == "I'm [EMAIL], card [CARD], phone [PHONE]"
    assert rows[2]["arguments"] == {"email": "[EMAIL]"} and rows[2]["result"] == "[EMAIL] found"
    assert rows[2]["tool"] == "crm" and rows[1]["agent"] == "ava"

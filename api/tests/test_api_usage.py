"""Usage and cost: organization prices, per-session rows, aggregation, recommendations and
alert thresholds and spikes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from api_factories import (
    SAMPLE_LOG_T0,
    admin_headers,
    make_published_template,
    make_session,
    post_sample_log,
)
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.usage import alerts as usage_alerts
from troupe_api.usage import metering
from troupe_api.usage import recommendations as cost_hints


async def test_usage_cost_with_org_prices_aggregation_and_recommendations(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
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
    session = await make_session(
        db,
        org,
        template,
        status="completed",
        started_at=SAMPLE_LOG_T0,
        ended_at=SAMPLE_LOG_T0 + timedelta(seconds=120),
        duration_seconds=120.0,
    )
    await db.commit()
    await post_sample_log(client, runtime_headers, session)
    # Resent batch: rows are rebuilt, never doubled.
    await post_sample_log(client, runtime_headers, session)
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

    since, until = (
        (SAMPLE_LOG_T0 - timedelta(days=1)).isoformat(),
        (SAMPLE_LOG_T0 + timedelta(days=1)).isoformat(),
    )
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
        db=db, organization_id=org.id, now=SAMPLE_LOG_T0 + timedelta(days=1)
    )
    assert {r.agent for r in recs} == {"ava", "max"}
    assert all(r.suggested == "openai/gpt-4.1-mini" for r in recs)


async def test_usage_alerts_thresholds_and_spikes(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    now = datetime.now(UTC)
    patched = await client.patch(
        "/api/v1/usage/settings",
        json={"alert_sessions_per_day": 3, "retention_days": 7},
        headers=headers,
    )
    assert patched.status_code == 200 and patched.json()["retention_days"] == 7
    await make_session(db, org, template, created_at=now - timedelta(days=3))
    for _ in range(12):
        await make_session(db, org, template, created_at=now)
    await db.commit()
    await db.refresh(org)
    created = await usage_alerts.evaluate_alerts(db=db, org=org, now=now)
    assert {a.kind for a in created} == {"sessions_per_day", "sessions_spike"}
    assert await usage_alerts.evaluate_alerts(db=db, org=org, now=now) == []  # once per period
    await db.commit()
    listed = (await client.get("/api/v1/usage/alerts", headers=headers)).json()["items"]
    assert {a["kind"] for a in listed} == {"sessions_per_day", "sessions_spike"}

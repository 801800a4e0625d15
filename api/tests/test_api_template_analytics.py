"""Per-template analytics: sessions and how they ended, duration, turn latency, handoffs, tool
calls and errors, cost, and sessions per day; only the template's sessions in the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_factories import (
    bearer_for,
    make_published_template,
    make_session,
    make_template,
    make_user,
)
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Role
from troupe_api.sessions.models import SessionLogEntry
from troupe_api.usage.models import SessionUsage


async def test_template_analytics_counts_only_the_templates_sessions_in_the_period(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, deployment = await make_published_template(db)
    viewer = await make_user(db, org, Role.VIEWER)
    headers = await bearer_for(db, settings, viewer)
    now = datetime.now(UTC)

    async def session(status: str, duration: float | None, logs: list[dict[str, Any]]) -> Any:
        s = await make_session(db, org, template, deployment)
        s.status = status
        s.duration_seconds = duration
        for seq, payload in enumerate(logs):
            kind = payload.pop("kind")
            db.add(
                SessionLogEntry(
                    organization_id=org.id,
                    session_id=s.id,
                    seq=seq,
                    kind=kind,
                    ts=now,
                    payload=payload,
                )
            )
        await db.commit()
        return s

    a = await session(
        "completed",
        120.0,
        [
            {"kind": "turn_metrics", "e2e_latency_ms": 400},
            {"kind": "turn_metrics", "e2e_latency_ms": 800},
            {"kind": "transition", "from_agent": "ava", "to_agent": "max"},
            {"kind": "tool_call", "name": "lookup"},
            {"kind": "tool_call", "name": "lookup", "error": "timeout"},
        ],
    )
    await session("completed", 60.0, [{"kind": "turn_metrics", "e2e_latency_ms": 600}])
    await session("failed", None, [])
    await session("abandoned", None, [])
    await session("active", None, [])
    db.add(
        SessionUsage(
            organization_id=org.id,
            session_id=a.id,
            template_id=template.id,
            occurred_at=now,
            provider="local",
            model="smollm2",
            cost_micros=2_500_000,
        )
    )
    # Another template's session does not count.
    other = await make_template(db, org, [template.initial_agent or "ava"])
    await make_session(db, org, other)
    await db.commit()

    r = await client.get(f"/api/v1/session-templates/{template.id}/analytics", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sessions"] == 5
    assert (body["completed_sessions"], body["failed_sessions"], body["abandoned_sessions"]) == (
        2,
        1,
        1,
    )
    assert body["active_sessions"] == 1
    assert body["completion_rate"] == 0.5  # 2 of the 4 that ended
    assert body["avg_duration_s"] == 90.0 and body["total_minutes"] == 3.0
    assert body["turns"] == 3 and body["turn_latency_p50_ms"] == 600.0
    assert 760 <= body["turn_latency_p95_ms"] <= 800
    assert (body["handoffs"], body["tool_calls"], body["tool_errors"]) == (1, 2, 1)
    assert body["cost_micros"] == 2_500_000 and body["cost_usd"] == "2.500000"
    assert body["cost_per_session_usd"] == "0.500000"
    assert body["days"] == [{"day": now.date().isoformat(), "sessions": 5, "completed": 2}]

    # A period before the sessions: nothing.
    empty = await client.get(
        f"/api/v1/session-templates/{template.id}/analytics",
        params={
            "since": (now - timedelta(days=10)).isoformat(),
            "until": (now - timedelta(days=9)).isoformat(),
        },
        headers=headers,
    )
    assert empty.json()["sessions"] == 0 and empty.json()["completion_rate"] is None
    bad = await client.get(
        f"/api/v1/session-templates/{template.id}/analytics",
        params={"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()},
        headers=headers,
    )
    assert bad.status_code == 422

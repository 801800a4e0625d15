"""Organization quotas and plan limits at session start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from api_factories import (
    ORIGIN,
    make_published_template,
)
from sqlalchemy.ext.asyncio import AsyncSession


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

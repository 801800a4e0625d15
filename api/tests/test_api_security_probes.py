"""Issue 19, "found by probing": what an attacker or an operator found on a running stack, each
pinned by a test that fails without its fix."""

from __future__ import annotations

import uuid

import httpx
from api_factories import bearer_for, make_published_template, make_user
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.jobs import tasks
from troupe_api.organizations.models import Organization, Role
from troupe_api.webhook_endpoints import service as endpoints


async def _admin(db: AsyncSession, settings: Settings, org: Organization) -> dict[str, str]:
    user = await make_user(db, org, Role.ADMIN)
    return {**await bearer_for(db, settings, user), "X-Troupe-Org": str(org.id)}


async def test_a_customer_webhook_whose_host_does_not_resolve_is_retried(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    """A DNS failure (a resolver outage, a record not yet created) is transient: the delivery
    stays pending with a retry, unlike an address the policy refuses (final at once)."""
    org, _template, _ = await make_published_template(db)
    headers = await _admin(db, settings, org)
    ids: dict[str, uuid.UUID] = {}
    for url in ("https://no-such-host.invalid/hook", "http://169.254.169.254/hook"):
        created = await client.post(
            "/api/v1/webhook-endpoints",
            json={"url": url, "events": ["session.ended"]},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        ids[url] = uuid.UUID(created.json()["id"])
    await endpoints.emit(
        db=db, organization_id=org.id, event_type="session.ended", key=str(uuid.uuid4()), data={}
    )
    await db.commit()
    outcome = {}
    for url, endpoint_id in ids.items():
        [delivery] = await endpoints.list_deliveries(
            db=db, organization_id=org.id, endpoint_id=endpoint_id
        )
        outcome[url] = await tasks.deliver_webhook(
            db=db, settings=settings, delivery_id=delivery.id
        )
        await db.refresh(delivery)
        if "invalid" in url:
            assert delivery.next_retry_at is not None
            assert delivery.last_error is not None and "does not resolve" in delivery.last_error
    assert outcome == {
        "https://no-such-host.invalid/hook": {
            "status": "pending",
            "attempts": 1,
            "status_code": None,
        },
        "http://169.254.169.254/hook": {"status": "failed", "attempts": 1, "status_code": None},
    }

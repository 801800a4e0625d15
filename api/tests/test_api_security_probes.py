"""Issue 19, "found by probing": what an attacker or an operator found on a running stack, each
pinned by a test that fails without its fix."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from api_factories import bearer_for, make_org, make_published_template, make_user
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.core.crypto import SecretBox, encrypted_columns, rotate_all
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks import service as endpoints
from troupe_api.customer_webhooks.models import WebhookEndpoint
from troupe_api.jobs import tasks
from troupe_api.models import Base
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Membership, Organization, Role
from troupe_api.tools import service as tools
from troupe_api.tools.schemas import WebhookToolSpec


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
    created = await client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "https://no-such-host.invalid/hook", "events": ["session.ended"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    ids = {"https://no-such-host.invalid/hook": uuid.UUID(created.json()["id"])}
    # A refused address is refused at create already; one stored before is refused at delivery.
    refused = await client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "http://169.254.169.254/hook", "events": ["session.ended"]},
        headers=headers,
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "webhook_url_forbidden"
    stored = WebhookEndpoint(
        organization_id=org.id,
        url="http://169.254.169.254/hook",
        events=["session.ended"],
        secret_encrypted=endpoints.seal_secret("whsec_x", SecretBox.from_settings(settings)),
    )
    db.add(stored)
    await db.flush()
    ids["http://169.254.169.254/hook"] = stored.id
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


OLD_KEY = "the-retired-key-0123456789abcdef-xyz"


async def test_rotate_secrets_covers_every_encrypted_column_then_the_old_key_can_go(
    db: AsyncSession, settings: Settings
) -> None:
    org, _template, _ = await make_published_template(db)
    old = SecretBox(OLD_KEY)
    tool, _ = await tools.save(
        db=db,
        organization_id=org.id,
        spec=WebhookToolSpec(
            name="hook", description="d", url="https://x.example/h", secret_headers={"K": "v"}
        ),
        box=old,
    )
    endpoint = WebhookEndpoint(
        organization_id=org.id,
        url="https://no-such-host.invalid/hook",
        events=["session.ended"],
        secret_encrypted=endpoints.seal_secret("whsec_signing", old),
    )
    db.add(endpoint)
    await db.flush()

    both = SecretBox(settings.encryption_key, [OLD_KEY])
    counts = await rotate_all(db=db, box=both, metadata=Base.metadata)
    assert counts["tools.secret_headers"] >= 1
    assert counts["webhook_endpoints.secret_encrypted"] >= 1

    # The old key removed: everything still reads, and a delivery signs and is attempted.
    current = SecretBox(settings.encryption_key)
    await db.refresh(tool)
    await db.refresh(endpoint)
    assert tool.secret_headers is not None
    assert current.decrypt_json(tool.secret_headers) == {"K": "v"}
    assert endpoints.secret_of(endpoint, current) == "whsec_signing"
    await endpoints.emit(
        db=db, organization_id=org.id, event_type="session.ended", key="k", data={}
    )
    await db.commit()
    [delivery] = await endpoints.list_deliveries(
        db=db, organization_id=org.id, endpoint_id=endpoint.id
    )
    result = await tasks.deliver_webhook(db=db, settings=settings, delivery_id=delivery.id)
    assert result["status"] == "pending"  # signed, then the (unresolvable) host is retried
    await db.refresh(delivery)
    assert delivery.last_error is not None and "does not resolve" in delivery.last_error


async def test_a_signing_secret_no_key_reads_is_a_recorded_delivery_error(
    db: AsyncSession, settings: Settings
) -> None:
    org, _template, _ = await make_published_template(db)
    endpoint = WebhookEndpoint(
        organization_id=org.id,
        url="https://hooks.example.test/hook",
        events=["session.ended"],
        secret_encrypted=endpoints.seal_secret("whsec_lost", SecretBox(OLD_KEY)),
    )
    db.add(endpoint)
    await db.flush()
    await endpoints.emit(
        db=db, organization_id=org.id, event_type="session.ended", key="k", data={}
    )
    await db.commit()
    [delivery] = await endpoints.list_deliveries(
        db=db, organization_id=org.id, endpoint_id=endpoint.id
    )
    result = await tasks.deliver_webhook(db=db, settings=settings, delivery_id=delivery.id)
    assert result["status"] == "pending" and result["attempts"] == 1
    await db.refresh(delivery)
    assert delivery.last_error is not None and "cannot be decrypted" in delivery.last_error


def test_every_secret_looking_column_is_registered_for_rotation() -> None:
    """A new column holding a secret must be declared with ``encrypted_column()`` so that
    ``rotate-secrets`` re-encrypts it."""
    registered = {f"{t.name}.{c.name}" for t, c in encrypted_columns(Base.metadata)}
    assert {"tools.secret_headers", "webhook_endpoints.secret_encrypted"} <= registered
    looks_secret = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(w in column.name for w in ("secret", "encrypted", "credential", "private_key"))
        and not column.name.endswith(("_names", "_hash", "_hint", "_at"))
    }
    assert looks_secret <= registered, sorted(looks_secret - registered)


async def test_the_audit_log_shows_a_members_logins_only_from_when_they_joined(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    now = datetime.now(UTC)
    home = await make_org(db)
    other = await make_org(db)
    user = await make_user(db, home, Role.MEMBER)
    before = await audit.record(
        db=db, action=AuditAction.LOGIN_SUCCEEDED, user_id=user.id, ip="198.51.100.7"
    )
    before.created_at = now - timedelta(hours=2)
    await organizations.ensure_membership(
        db=db, organization_id=other.id, user_id=user.id, role=Role.MEMBER
    )
    membership = await db.scalar(
        select(Membership).where(
            Membership.organization_id == other.id, Membership.user_id == user.id
        )
    )
    assert membership is not None
    membership.created_at = now - timedelta(hours=1)
    home_membership = await db.scalar(
        select(Membership).where(
            Membership.organization_id == home.id, Membership.user_id == user.id
        )
    )
    assert home_membership is not None
    home_membership.created_at = now - timedelta(hours=3)
    after = await audit.record(
        db=db, action=AuditAction.LOGIN_SUCCEEDED, user_id=user.id, ip="203.0.113.9"
    )
    after.created_at = now - timedelta(minutes=30)
    await db.flush()

    async def logins(org: Organization) -> list[int]:
        headers = await _admin(db, settings, org)
        listed = await client.get(
            "/api/v1/audit-events", params={"action": "auth.login_succeeded"}, headers=headers
        )
        assert listed.status_code == 200, listed.text
        return [e["id"] for e in listed.json()["items"] if e["user_id"] == str(user.id)]

    assert await logins(other) == [after.id]  # not the login from before they joined
    assert await logins(home) == [after.id, before.id]

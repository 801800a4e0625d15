"""Customer webhooks: per-organization endpoints, signed events and their deliveries.

Each event is one JSON body ``{"id", "type", "created_at", "organization_id", "data"}``
POSTed to every enabled endpoint subscribed to its type, with headers

- ``Troupe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``
- ``Troupe-Event: <type>``, ``Troupe-Event-Id: <id>``, ``Troupe-Delivery: <delivery id>``.

Receivers recompute the HMAC over the timestamp, a dot and the raw body, compare in constant
time and reject old timestamps (e.g. > 5 minutes). A delivery succeeds on any 2xx; other
answers and network errors retry after ``backoff * 2^(attempt-1)`` seconds
(``TROUPE_WEBHOOK_DELIVERY_BACKOFF_S``, default 30) until
``TROUPE_WEBHOOK_DELIVERY_MAX_ATTEMPTS`` (default 8); a host that does not resolve is retried
the same way. Hosts the shared address policy refuses (``troupe_contracts.address_policy``:
private, loopback, link-local, CGNAT...) fail at once, unless in
``TROUPE_WEBHOOK_ALLOWED_HOSTS``; the connection goes to the address that was checked."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts import address_policy

from troupe_api.core.crypto import InvalidToken, SecretBox
from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks.models import WebhookDelivery, WebhookEndpoint
from troupe_api.jobs.queue import JobRequest, defer
from troupe_api.tools.service import pinned_request

log = get_logger(__name__)

SESSION_STARTED = "session.started"
SESSION_ENDED = "session.ended"
ANALYSIS_COMPLETED = "analysis.completed"
USAGE_ALERT = "usage.alert"
SIGNATURE_HEADER = "Troupe-Signature"
JOB = "deliver_webhook"
SECRET_PREFIX = "whsec_"
TIMEOUT_S = 10.0
EXCERPT_CHARS = 1000


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_of(endpoint: WebhookEndpoint, box: SecretBox) -> str:
    return box.decrypt_json(endpoint.secret_encrypted)["secret"]


def seal_secret(secret: str, box: SecretBox) -> str:
    return box.encrypt_json({"secret": secret})


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance_s: int = 300) -> bool:
    """Receiver-side check (documentation and tests)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance_s:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def event_id(event_type: str, key: str) -> str:
    return "evt_" + hashlib.sha256(f"{event_type}:{key}".encode()).hexdigest()[:32]


# --- endpoints --------------------------------------------------------------------------------


async def list_endpoints(*, db: AsyncSession, organization_id: uuid.UUID) -> list[WebhookEndpoint]:
    return list(
        await db.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.organization_id == organization_id)
            .order_by(WebhookEndpoint.created_at)
        )
    )


async def get_endpoint(
    *, db: AsyncSession, organization_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint | None:
    return await db.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.organization_id == organization_id,
            WebhookEndpoint.id == endpoint_id,
        )
    )


# --- events -----------------------------------------------------------------------------------


async def emit(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    event_type: str,
    key: str,
    data: dict[str, Any],
) -> list[WebhookDelivery]:
    """Record the event for every enabled endpoint subscribed to it and defer their
    deliveries. ``key`` makes the event id: emitting the same event twice delivers once."""
    targets = [
        e
        for e in await list_endpoints(db=db, organization_id=organization_id)
        if e.enabled and event_type in e.events
    ]
    if not targets:
        return []
    evt = event_id(event_type, key)
    now = datetime.now(UTC)
    payload = {
        "id": evt,
        "type": event_type,
        "created_at": now.isoformat(),
        "organization_id": str(organization_id),
        "data": data,
    }
    created: list[WebhookDelivery] = []
    for endpoint in targets:
        delivery_id = await db.scalar(
            insert(WebhookDelivery)
            .values(
                id=uuid.uuid4(),
                organization_id=organization_id,
                endpoint_id=endpoint.id,
                event_id=evt,
                event_type=event_type,
                payload=payload,
                status="pending",
                attempts=0,
                next_retry_at=now,
            )
            .on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
            .returning(WebhookDelivery.id)
        )
        if delivery_id is None:
            continue
        delivery = await db.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        created.append(delivery)
        defer(db, delivery_job(delivery))
    return created


def delivery_job(delivery: WebhookDelivery) -> JobRequest:
    stamp = int(delivery.next_retry_at.timestamp()) if delivery.next_retry_at else 0
    return JobRequest(
        JOB,
        kwargs={"delivery_id": str(delivery.id)},
        key=f"webhook:{delivery.id}:{delivery.attempts}:{stamp}",
        scheduled=delivery.next_retry_at,
        timeout_s=int(TIMEOUT_S) + 20,
    )


# --- deliveries -------------------------------------------------------------------------------


def backoff(settings: Settings, attempts: int) -> timedelta:
    return timedelta(seconds=settings.webhook_delivery_backoff_s * 2 ** max(attempts - 1, 0))


async def deliver(
    *,
    db: AsyncSession,
    settings: Settings,
    delivery_id: uuid.UUID,
    now: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> WebhookDelivery | None:
    """One attempt of a pending delivery (the row is locked meanwhile, so concurrent jobs
    never send it twice). Commits; when it must retry, the next job is deferred on ``db``
    for ``next_retry_at``. None when there was nothing to attempt."""
    now = now or datetime.now(UTC)
    delivery = await db.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending")
        .with_for_update(skip_locked=True)
    )
    if delivery is None:
        return None
    endpoint = await db.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not endpoint.enabled:
        delivery.status = "failed"
        delivery.next_retry_at = None
        delivery.last_error = "endpoint disabled"
        await db.commit()
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    box = SecretBox.from_settings(settings)
    try:
        secret = secret_of(endpoint, box)
    except InvalidToken:
        # Encrypted with a key no longer configured (rotate-secrets not run before the old
        # key was removed): recorded on the delivery, retried in case the key comes back.
        log.error("webhook_secret_unreadable", endpoint_id=str(endpoint.id))
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_error = "the endpoint's signing secret cannot be decrypted (encryption key)"
        if delivery.attempts >= settings.webhook_delivery_max_attempts:
            delivery.status, delivery.next_retry_at = "failed", None
        else:
            delivery.next_retry_at = now + backoff(settings, delivery.attempts)
            defer(db, delivery_job(delivery))
        await db.commit()
        return delivery
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Troupe-Webhooks/1",
        SIGNATURE_HEADER: sign(secret, body, int(now.timestamp())),
        "Troupe-Event": delivery.event_type,
        "Troupe-Event-Id": delivery.event_id,
        "Troupe-Delivery": str(delivery.id),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    retry = True
    try:
        target = await address_policy.resolve(endpoint.url, settings.webhook_allowed_hosts)
        async with httpx.AsyncClient(
            timeout=TIMEOUT_S, follow_redirects=False, transport=transport
        ) as client:
            response = await client.post(content=body, **pinned_request(target, headers))
        status_code = response.status_code
        excerpt = response.text[:EXCERPT_CHARS]
        if not response.is_success:
            error = f"HTTP {status_code}"
    except address_policy.AddressRefused as exc:
        error, retry = exc.message, False  # the policy will not change its mind
    except address_policy.HostUnresolved as exc:
        error = str(exc)  # DNS failures pass (a resolver outage, a record being created)
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    delivery.last_status_code = status_code
    delivery.response_excerpt = excerpt
    delivery.last_error = error
    if error is None:
        delivery.status = "succeeded"
        delivery.delivered_at = now
        delivery.next_retry_at = None
    elif not retry or delivery.attempts >= settings.webhook_delivery_max_attempts:
        delivery.status = "failed"
        delivery.next_retry_at = None
    else:
        delivery.next_retry_at = now + backoff(settings, delivery.attempts)
        defer(db, delivery_job(delivery))
    await db.commit()
    log.info(
        "webhook_delivery_attempted",
        delivery_id=str(delivery.id),
        attempts=delivery.attempts,
        status=delivery.status,
        status_code=status_code,
    )
    return delivery


async def due_deliveries(
    *, db: AsyncSession, now: datetime | None = None, limit: int = 100
) -> list[uuid.UUID]:
    now = now or datetime.now(UTC)
    return list(
        await db.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_retry_at <= now)
            .order_by(WebhookDelivery.next_retry_at)
            .limit(limit)
        )
    )


async def list_deliveries(
    *, db: AsyncSession, organization_id: uuid.UUID, endpoint_id: uuid.UUID, limit: int = 100
) -> list[WebhookDelivery]:
    return list(
        await db.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.organization_id == organization_id,
                WebhookDelivery.endpoint_id == endpoint_id,
            )
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
            .limit(limit)
        )
    )


async def redeliver(*, db: AsyncSession, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue one more attempt now, whatever the delivery's state."""
    delivery.status = "pending"
    delivery.next_retry_at = datetime.now(UTC)
    await db.flush()
    defer(db, delivery_job(delivery))
    return delivery

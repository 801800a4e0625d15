"""Delivery of usage alerts. A newly recorded alert (once per organization, kind and period)
publishes the customer webhook event ``usage.alert`` through the customer webhook deliveries and
defers the ``send_usage_alert_email`` job, which mails the organization's admins through the
mail outbox (``outbox.service``) once: the alert row is locked while mailing and ``emailed_at``
marks it sent, so a repeated or retried job sends nothing more."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks import service as endpoints
from troupe_api.jobs.queue import JobRequest, defer
from troupe_api.organizations.models import Membership, Organization, Role
from troupe_api.outbox import service as mail
from troupe_api.usage.models import UsageAlert
from troupe_api.users.models import User

log = get_logger(__name__)

EMAIL_JOB = "send_usage_alert_email"

_TITLES = {
    "cost_per_month": "monthly cost reached its alert threshold",
    "sessions_per_day": "sessions today reached their alert threshold",
    "sessions_spike": "sessions today are far above the last 7 days' average",
    "cost_spike": "cost today is far above the last 7 days' average",
}


def alert_data(alert: UsageAlert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "period": alert.period,
        "value": alert.value,
        "threshold": alert.threshold,
        "details": alert.details or {},
        "created_at": alert.created_at.isoformat() if alert.created_at else None,
    }


def email_job(alert_id: int) -> JobRequest:
    return JobRequest(
        EMAIL_JOB,
        kwargs={"alert_id": alert_id},
        key=f"usage_alert_email:{alert_id}",
        retries=5,
        retry_delay_s=30.0,
        timeout_s=60,
    )


async def publish(*, db: AsyncSession, alert: UsageAlert) -> None:
    """Emit ``usage.alert`` (idempotent per alert) and defer its e-mail; in the caller's
    transaction, so both happen only if the alert is committed."""
    await endpoints.emit(
        db=db,
        organization_id=alert.organization_id,
        event_type=endpoints.USAGE_ALERT,
        key=f"{alert.kind}:{alert.period}",
        data=alert_data(alert),
    )
    defer(db, email_job(alert.id))


def _amount(kind: str, value: float) -> str:
    if kind.startswith("cost"):
        return f"${value / 1_000_000:,.2f}"
    return f"{value:,.0f}"


def _body(org: Organization, alert: UsageAlert, web_url: str) -> str:
    title = _TITLES.get(alert.kind, alert.kind)
    return (
        f"Usage alert for {org.name}: {title}.\n\n"
        f"Alert: {alert.kind}\n"
        f"Period: {alert.period}\n"
        f"Value: {_amount(alert.kind, alert.value)}\n"
        f"Threshold: {_amount(alert.kind, alert.threshold)}\n\n"
        f"Usage and alert settings: {web_url.rstrip('/')}/dashboard/usage\n"
    )


async def send_email(
    *, db: AsyncSession, settings: Settings, alert_id: int, now: datetime | None = None
) -> int:
    """Mail the alert to the organization's active admins, once. Returns the number of
    messages sent now (0 when it was already sent or the alert is gone). Commits."""
    alert = await db.scalar(select(UsageAlert).where(UsageAlert.id == alert_id).with_for_update())
    if alert is None or alert.emailed_at is not None:
        await db.rollback()
        return 0
    org = await db.get(Organization, alert.organization_id)
    recipients: list[str] = []
    if org is not None:
        recipients = list(
            await db.scalars(
                select(User.email)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.organization_id == org.id,
                    Membership.role == Role.ADMIN.value,
                    User.is_active.is_(True),
                )
                .order_by(User.email)
            )
        )
        for to in recipients:
            await mail.send(
                settings,
                db=db,
                to=to,
                subject=f"Troupe usage alert: {_TITLES.get(alert.kind, alert.kind)}",
                body=_body(org, alert, settings.web_url),
            )
    alert.emailed_at = now or datetime.now(UTC)
    await db.commit()
    log.info("usage_alert_emailed", alert_id=alert_id, recipients=len(recipients))
    return len(recipients)

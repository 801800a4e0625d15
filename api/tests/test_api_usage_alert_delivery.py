"""Usage alerts are delivered, not only listed: a crossed threshold publishes the customer
webhook event ``usage.alert`` and mails the organization's admins (the mail outbox), once per
alert and period, however often the alerts are checked or the e-mail job runs."""

from __future__ import annotations

import email
import uuid
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

from api_factories import make_published_template, make_user, make_webhook_endpoint
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks.models import WebhookDelivery
from troupe_api.jobs import tasks
from troupe_api.jobs.queue import flush
from troupe_api.organizations.models import Role
from troupe_api.sessions import service as sessions
from troupe_api.usage import alerts as usage_alerts
from troupe_api.usage import notify


def _mails(box: Path) -> list[Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(box.glob("*.eml"))]


async def test_crossed_threshold_sends_webhook_and_email_once(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    settings = settings.model_copy(update={"mailbox_dir": box})
    org, template, _ = await make_published_template(db)
    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.com"
    await make_user(db, org, Role.ADMIN, email=admin_email)
    await make_user(db, org, Role.MEMBER, email=f"member-{uuid.uuid4().hex[:6]}@example.com")
    org.alert_sessions_per_day = 2
    await make_webhook_endpoint(db, org, ["usage.alert"])
    now = datetime.now(UTC)
    for _ in range(2):
        await sessions.create(
            db=db,
            organization_id=org.id,
            template_id=template.id,
            deployment_id=None,
            end_user_id=None,
            participant_identity=f"user-{uuid.uuid4().hex[:8]}",
            metadata={},
        )
    await db.commit()
    await db.refresh(org)

    assert [a.kind for a in await usage_alerts.evaluate_alerts(db=db, org=org, now=now)] == [
        "sessions_per_day"
    ]
    await db.commit()
    deferred = await flush(db, None)
    deliveries = list(
        await db.scalars(select(WebhookDelivery).where(WebhookDelivery.organization_id == org.id))
    )
    assert [d.event_type for d in deliveries] == ["usage.alert"]
    data = deliveries[0].payload["data"]
    assert data["kind"] == "sessions_per_day" and data["value"] == 2 and data["threshold"] == 2
    assert data["period"] == now.strftime("%Y-%m-%d")
    jobs = [r for r in deferred if r.function == notify.EMAIL_JOB]
    assert len(jobs) == 1 and {r.function for r in deferred} == {
        notify.EMAIL_JOB,
        "deliver_webhook",
    }

    # The e-mail job: to the admins only; a second run (retry, duplicate) sends nothing.
    alert_id = jobs[0].kwargs["alert_id"]
    assert await notify.send_email(db=db, settings=settings, alert_id=alert_id) == 1
    assert await notify.send_email(db=db, settings=settings, alert_id=alert_id) == 0
    mails = _mails(box)
    assert [m["To"] for m in mails] == [admin_email]
    assert "usage alert" in str(mails[0]["Subject"]).lower()
    body = mails[0].get_payload(decode=True)
    assert isinstance(body, bytes) and b"sessions_per_day" in body

    # Checking again in the same period (the cron job) publishes nothing new for this org.
    await tasks.check_usage_alerts(db=db, now=now)
    again = await flush(db, None)
    assert alert_id not in [r.kwargs.get("alert_id") for r in again]
    count = len(
        list(
            await db.scalars(
                select(WebhookDelivery).where(WebhookDelivery.organization_id == org.id)
            )
        )
    )
    assert count == 1
    assert len(_mails(box)) == 1

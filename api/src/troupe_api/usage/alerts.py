"""Usage alerts: thresholds an organization set (cost per month, sessions per day) and spikes
against the trailing week, each recorded once per period; a new alert is published
(``usage.alert``) and e-mailed (``notify``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionStatus

from troupe_api.organizations.models import Organization
from troupe_api.sessions.models import Session
from troupe_api.usage import notify
from troupe_api.usage.models import SessionUsage, UsageAlert

SPIKE_FACTOR = 3.0
SPIKE_MIN_SESSIONS = 10
SPIKE_MIN_COST_MICROS = 1_000_000


async def _daily_sessions(
    db: AsyncSession, org_id: uuid.UUID, start: datetime, end: datetime
) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Session)
            .where(
                Session.organization_id == org_id,
                Session.created_at >= start,
                Session.created_at < end,
                Session.status != SessionStatus.ABANDONED.value,
            )
        )
        or 0
    )


async def _cost(db: AsyncSession, org_id: uuid.UUID, start: datetime, end: datetime) -> int:
    return int(
        await db.scalar(
            select(func.coalesce(func.sum(SessionUsage.cost_micros), 0)).where(
                SessionUsage.organization_id == org_id,
                SessionUsage.occurred_at >= start,
                SessionUsage.occurred_at < end,
            )
        )
        or 0
    )


async def evaluate_alerts(
    *, db: AsyncSession, org: Organization, now: datetime | None = None
) -> list[UsageAlert]:
    """Record every threshold crossed and spike seen (once per org, kind and period); each new
    alert publishes ``usage.alert`` and defers its e-mail (``usage.notify``)."""
    now = now or datetime.now(UTC)
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    found: list[tuple[str, str, float, float, dict[str, Any]]] = []
    if org.alert_cost_per_month_micros is not None:
        cost = await _cost(db, org.id, month, now + timedelta(seconds=1))
        if cost >= org.alert_cost_per_month_micros:
            found.append(
                (
                    "cost_per_month",
                    month.strftime("%Y-%m"),
                    cost,
                    org.alert_cost_per_month_micros,
                    {},
                )
            )
    today_sessions = await _daily_sessions(db, org.id, day, now + timedelta(seconds=1))
    if org.alert_sessions_per_day is not None and today_sessions >= org.alert_sessions_per_day:
        found.append(
            (
                "sessions_per_day",
                day.strftime("%Y-%m-%d"),
                today_sessions,
                org.alert_sessions_per_day,
                {},
            )
        )
    week_start = day - timedelta(days=7)
    avg_sessions = await _daily_sessions(db, org.id, week_start, day) / 7
    if avg_sessions > 0 and today_sessions >= max(SPIKE_MIN_SESSIONS, SPIKE_FACTOR * avg_sessions):
        found.append(
            (
                "sessions_spike",
                day.strftime("%Y-%m-%d"),
                today_sessions,
                SPIKE_FACTOR * avg_sessions,
                {"trailing_7d_average": avg_sessions},
            )
        )
    today_cost = await _cost(db, org.id, day, now + timedelta(seconds=1))
    avg_cost = await _cost(db, org.id, week_start, day) / 7
    if avg_cost > 0 and today_cost >= max(SPIKE_MIN_COST_MICROS, SPIKE_FACTOR * avg_cost):
        found.append(
            (
                "cost_spike",
                day.strftime("%Y-%m-%d"),
                today_cost,
                SPIKE_FACTOR * avg_cost,
                {"trailing_7d_average_micros": avg_cost},
            )
        )
    created: list[UsageAlert] = []
    for kind, period, value, threshold, details in found:
        alert_id = await db.scalar(
            insert(UsageAlert)
            .values(
                organization_id=org.id,
                kind=kind,
                period=period,
                value=float(value),
                threshold=float(threshold),
                details=details,
            )
            .on_conflict_do_nothing(index_elements=["organization_id", "kind", "period"])
            .returning(UsageAlert.id)
        )
        if alert_id is not None:
            alert = await db.get(UsageAlert, alert_id)
            assert alert is not None
            await notify.publish(db=db, alert=alert)
            created.append(alert)
    return created


async def list_alerts(
    *, db: AsyncSession, organization_id: uuid.UUID, limit: int = 100
) -> list[UsageAlert]:
    rows = await db.scalars(
        select(UsageAlert)
        .where(UsageAlert.organization_id == organization_id)
        .order_by(UsageAlert.created_at.desc(), UsageAlert.id.desc())
        .limit(limit)
    )
    return list(rows)

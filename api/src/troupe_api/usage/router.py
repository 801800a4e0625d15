"""Usage, cost, alerts, cost hints and the organization's usage settings and prices."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from troupe_api.core.errors import ValidationFailed
from troupe_api.deps import AdminOrg, DbDep, ViewerOrg
from troupe_api.organizations.models import Organization
from troupe_api.usage import alerts as usage_alerts
from troupe_api.usage import prices, reports
from troupe_api.usage import recommendations as cost_hints
from troupe_api.usage.errors import PriceNotFound
from troupe_api.usage.models import Price
from troupe_api.usage.plans import limits_for
from troupe_api.usage.schemas import (
    PriceList,
    PriceRead,
    PriceWrite,
    RecommendationList,
    RecommendationRead,
    UsageAlertList,
    UsageAlertRead,
    UsageBucketRead,
    UsageReport,
    UsageSettingsRead,
    UsageSettingsUpdate,
)

router = APIRouter(prefix="/usage", tags=["usage"])

MAX_RANGE = timedelta(days=366)


def _bucket(b: reports.UsageBucket) -> UsageBucketRead:
    q = b.quantities
    return UsageBucketRead(
        key=b.key,
        sessions=b.sessions,
        cost_micros=b.cost_micros,
        cost_usd=prices.micros_to_usd(b.cost_micros),
        llm_input_tokens=int(q.get("llm_input_tokens", 0)),
        llm_output_tokens=int(q.get("llm_output_tokens", 0)),
        stt_seconds=q.get("stt_seconds", 0.0),
        tts_characters=int(q.get("tts_characters", 0)),
        tts_seconds=q.get("tts_seconds", 0.0),
        vision_frames=int(q.get("vision_frames", 0)),
        session_minutes=q.get("session_minutes", 0.0),
    )


@router.get("", name="report", response_model=UsageReport)
async def report(
    db: DbDep,
    ctx: ViewerOrg,
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: Literal["day", "agent", "model", "template"] = "day",
    agent: Annotated[str | None, Query(max_length=48)] = None,
    model: Annotated[str | None, Query(max_length=200, description="provider/model")] = None,
    template_id: uuid.UUID | None = None,
) -> UsageReport:
    """Usage and cost of the organization between ``since`` (default: 30 days ago) and
    ``until`` (default: now), by UTC day, agent, provider/model or template, plus totals.
    Money is in micro-dollars (``cost_micros``) and as a decimal string (``cost_usd``)."""
    now = datetime.now(UTC)
    until = until or now
    since = since or until - timedelta(days=30)
    if since.tzinfo is None or until.tzinfo is None:
        raise ValidationFailed("since and until need a time zone.")
    if since >= until or until - since > MAX_RANGE:
        raise ValidationFailed("since must be before until, at most 366 days apart.")
    items, totals = await reports.aggregate(
        db=db,
        organization_id=ctx.organization_id,
        since=since,
        until=until,
        group_by=group_by,
        agent=agent,
        model=model,
        template_id=template_id,
    )
    return UsageReport(
        since=since,
        until=until,
        group_by=group_by,
        items=[_bucket(b) for b in items],
        totals=_bucket(totals),
    )


@router.get("/alerts", name="alerts", response_model=UsageAlertList)
async def alerts(
    db: DbDep, ctx: ViewerOrg, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> UsageAlertList:
    """Thresholds crossed and spikes seen (newest first)."""
    rows = await usage_alerts.list_alerts(db=db, organization_id=ctx.organization_id, limit=limit)
    return UsageAlertList(
        items=[UsageAlertRead.model_validate(r, from_attributes=True) for r in rows]
    )


@router.get("/recommendations", name="recommendations", response_model=RecommendationList)
async def recommendations(db: DbDep, ctx: ViewerOrg) -> RecommendationList:
    """Cost hints from the last 30 days of usage."""
    rows = await cost_hints.recommendations(db=db, organization_id=ctx.organization_id)
    return RecommendationList(
        items=[
            RecommendationRead(
                **vars(r),
                estimated_monthly_savings_usd=prices.micros_to_usd(
                    r.estimated_monthly_savings_micros
                ),
            )
            for r in rows
        ]
    )


def _settings(org: Organization) -> UsageSettingsRead:
    limits = limits_for(org, now=datetime.now(UTC))
    return UsageSettingsRead(
        plan=limits.plan,
        trial_ends_at=org.trial_ends_at,
        trial_expired=limits.trial_expired,
        sessions_per_day=limits.sessions_per_day,
        concurrent_sessions=limits.concurrent_sessions,
        max_duration_s=limits.max_duration_s,
        quota_sessions_per_day=org.quota_sessions_per_day,
        quota_concurrent_sessions=org.quota_concurrent_sessions,
        quota_max_duration_s=org.quota_max_duration_s,
        retention_days=org.retention_days,
        alert_cost_per_month_micros=org.alert_cost_per_month_micros,
        alert_sessions_per_day=org.alert_sessions_per_day,
        redact_pii=org.redact_pii,
    )


async def _org(db: DbDep, organization_id: uuid.UUID) -> Organization:
    org = await db.get(Organization, organization_id)
    assert org is not None  # the org context resolved it
    return org


@router.get("/settings", name="read_settings", response_model=UsageSettingsRead)
async def read_settings(db: DbDep, ctx: ViewerOrg) -> UsageSettingsRead:
    """Plan, effective limits, retention and alert thresholds."""
    return _settings(await _org(db, ctx.organization_id))


@router.patch("/settings", name="update_settings", response_model=UsageSettingsRead)
async def update_settings(body: UsageSettingsUpdate, db: DbDep, ctx: AdminOrg) -> UsageSettingsRead:
    org = await _org(db, ctx.organization_id)
    for name in body.model_fields_set:
        value = getattr(body, name)
        if name in ("retention_days", "redact_pii") and value is None:
            continue
        setattr(org, name, value)
    await db.commit()
    await db.refresh(org)
    return _settings(org)


def _price(p: Price) -> PriceRead:
    return PriceRead.model_validate(
        {
            **{f: getattr(p, f) for f in prices.PRICE_FIELDS},
            "id": p.id,
            "provider": p.provider,
            "model": p.model,
            "scope": "default" if p.organization_id is None else "organization",
        }
    )


@router.get("/prices", name="list_prices", response_model=PriceList)
async def list_prices(db: DbDep, ctx: ViewerOrg) -> PriceList:
    """The platform's default prices and this organization's overrides (micro-dollars)."""
    rows = await prices.list_prices(db=db, organization_id=ctx.organization_id)
    return PriceList(items=[_price(p) for p in rows])


@router.put("/prices", name="set_price", response_model=PriceRead)
async def set_price(body: PriceWrite, db: DbDep, ctx: AdminOrg) -> PriceRead:
    """Create or replace this organization's price for a provider/model. Applies to usage
    finalised from now on."""
    values = {f: getattr(body, f) for f in prices.PRICE_FIELDS}
    price = await prices.set_price(
        db=db,
        organization_id=ctx.organization_id,
        provider=body.provider,
        model=body.model,
        values=values,
    )
    await db.commit()
    return _price(price)


@router.delete("/prices/{price_id}", name="delete_price", status_code=status.HTTP_204_NO_CONTENT)
async def delete_price(price_id: uuid.UUID, db: DbDep, ctx: AdminOrg) -> Response:
    """Remove an override (the default applies again)."""
    if not await prices.delete_price(db=db, organization_id=ctx.organization_id, price_id=price_id):
        raise PriceNotFound()
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Per-template analytics over a period: sessions, how they ended, duration, turn latency,
handoffs, tool errors and cost (the template page's overview)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import Date, Float, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.usage.models import SessionUsage

ENDED = ("completed", "failed", "abandoned")


class TemplateDay(BaseModel):
    day: str
    sessions: int
    completed: int


class TemplateAnalytics(BaseModel):
    template_id: uuid.UUID
    since: datetime
    until: datetime
    sessions: int = Field(description="Sessions created in the period.")
    active_sessions: int
    completed_sessions: int = Field(description="Ended normally.")
    failed_sessions: int
    abandoned_sessions: int = Field(description="Never joined or left within seconds.")
    completion_rate: float | None = Field(
        description="completed / ended (completed, failed, abandoned); null when none ended."
    )
    avg_duration_s: float | None
    total_minutes: float
    turn_latency_p50_ms: float | None = Field(description="turn_metrics e2e_latency_ms")
    turn_latency_p95_ms: float | None
    turns: int
    handoffs: int
    tool_calls: int
    tool_errors: int
    cost_micros: int
    cost_usd: str
    cost_per_session_usd: str | None
    days: list[TemplateDay]


def _usd(micros: int | Decimal) -> str:
    return str((Decimal(micros) / Decimal(1_000_000)).quantize(Decimal("0.000001")))


async def analytics(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    template_id: uuid.UUID,
    since: datetime,
    until: datetime,
) -> TemplateAnalytics:
    base = and_(
        Session.organization_id == organization_id,
        Session.template_id == template_id,
        Session.created_at >= since,
        Session.created_at < until,
    )
    by_status = dict(
        (
            await db.execute(
                select(Session.status, func.count()).where(base).group_by(Session.status)
            )
        ).all()
    )
    avg_duration, total_seconds = (
        await db.execute(
            select(func.avg(Session.duration_seconds), func.sum(Session.duration_seconds)).where(
                base, Session.status == "completed"
            )
        )
    ).one()

    latency = cast(SessionLogEntry.payload["e2e_latency_ms"].astext, Float)
    is_turn = SessionLogEntry.kind == "turn_metrics"
    is_handoff = and_(
        SessionLogEntry.kind == "transition",
        SessionLogEntry.payload["from_agent"].astext.is_not(None),
    )
    is_tool = SessionLogEntry.kind == "tool_call"
    is_tool_error = and_(is_tool, SessionLogEntry.payload["error"].astext.is_not(None))
    p50, p95, turns, handoffs, tool_calls, tool_errors = (
        await db.execute(
            select(
                func.percentile_cont(0.5).within_group(latency).filter(is_turn),
                func.percentile_cont(0.95).within_group(latency).filter(is_turn),
                func.sum(case((is_turn, 1), else_=0)),
                func.sum(case((is_handoff, 1), else_=0)),
                func.sum(case((is_tool, 1), else_=0)),
                func.sum(case((is_tool_error, 1), else_=0)),
            )
            .select_from(Session)
            .join(SessionLogEntry, SessionLogEntry.session_id == Session.id)
            .where(base)
        )
    ).one()
    cost = int(
        await db.scalar(
            select(func.coalesce(func.sum(SessionUsage.cost_micros), 0))
            .select_from(SessionUsage)
            .join(Session, Session.id == SessionUsage.session_id)
            .where(base)
        )
        or 0
    )
    day = cast(func.timezone("UTC", Session.created_at), Date)
    days = [
        TemplateDay(day=d.isoformat(), sessions=int(n), completed=int(c or 0))
        for d, n, c in (
            await db.execute(
                select(day, func.count(), func.count().filter(Session.status == "completed"))
                .where(base)
                .group_by(day)
                .order_by(day)
            )
        ).all()
    ]
    total = sum(int(v) for v in by_status.values())
    completed = int(by_status.get("completed", 0))
    ended = sum(int(by_status.get(s, 0)) for s in ENDED)
    return TemplateAnalytics(
        template_id=template_id,
        since=since,
        until=until,
        sessions=total,
        active_sessions=int(by_status.get("active", 0)) + int(by_status.get("created", 0)),
        completed_sessions=completed,
        failed_sessions=int(by_status.get("failed", 0)),
        abandoned_sessions=int(by_status.get("abandoned", 0)),
        completion_rate=completed / ended if ended else None,
        avg_duration_s=None if avg_duration is None else float(avg_duration),
        total_minutes=round(float(total_seconds or 0) / 60, 2),
        turn_latency_p50_ms=None if p50 is None else float(p50),
        turn_latency_p95_ms=None if p95 is None else float(p95),
        turns=int(turns or 0),
        handoffs=int(handoffs or 0),
        tool_calls=int(tool_calls or 0),
        tool_errors=int(tool_errors or 0),
        cost_micros=cost,
        cost_usd=_usd(cost),
        cost_per_session_usd=_usd(Decimal(cost) / Decimal(total)) if total else None,
        days=days,
    )

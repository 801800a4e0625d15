"""Usage aggregated for the dashboard: sessions, cost and quantities per day, agent, model or
template."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, String, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.usage.models import SessionUsage
from troupe_api.usage.prices import QUANTITIES

GroupBy = Literal["day", "agent", "model", "template"]


@dataclass
class UsageBucket:
    key: str
    sessions: int = 0
    cost_micros: int = 0
    quantities: dict[str, float] = field(default_factory=dict)


async def aggregate(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    since: datetime,
    until: datetime,
    group_by: GroupBy,
    agent: str | None = None,
    model: str | None = None,
    template_id: uuid.UUID | None = None,
) -> tuple[list[UsageBucket], UsageBucket]:
    key: ColumnElement[Any]
    if group_by == "day":
        key = func.to_char(func.timezone("UTC", SessionUsage.occurred_at), "YYYY-MM-DD")
    elif group_by == "agent":
        key = func.coalesce(SessionUsage.agent, "")
    elif group_by == "template":
        key = func.coalesce(cast(SessionUsage.template_id, String), "")
    else:
        key = SessionUsage.provider + literal("/") + SessionUsage.model
    filters: list[ColumnElement[bool]] = [
        SessionUsage.organization_id == organization_id,
        SessionUsage.occurred_at >= since,
        SessionUsage.occurred_at < until,
    ]
    if agent is not None:
        filters.append(SessionUsage.agent == agent)
    if model is not None:
        provider, _, name = model.partition("/")
        filters += [SessionUsage.provider == provider, SessionUsage.model == name]
    if template_id is not None:
        filters.append(SessionUsage.template_id == template_id)
    columns = [
        func.count(func.distinct(SessionUsage.session_id)),
        func.coalesce(func.sum(SessionUsage.cost_micros), 0),
        *(func.coalesce(func.sum(getattr(SessionUsage, n)), 0) for n in QUANTITIES),
    ]

    def bucket(name: str, row: Any) -> UsageBucket:
        return UsageBucket(
            key=name,
            sessions=int(row[0]),
            cost_micros=int(row[1]),
            quantities={n: float(v) for n, v in zip(QUANTITIES, row[2:], strict=True)},
        )

    result = await db.execute(
        select(key.label("k"), *columns).where(*filters).group_by("k").order_by("k")
    )
    items = [bucket(str(r[0]), r[1:]) for r in result.all()]
    total_row = (await db.execute(select(*columns).where(*filters))).one()
    return items, bucket("total", total_row)

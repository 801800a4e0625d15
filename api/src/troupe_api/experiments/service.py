"""A/B experiments on session templates: weighted arm assignment at session start and the
per-arm comparison."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.analysis.models import SessionAnalysis
from troupe_api.experiments.schemas import Arm, ArmResult, ExperimentConfig, ExperimentResults
from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.templates.models import SessionTemplate
from troupe_api.usage.models import SessionUsage

RNG = random.Random()
"""Arm assignment's random source; ``seed`` makes it reproducible (tests)."""


def seed(value: int | None) -> None:
    RNG.seed(value)


def config_of(template: SessionTemplate) -> ExperimentConfig | None:
    if not template.experiment:
        return None
    return ExperimentConfig.model_validate(template.experiment)


def choose(arms: Sequence[Arm], rng: random.Random | None = None) -> Arm:
    """Weighted random choice (cumulative weights, one uniform draw)."""
    total = sum(a.weight for a in arms)
    point = (rng or RNG).random() * total
    for arm in arms:
        point -= arm.weight
        if point < 0:
            return arm
    return arms[-1]


def assign(template: SessionTemplate, rng: random.Random | None = None) -> str | None:
    config = config_of(template)
    if config is None or not config.enabled or len(config.arms) < 2:
        return None
    return choose(config.arms, rng).name


def arm_of(template: SessionTemplate, name: str | None) -> Arm | None:
    config = config_of(template)
    return config.arm(name) if config is not None and name else None


def _percent(values: dict[str, Any], key: str) -> float | None:
    v = values.get(key)
    return None if v is None else float(v)


async def results(*, db: AsyncSession, template: SessionTemplate) -> ExperimentResults:
    config = config_of(template)
    arm_col = Session.experiment_arm
    base = and_(Session.template_id == template.id, arm_col.is_not(None))

    rows: dict[str, dict[str, Any]] = {}
    for arm, n, completed, avg_duration in await db.execute(
        select(
            arm_col,
            func.count(),
            func.count().filter(Session.status == "completed"),
            func.avg(Session.duration_seconds),
        )
        .where(base)
        .group_by(arm_col)
    ):
        rows[str(arm)] = {"sessions": n, "completed": completed, "avg_duration": avg_duration}

    for arm, analyzed, successful in await db.execute(
        select(
            arm_col,
            func.count().filter(SessionAnalysis.status == "completed"),
            func.count().filter(SessionAnalysis.success.is_(True)),
        )
        .join(SessionAnalysis, SessionAnalysis.session_id == Session.id)
        .where(base)
        .group_by(arm_col)
    ):
        rows.setdefault(str(arm), {}).update(analyzed=analyzed, successful=successful)

    latency = cast(SessionLogEntry.payload["e2e_latency_ms"].astext, Float)
    is_handoff = and_(
        SessionLogEntry.kind == "transition",
        SessionLogEntry.payload["from_agent"].astext.is_not(None),
    )
    is_tool_error = and_(
        SessionLogEntry.kind == "tool_call",
        SessionLogEntry.payload["error"].astext.is_not(None),
    )
    for arm, p50, p95, handoffs, tool_errors in await db.execute(
        select(
            arm_col,
            func.percentile_cont(0.5)
            .within_group(latency)
            .filter(SessionLogEntry.kind == "turn_metrics"),
            func.percentile_cont(0.95)
            .within_group(latency)
            .filter(SessionLogEntry.kind == "turn_metrics"),
            func.sum(case((is_handoff, 1), else_=0)),
            func.sum(case((is_tool_error, 1), else_=0)),
        )
        .join(SessionLogEntry, SessionLogEntry.session_id == Session.id)
        .where(base)
        .group_by(arm_col)
    ):
        rows.setdefault(str(arm), {}).update(
            p50=p50, p95=p95, handoffs=int(handoffs or 0), tool_errors=int(tool_errors or 0)
        )

    for arm, cost in await db.execute(
        select(arm_col, func.sum(SessionUsage.cost_micros))
        .join(SessionUsage, SessionUsage.session_id == Session.id)
        .where(base)
        .group_by(arm_col)
    ):
        rows.setdefault(str(arm), {})["cost"] = int(cost or 0)

    total = sum(int(r.get("sessions", 0)) for r in rows.values())
    names = [a.name for a in config.arms] if config else []
    names += sorted(n for n in rows if n not in names)
    arms: list[ArmResult] = []
    for name in names:
        r = rows.get(name, {})
        n = int(r.get("sessions", 0))
        analyzed = int(r.get("analyzed", 0))
        successful = int(r.get("successful", 0))
        cost = int(r.get("cost", 0))
        handoffs = int(r.get("handoffs", 0))
        configured = config.arm(name) if config else None
        arms.append(
            ArmResult(
                arm=name,
                weight=configured.weight if configured else None,
                sessions=n,
                share=n / total if total else 0.0,
                completed_sessions=int(r.get("completed", 0)),
                analyzed_sessions=analyzed,
                successful_sessions=successful,
                completion_rate=successful / analyzed if analyzed else None,
                avg_duration_s=_percent(r, "avg_duration"),
                turn_latency_p50_ms=_percent(r, "p50"),
                turn_latency_p95_ms=_percent(r, "p95"),
                handoffs=handoffs,
                handoffs_per_session=handoffs / n if n else None,
                tool_errors=int(r.get("tool_errors", 0)),
                cost_micros=cost,
                cost_per_session_usd=str(
                    (Decimal(cost) / Decimal(n) / Decimal(1_000_000)).quantize(Decimal("0.000001"))
                )
                if n
                else None,
            )
        )
    return ExperimentResults(
        template_id=template.id,
        enabled=bool(config and config.enabled),
        sessions=total,
        arms=arms,
    )

"""Scenarios and runs. Services take the DB session as a keyword and never import FastAPI."""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.simulation import (
    CriterionStatus,
    Scenario,
    SimulationMode,
    SimulationResult,
    SimulationRunStatus,
    SimulationVerdict,
)

from troupe_api.simulations.models import SimulationRun, SimulationScenario
from troupe_api.simulations.schemas import (
    CriterionChange,
    RunDiff,
    RunRead,
    RunSummary,
    ScenarioRead,
)

CLAIM_LEASE_S = 15 * 60
"""A claimed run whose result has not arrived after this long is claimed again."""
MAX_ATTEMPTS = 3
"""Claims of one run before it is completed with an error verdict instead."""


async def list_scenarios(
    *, db: AsyncSession, organization_id: uuid.UUID, template_id: uuid.UUID | None = None
) -> Sequence[SimulationScenario]:
    query = select(SimulationScenario).where(SimulationScenario.organization_id == organization_id)
    if template_id is not None:
        query = query.where(SimulationScenario.template_id == template_id)
    return (await db.scalars(query.order_by(SimulationScenario.name))).all()


async def get_scenario(
    *, db: AsyncSession, organization_id: uuid.UUID, scenario_id: uuid.UUID
) -> SimulationScenario | None:
    row = await db.get(SimulationScenario, scenario_id)
    return row if row is not None and row.organization_id == organization_id else None


def spec_of(scenario: Scenario, template_id: uuid.UUID) -> dict[str, object]:
    return scenario.model_copy(update={"template_id": template_id}).model_dump(mode="json")


async def last_runs(
    *, db: AsyncSession, scenario_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, SimulationRun]:
    if not scenario_ids:
        return {}
    rows = await db.scalars(
        select(SimulationRun)
        .where(SimulationRun.scenario_id.in_(scenario_ids))
        .order_by(SimulationRun.scenario_id, SimulationRun.created_at.desc())
        .ext(distinct_on(SimulationRun.scenario_id))
    )
    return {r.scenario_id: r for r in rows}


def summary(run: SimulationRun) -> RunSummary:
    duration = (run.result or {}).get("duration_ms")
    return RunSummary(
        id=run.id,
        scenario_id=run.scenario_id,
        template_id=run.template_id,
        mode=SimulationMode(run.mode),
        status=SimulationRunStatus(run.status),
        verdict=SimulationVerdict(run.verdict) if run.verdict else None,
        requested_by=run.requested_by,
        created_at=run.created_at,
        claimed_at=run.claimed_at,
        completed_at=run.completed_at,
        duration_ms=float(duration) if duration is not None else None,
    )


def run_read(run: SimulationRun) -> RunRead:
    return RunRead(
        **summary(run).model_dump(),
        scenario=Scenario.model_validate(run.scenario),
        result=SimulationResult.model_validate(run.result) if run.result else None,
    )


def scenario_read(row: SimulationScenario, last: SimulationRun | None = None) -> ScenarioRead:
    return ScenarioRead(
        id=row.id,
        template_id=row.template_id,
        name=row.name,
        scenario=Scenario.model_validate(row.spec),
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_run=summary(last) if last is not None else None,
    )


async def queue_run(
    *,
    db: AsyncSession,
    scenario: SimulationScenario,
    mode: SimulationMode,
    requested_by: str,
) -> SimulationRun:
    run = SimulationRun(
        organization_id=scenario.organization_id,
        scenario_id=scenario.id,
        template_id=scenario.template_id,
        mode=mode.value,
        status=SimulationRunStatus.QUEUED.value,
        scenario=scenario.spec,
        requested_by=requested_by[:200],
        # the clock, not now(): runs queued in one transaction still order (previous run, diff)
        created_at=datetime.now(UTC),
    )
    db.add(run)
    await db.flush()
    return run


async def list_runs(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    scenario_id: uuid.UUID | None = None,
    limit: int = 50,
) -> Sequence[SimulationRun]:
    query = select(SimulationRun).where(SimulationRun.organization_id == organization_id)
    if scenario_id is not None:
        query = query.where(SimulationRun.scenario_id == scenario_id)
    return (await db.scalars(query.order_by(SimulationRun.created_at.desc()).limit(limit))).all()


async def get_run(
    *, db: AsyncSession, organization_id: uuid.UUID | None, run_id: uuid.UUID
) -> SimulationRun | None:
    """``organization_id=None``: unscoped (runtime endpoints only)."""
    run = await db.get(SimulationRun, run_id)
    if run is None or (organization_id is not None and run.organization_id != organization_id):
        return None
    return run


async def claim_next(
    *, db: AsyncSession, modes: Sequence[SimulationMode], now: datetime | None = None
) -> SimulationRun | None:
    """The oldest claimable run (queued, or running with an expired lease), locked so that
    concurrent runners never get the same one, marked running. The caller commits."""
    now = now or datetime.now(UTC)
    stale = now - timedelta(seconds=CLAIM_LEASE_S)
    run = await db.scalar(
        select(SimulationRun)
        .where(
            SimulationRun.mode.in_([m.value for m in modes]),
            or_(
                SimulationRun.status == SimulationRunStatus.QUEUED.value,
                and_(
                    SimulationRun.status == SimulationRunStatus.RUNNING.value,
                    SimulationRun.claimed_at < stale,
                ),
            ),
        )
        .order_by(SimulationRun.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if run is None:
        return None
    run.status = SimulationRunStatus.RUNNING.value
    run.claimed_at = now
    run.attempts += 1
    return run


def complete(run: SimulationRun, result: SimulationResult, *, now: datetime | None = None) -> None:
    run.status = SimulationRunStatus.COMPLETED.value
    run.verdict = result.verdict.value
    run.result = result.model_dump(mode="json")
    run.error = result.error
    run.completed_at = now or datetime.now(UTC)


def error_result(run: SimulationRun, message: str) -> SimulationResult:
    return SimulationResult(
        scenario=str(run.scenario.get("name", "")),
        mode=SimulationMode(run.mode),
        verdict=SimulationVerdict.ERROR,
        error=message,
        duration_ms=0.0,
    )


async def previous_completed(*, db: AsyncSession, run: SimulationRun) -> SimulationRun | None:
    return await db.scalar(
        select(SimulationRun)
        .where(
            SimulationRun.scenario_id == run.scenario_id,
            SimulationRun.status == SimulationRunStatus.COMPLETED.value,
            SimulationRun.created_at < run.created_at,
            SimulationRun.id != run.id,
        )
        .order_by(SimulationRun.created_at.desc())
        .limit(1)
    )


def transcript_lines(result: SimulationResult | None) -> list[str]:
    if result is None:
        return []
    lines: list[str] = []
    for turn in result.turns:
        if turn.user_text is not None:
            lines.append(f"user: {turn.user_text}")
        for call in turn.tool_calls:
            outcome = "error" if call.is_error else "ok"
            lines.append(f"{call.agent} → {call.name}({_args(call.arguments)}) {outcome}")
        for h in turn.handoffs:
            lines.append(f"handoff {h.from_agent} → {h.to_agent}")
        lines.extend(f"{r.agent}: {r.text}" for r in turn.replies)
    return lines


def _args(arguments: dict[str, object]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in sorted(arguments.items()))


def diff(run: SimulationRun, previous: SimulationRun | None) -> RunDiff:
    after = SimulationResult.model_validate(run.result) if run.result else None
    before = (
        SimulationResult.model_validate(previous.result)
        if previous is not None and previous.result
        else None
    )
    before_status = {c.name: c.status for c in before.criteria} if before else {}
    changes: list[CriterionChange] = []
    seen: set[str] = set()
    for c in after.criteria if after else []:
        seen.add(c.name)
        changes.append(
            CriterionChange(
                name=c.name, before=before_status.get(c.name), after=c.status, reason=c.reason
            )
        )
    for name, status in before_status.items():
        if name not in seen:
            changes.append(CriterionChange(name=name, before=status, after=None))
    transcript = list(
        difflib.unified_diff(
            transcript_lines(before),
            transcript_lines(after),
            fromfile="previous",
            tofile="this run",
            lineterm="",
        )
    )
    regressed = [
        c.name
        for c in changes
        if c.before == CriterionStatus.PASSED and c.after != CriterionStatus.PASSED
    ]
    return RunDiff(
        run_id=run.id,
        regressions=regressed,
        previous_run_id=previous.id if previous is not None else None,
        verdict_before=before.verdict if before else None,
        verdict_after=after.verdict if after else None,
        criteria=changes,
        transcript=transcript,
        duration_ms_before=before.duration_ms if before else None,
        duration_ms_after=after.duration_ms if after else None,
        turns_before=before.user_turns if before else None,
        turns_after=after.user_turns if after else None,
    )

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from troupe_contracts.config import SessionConfig
from troupe_contracts.simulation import (
    CriterionStatus,
    Scenario,
    SimulationMode,
    SimulationResult,
    SimulationRunStatus,
    SimulationVerdict,
)


class RunSummary(BaseModel):
    id: uuid.UUID
    scenario_id: uuid.UUID
    template_id: uuid.UUID
    mode: SimulationMode
    status: SimulationRunStatus
    verdict: SimulationVerdict | None
    requested_by: str
    created_at: datetime
    claimed_at: datetime | None
    completed_at: datetime | None
    duration_ms: float | None = None


class RunRead(RunSummary):
    scenario: Scenario
    result: SimulationResult | None


class RunList(BaseModel):
    items: list[RunSummary]


class RunCreate(BaseModel):
    mode: SimulationMode = SimulationMode.TEXT


class ScenarioRead(BaseModel):
    id: uuid.UUID
    template_id: uuid.UUID
    name: str
    scenario: Scenario
    created_at: datetime
    updated_at: datetime
    last_run: RunSummary | None = None


class ScenarioList(BaseModel):
    items: list[ScenarioRead]


class CriterionChange(BaseModel):
    name: str
    before: CriterionStatus | None
    """``None``: the criterion was not in the previous run."""
    after: CriterionStatus | None
    reason: str | None = None
    """The reason in this run."""


class RunDiff(BaseModel):
    """This run against the previous completed run of the same scenario."""

    run_id: uuid.UUID
    previous_run_id: uuid.UUID | None
    verdict_before: SimulationVerdict | None
    verdict_after: SimulationVerdict | None
    criteria: list[CriterionChange] = Field(default_factory=list)
    regressions: list[str] = Field(default_factory=list)
    """Criteria that passed in the previous run and do not in this one."""
    transcript: list[str] = Field(default_factory=list)
    """Unified diff of the two transcripts (one line per speaker turn); empty when equal."""
    duration_ms_before: float | None = None
    duration_ms_after: float | None = None
    turns_before: int | None = None
    turns_after: int | None = None


class TemplateSimulations(BaseModel):
    """For the ``troupe simulate`` CLI (runtime token): a template's resolved config and its
    scenarios."""

    template_id: uuid.UUID
    config: SessionConfig
    scenarios: list[ScenarioRead]

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PinnedVersion = int | Literal["latest"]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Arm(_Schema):
    """One variant: the agent set it runs (default: the template's) and version pins merged
    over the template's (``"latest"`` unpins)."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    weight: float = Field(gt=0, le=1_000_000)
    agent_set_id: uuid.UUID | None = None
    pinned_versions: dict[str, PinnedVersion] = Field(default_factory=dict)


class ExperimentConfig(_Schema):
    enabled: bool = True
    arms: list[Arm] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _arms(self) -> ExperimentConfig:
        if self.enabled and len(self.arms) < 2:
            raise ValueError("an enabled experiment needs at least two arms")
        names = [a.name for a in self.arms]
        if len(set(names)) != len(names):
            raise ValueError("arm names must be unique")
        return self

    def arm(self, name: str | None) -> Arm | None:
        return next((a for a in self.arms if a.name == name), None)


class ArmResult(BaseModel):
    arm: str
    weight: float | None = Field(description="Configured weight (null: arm no longer defined).")
    sessions: int
    share: float = Field(description="Fraction of the experiment's sessions.")
    completed_sessions: int = Field(description="Sessions whose room finished normally.")
    analyzed_sessions: int
    successful_sessions: int = Field(description="Analyses whose criteria all passed.")
    completion_rate: float | None = Field(
        description="successful / analyzed (analysis criteria); null without analyses."
    )
    avg_duration_s: float | None
    turn_latency_p50_ms: float | None = Field(description="turn_metrics e2e_latency_ms")
    turn_latency_p95_ms: float | None
    handoffs: int
    handoffs_per_session: float | None
    tool_errors: int
    cost_micros: int
    cost_per_session_usd: str | None


class ExperimentResults(BaseModel):
    template_id: uuid.UUID
    enabled: bool
    sessions: int
    arms: list[ArmResult]

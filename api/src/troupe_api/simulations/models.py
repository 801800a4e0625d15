from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class SimulationScenario(UUIDPrimaryKey, Timestamps, Base):
    """A scenario test of one session template: ``spec`` is the ``Scenario`` contract."""

    __tablename__ = "simulation_scenarios"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("session_templates.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)


class SimulationRun(UUIDPrimaryKey, Base):
    """One run of a scenario. Postgres is its queue: ``queued`` rows are claimed by the agent
    runtime (``FOR UPDATE SKIP LOCKED``), a claim is a lease that runs out after
    ``CLAIM_LEASE_S`` (a crashed runner's run is claimed again), and the runner posts the
    result back (``completed``, with the verdict)."""

    __tablename__ = "simulation_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'completed')", name="status"),
        CheckConstraint("mode IN ('text', 'audio')", name="mode"),
        Index("ix_simulation_runs_queue", "status", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    scenario_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("simulation_scenarios.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("session_templates.id", ondelete="CASCADE")
    )
    mode: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    verdict: Mapped[str | None] = mapped_column(String(16))
    scenario: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """The scenario as it was when the run was queued (later edits do not change the run)."""
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    """The ``SimulationResult`` contract."""
    requested_by: Mapped[str] = mapped_column(String(200), server_default="", default="")
    attempts: Mapped[int] = mapped_column(server_default="0", default=0)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)

"""simulations: scenarios of simulated users and their runs

Revision ID: 0007_simulations
Revises: 0006_recordings
Create Date: 2026-11-25 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_simulations"
down_revision: str | None = "0006_recordings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "simulation_scenarios",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("spec", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_simulation_scenarios_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["session_templates.id"],
            name=op.f("fk_simulation_scenarios_template_id_session_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_scenarios")),
    )
    op.create_index(
        op.f("ix_simulation_scenarios_organization_id"),
        "simulation_scenarios",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_simulation_scenarios_template_id"),
        "simulation_scenarios",
        ["template_id"],
        unique=False,
    )
    op.create_table(
        "simulation_runs",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("scenario_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("scenario", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("requested_by", sa.String(length=200), server_default="", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("mode IN ('text', 'audio')", name=op.f("ck_simulation_runs_mode")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed')", name=op.f("ck_simulation_runs_status")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_simulation_runs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["simulation_scenarios.id"],
            name=op.f("fk_simulation_runs_scenario_id_simulation_scenarios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["session_templates.id"],
            name=op.f("fk_simulation_runs_template_id_session_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_runs")),
    )
    op.create_index(
        op.f("ix_simulation_runs_organization_id"),
        "simulation_runs",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_simulation_runs_scenario_id"), "simulation_runs", ["scenario_id"], unique=False
    )
    op.create_index(
        "ix_simulation_runs_queue", "simulation_runs", ["status", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_simulation_runs_queue", table_name="simulation_runs")
    op.drop_index(op.f("ix_simulation_runs_scenario_id"), table_name="simulation_runs")
    op.drop_index(op.f("ix_simulation_runs_organization_id"), table_name="simulation_runs")
    op.drop_table("simulation_runs")
    op.drop_index(op.f("ix_simulation_scenarios_template_id"), table_name="simulation_scenarios")
    op.drop_index(
        op.f("ix_simulation_scenarios_organization_id"), table_name="simulation_scenarios"
    )
    op.drop_table("simulation_scenarios")

"""sessions: an ``abandoned`` status for sessions the user never joined or left within seconds

Revision ID: 0008_session_abandoned
Revises: 0007_simulations
Create Date: 2026-12-06 02:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_session_abandoned"
down_revision: str | None = "0007_simulations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_sessions_status"), "sessions", type_="check")
    op.create_check_constraint(
        op.f("ck_sessions_status"),
        "sessions",
        "status IN ('created', 'active', 'completed', 'failed', 'abandoned')",
    )


def downgrade() -> None:
    op.execute("UPDATE sessions SET status = 'failed' WHERE status = 'abandoned'")
    op.drop_constraint(op.f("ck_sessions_status"), "sessions", type_="check")
    op.create_check_constraint(
        op.f("ck_sessions_status"),
        "sessions",
        "status IN ('created', 'active', 'completed', 'failed')",
    )

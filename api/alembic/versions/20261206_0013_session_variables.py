"""session variables: declared on ``session_templates.variables``, the values a session
started with on ``sessions.variables``

Revision ID: 0013_session_variables
Revises: 0012_usage_alert_notified
Create Date: 2026-12-06 03:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_session_variables"
down_revision: str | None = "0012_usage_alert_notified"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "session_templates",
        sa.Column("variables", postgresql.JSONB(), server_default="[]", nullable=False),
    )
    op.add_column(
        "sessions",
        sa.Column("variables", postgresql.JSONB(), server_default="{}", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("sessions", "variables")
    op.drop_column("session_templates", "variables")

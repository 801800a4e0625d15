"""session_templates.noise_suppression: agent-side noise suppression per template

Revision ID: 0022_template_noise_suppression
Revises: 0021_deployment_concurrent_cap
Create Date: 2026-12-06 07:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_template_noise_suppression"
down_revision: str | None = "0021_deployment_concurrent_cap"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "session_templates",
        sa.Column("noise_suppression", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("session_templates", "noise_suppression")

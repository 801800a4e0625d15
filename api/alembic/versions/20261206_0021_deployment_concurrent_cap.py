"""deployments: ``max_concurrent_sessions`` (a cap on the deployment's open sessions)

Revision ID: 0021_deployment_concurrent_cap
Revises: 0020_template_endpointing
Create Date: 2026-12-06 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_deployment_concurrent_cap"
down_revision: str | None = "0020_template_endpointing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deployments", sa.Column("max_concurrent_sessions", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("deployments", "max_concurrent_sessions")

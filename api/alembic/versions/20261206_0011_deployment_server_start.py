"""deployments: ``require_server_start`` (sessions only from the owner's backend)

Revision ID: 0011_deployment_server_start
Revises: 0010_provider_keys
Create Date: 2026-12-06 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_deployment_server_start"
down_revision: str | None = "0010_provider_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "deployments",
        sa.Column("require_server_start", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("deployments", "require_server_start")

"""usage_alerts: ``emailed_at`` (an alert's e-mail goes out once)

Revision ID: 0012_usage_alert_notified
Revises: 0011_deployment_server_start
Create Date: 2026-12-06 03:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_usage_alert_notified"
down_revision: str | None = "0011_deployment_server_start"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("usage_alerts", sa.Column("emailed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("usage_alerts", "emailed_at")

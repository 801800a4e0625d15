"""simulations: scenarios of simulated users and their runs

Revision ID: 0007_simulations
Revises: 0006_recordings
Create Date: 2026-11-25 18:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0007_simulations"
down_revision: str | None = "0006_recordings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

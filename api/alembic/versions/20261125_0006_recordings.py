"""recordings: per-template session audio recordings in the storage interface

Revision ID: 0006_recordings
Revises: 0005_insights
Create Date: 2026-11-25 18:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0006_recordings"
down_revision: str | None = "0005_insights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

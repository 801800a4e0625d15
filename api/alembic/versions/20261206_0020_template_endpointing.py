"""template endpointing: Smart Turn or plain VAD silence per session template, with optional
delays (``session_templates.endpointing``, ``endpointing_min_delay_ms``,
``endpointing_max_delay_ms``)

Revision ID: 0020_template_endpointing
Revises: 0019_outgoing_emails
Create Date: 2026-12-06 06:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_template_endpointing"
down_revision: str | None = "0019_outgoing_emails"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "session_templates",
        sa.Column("endpointing", sa.String(16), server_default="smart_turn", nullable=False),
    )
    op.add_column(
        "session_templates", sa.Column("endpointing_min_delay_ms", sa.Integer(), nullable=True)
    )
    op.add_column(
        "session_templates", sa.Column("endpointing_max_delay_ms", sa.Integer(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("session_templates", "endpointing_max_delay_ms")
    op.drop_column("session_templates", "endpointing_min_delay_ms")
    op.drop_column("session_templates", "endpointing")

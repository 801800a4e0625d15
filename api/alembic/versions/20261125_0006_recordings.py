"""recordings: per-template session audio recordings in the storage interface

Revision ID: 0006_recordings
Revises: 0005_insights
Create Date: 2026-11-25 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_recordings"
down_revision: str | None = "0005_insights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "session_templates",
        sa.Column("recording_consent_text", sa.Text(), server_default="", nullable=False),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("storage_key", sa.String(length=512), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_recordings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_recordings_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("session_id", "kind", name=op.f("uq_recordings_session_id_kind")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_recordings_storage_key")),
    )
    op.create_index(
        op.f("ix_recordings_organization_id"), "recordings", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_recordings_session_id"), "recordings", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_recordings_session_id"), table_name="recordings")
    op.drop_index(op.f("ix_recordings_organization_id"), table_name="recordings")
    op.drop_table("recordings")
    op.drop_column("session_templates", "recording_consent_text")

"""provider keys: an organization's own model-provider keys, encrypted

Revision ID: 0010_provider_keys
Revises: 0009_knowledge_bases
Create Date: 2026-12-06 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_provider_keys"
down_revision: str | None = "0009_knowledge_bases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("hint", sa.String(length=4), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_provider_keys_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_keys")),
        sa.UniqueConstraint(
            "organization_id", "provider", name=op.f("uq_provider_keys_organization_id_provider")
        ),
    )
    op.create_index(op.f("ix_provider_keys_organization_id"), "provider_keys", ["organization_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_provider_keys_organization_id"), table_name="provider_keys")
    op.drop_table("provider_keys")

"""users.email_verified_at: when the account proved it owns its address

Accounts that existed before verification are taken as verified (their address was already
in use); new password sign-ups start unverified and confirm through a mailed link.

Revision ID: 0023_user_email_verified
Revises: 0022_template_noise_suppression
Create Date: 2026-12-06 14:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_user_email_verified"
down_revision: str | None = "0022_template_noise_suppression"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade() -> None:
    op.drop_column("users", "email_verified_at")

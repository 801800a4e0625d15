"""agents.avatar_token: the agent's avatar image, if any

The image lives in the storage interface under ``avatars/<org>/<agent>/<token>.webp``; the
token (random, unguessable, new on every upload) names it in the public URL
``/api/v1/avatars/<token>`` that end users' session pages load.

Revision ID: 0024_agent_avatar
Revises: 0023_user_email_verified
Create Date: 2026-12-06 17:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_agent_avatar"
down_revision: str | None = "0023_user_email_verified"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("avatar_token", sa.String(64), nullable=True))
    op.create_index("ix_agents_avatar_token", "agents", ["avatar_token"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_agents_avatar_token", table_name="agents")
    op.drop_column("agents", "avatar_token")

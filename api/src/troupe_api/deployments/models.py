from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey

EMBED_KEY_PREFIX = "pk_"


class Deployment(UUIDPrimaryKey, Timestamps, Base):
    """A published template: its public embed key starts sessions from the listed origins."""

    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("session_templates.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    embed_key: Mapped[str] = mapped_column(String(64), unique=True)
    allowed_origins: Mapped[list[str]] = mapped_column(ARRAY(String(255)), default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    require_server_start: Mapped[bool] = mapped_column(
        Boolean, server_default=false(), default=False
    )
    """Sessions start only from the owner's backend (server-side start with an API key); the
    public embed key alone is refused."""
    max_concurrent_sessions: Mapped[int | None] = mapped_column(Integer)
    """At most this many of the deployment's sessions open at once (created and not yet
    expired, or active); None: only the organization's plan limits apply."""

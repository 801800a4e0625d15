from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class AgentSet(UUIDPrimaryKey, Timestamps, Base):
    """A topology: which agents (by slug) belong together and which one starts."""

    __tablename__ = "agent_sets"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    initial_agent: Mapped[str] = mapped_column(String(48))
    agent_slugs: Mapped[list[str]] = mapped_column(ARRAY(String(48)), default=list)

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class Agent(UUIDPrimaryKey, Timestamps, Base):
    """One configured agent of an organization. ``config`` holds what the columns don't:
    tools, handoffs, modalities, panels, vision (the ``AgentConfig`` contract's other fields).
    ``version`` goes up on every edit, each one kept in ``agent_versions``."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text)
    greeting: Mapped[str] = mapped_column(Text, default="")
    stt: Mapped[str] = mapped_column(String(128))
    llm: Mapped[str] = mapped_column(String(128))
    tts: Mapped[str] = mapped_column(String(128))
    voice: Mapped[str | None] = mapped_column(String(128))
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The avatar image (``troupe_api.agents.avatar``): not part of the versioned definition.
    avatar_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class AgentVersion(UUIDPrimaryKey, Base):
    """An immutable snapshot of an agent's whole definition, written on every save.
    ``snapshot`` is the ``AgentSpec`` JSON (slug, name, instructions, providers, tools, ...)."""

    __tablename__ = "agent_versions"
    __table_args__ = (UniqueConstraint("agent_id", "version"),)

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

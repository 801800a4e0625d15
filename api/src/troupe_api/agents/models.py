from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class Agent(UUIDPrimaryKey, Timestamps, Base):
    """One configured agent of an organization. ``config`` holds what the columns don't:
    tools, handoffs, modalities, panels, vision (the ``AgentConfig`` contract's other fields).
    ``version`` goes up on every edit; the agents issue adds the version history table."""

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

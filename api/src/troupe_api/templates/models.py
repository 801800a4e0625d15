from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class SessionTemplate(UUIDPrimaryKey, Timestamps, Base):
    """Which agents a session runs (by slug), which one speaks first, and the session's
    modality profile, panels and time limits."""

    __tablename__ = "session_templates"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    initial_agent: Mapped[str] = mapped_column(String(48))
    agent_slugs: Mapped[list[str]] = mapped_column(ARRAY(String(48)), default=list)
    modality_profile: Mapped[str] = mapped_column(String(32), default="audio")
    enabled_panels: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    idle_timeout_s: Mapped[int] = mapped_column(Integer, default=120)
    max_duration_s: Mapped[int] = mapped_column(Integer, default=1800)
    record_audio: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)

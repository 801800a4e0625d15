from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey

SESSION_PROVIDER = "troupe"
SESSION_MODEL = "session"


class SessionUsage(Base):
    """What one session used of one provider/model, attributed to one agent (``agent`` is
    empty for the session-minutes row), and what it cost. Rebuilt whole from the session's log
    whenever usage arrives, so recomputing never double counts."""

    __tablename__ = "session_usage"
    __table_args__ = (
        UniqueConstraint("session_id", "agent", "provider", "model"),
        Index("ix_session_usage_organization_id_occurred_at", "organization_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("session_templates.id", ondelete="SET NULL")
    )
    # When the session happened (its start): what day/month the usage counts for.
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    agent: Mapped[str] = mapped_column(String(48), server_default="", default="")
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    llm_input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    llm_output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    stt_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    tts_characters: Mapped[int] = mapped_column(BigInteger, default=0)
    tts_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    vision_frames: Mapped[int] = mapped_column(BigInteger, default=0)
    session_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class Price(UUIDPrimaryKey, Timestamps, Base):
    """Unit prices of one provider/model in micro-dollars (model ``*``: the provider's other
    models). ``organization_id`` NULL: the platform default; set: that org's override."""

    __tablename__ = "prices"
    __table_args__ = (
        Index(
            "uq_prices_default",
            "provider",
            "model",
            unique=True,
            postgresql_where=text("organization_id IS NULL"),
        ),
        Index(
            "uq_prices_org",
            "organization_id",
            "provider",
            "model",
            unique=True,
            postgresql_where=text("organization_id IS NOT NULL"),
        ),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    llm_input_per_mtok_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    llm_output_per_mtok_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    stt_per_minute_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    tts_per_kchar_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    tts_per_minute_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    vision_per_frame_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    session_per_minute_micros: Mapped[int] = mapped_column(BigInteger, default=0)


class UsageAlert(Base):
    """A usage threshold crossed or a spike seen, once per (org, kind, period)."""

    __tablename__ = "usage_alerts"
    __table_args__ = (UniqueConstraint("organization_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # When the alert's e-mail went to the admins (it goes once).
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

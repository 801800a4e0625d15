from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, UUIDPrimaryKey


class Session(UUIDPrimaryKey, Base):
    """One end-user conversation in one LiveKit room."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('created', 'active', 'completed', 'failed', 'abandoned')", name="status"
        ),
        Index("ix_sessions_organization_id_created_at", "organization_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("session_templates.id", ondelete="SET NULL"), index=True
    )
    deployment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("deployments.id", ondelete="SET NULL"), index=True
    )
    room_name: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="created")
    end_user_id: Mapped[str | None] = mapped_column(String(128))
    participant_identity: Mapped[str] = mapped_column(String(128))
    # "metadata" is reserved on declarative classes; the column keeps the plain name.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    log_completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(String(64))
    # The experiment arm the session was assigned at start (None: no experiment).
    experiment_arm: Mapped[str | None] = mapped_column(String(64), index=True)
    # The session's variables as resolved at start (template defaults applied).
    variables: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}", default=dict)


class SessionLogEntry(Base):
    """One entry of a session's log as the runtime submitted it (``payload`` is the contract's
    ``LogEntry`` JSON). ``(session_id, seq)`` is unique so resent batches are no-ops."""

    __tablename__ = "session_log_entries"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Organization(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    # Billing plan (see troupe_api.usage.plans); only operators change it.
    plan: Mapped[str] = mapped_column(String(32), server_default="free", default="free")
    trial_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Org-chosen limits, each capped by the plan's (None: the plan's).
    quota_sessions_per_day: Mapped[int | None] = mapped_column(Integer)
    quota_concurrent_sessions: Mapped[int | None] = mapped_column(Integer)
    quota_max_duration_s: Mapped[int | None] = mapped_column(Integer)
    retention_days: Mapped[int] = mapped_column(Integer, server_default="30", default=30)
    alert_cost_per_month_micros: Mapped[int | None] = mapped_column(BigInteger)
    alert_sessions_per_day: Mapped[int | None] = mapped_column(Integer)
    # Replace emails, phone numbers and card numbers in log entries before they are stored.
    redact_pii: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)


class Membership(UUIDPrimaryKey, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        CheckConstraint("role IN ('admin', 'member', 'viewer')", name="role"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

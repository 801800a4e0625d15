from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, UUIDPrimaryKey


class OutgoingEmail(UUIDPrimaryKey, Base):
    """One message to deliver over SMTP and its attempts so far. Written in the transaction of
    whatever asked for the mail, so a message exists exactly when that change committed; the
    ``send_email`` job and the ``retry_due_emails`` cron deliver it."""

    __tablename__ = "outgoing_emails"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index("ix_outgoing_emails_due", "status", "next_attempt_at"),
    )

    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255))
    """The RFC 5322 Message-ID, the same on every attempt (a receiver can drop a duplicate)."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

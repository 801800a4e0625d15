from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base


class AuditAction(StrEnum):
    REGISTERED = "user.registered"
    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    LOGOUT_ALL = "auth.logout_all"
    REFRESH_REUSE_DETECTED = "auth.refresh_reuse_detected"
    PASSWORD_CHANGED = "user.password_changed"
    OAUTH_LINKED = "auth.oauth_linked"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    INVITATION_ACCEPTED = "invitation.accepted"
    PLAN_CHANGED = "organization.plan_changed"
    EMAIL_CHANGE_REQUESTED = "user.email_change_requested"
    EMAIL_CHANGED = "user.email_changed"
    PASSWORD_RESET_REQUESTED = "user.password_reset_requested"
    PASSWORD_RESET = "user.password_reset"
    EMAIL_VERIFIED = "user.email_verified"
    PROVIDER_KEY_SET = "provider_key.set"
    PROVIDER_KEY_REMOVED = "provider_key.removed"


class AuditEvent(Base):
    """A security event. ``organization_id`` is null for events about a user rather than an
    organization (logins); admins see those of their members."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_organization_id_id", "organization_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

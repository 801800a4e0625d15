from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class SessionTemplate(UUIDPrimaryKey, Timestamps, Base):
    """Which agents a session runs, which one speaks first, and the session's modality
    profile, panels and time limits. The agents come from ``agent_set_id`` when set, else from
    the legacy ``agent_slugs`` list. ``pinned_versions`` maps agent slugs to a version number
    (absent: latest); ``environment_overrides`` maps dev/staging/production to a partial
    override of the template's fields."""

    __tablename__ = "session_templates"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="", default="")
    agent_set_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agent_sets.id", ondelete="RESTRICT"), index=True
    )
    initial_agent: Mapped[str] = mapped_column(String(48))
    agent_slugs: Mapped[list[str]] = mapped_column(ARRAY(String(48)), default=list)
    modality_profile: Mapped[str] = mapped_column(String(32), default="audio")
    enabled_panels: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    idle_timeout_s: Mapped[int] = mapped_column(Integer, default=120)
    max_duration_s: Mapped[int] = mapped_column(Integer, default=1800)
    record_audio: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    # Shown to the end user before joining and beside the REC badge when record_audio is on.
    recording_consent_text: Mapped[str] = mapped_column(Text, server_default="", default="")
    pinned_versions: Mapped[dict[str, int]] = mapped_column(
        JSONB, server_default="{}", default=dict
    )
    environment_overrides: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default="{}", default=dict
    )
    # Post-session analysis: {"schema": JSON Schema of fields, "criteria": [...]}
    # (troupe_api.analysis.schemas.AnalysisConfig); {} = no analysis.
    analysis_config: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default="{}", default=dict
    )
    # A/B experiment: {"enabled": bool, "arms": [...]} (troupe_api.experiments.schemas).
    experiment: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}", default=dict)
    # Declared session variables: [troupe_contracts.config.SessionVariable JSON, ...].
    variables: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default="[]", default=list
    )
    # How sessions end a user's turn: "smart_turn" or "vad" (troupe_contracts EndpointingMode),
    # with optional delays (None: the mode's default).
    endpointing: Mapped[str] = mapped_column(
        String(16), server_default="smart_turn", default="smart_turn"
    )
    endpointing_min_delay_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    endpointing_max_delay_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Agent-side noise suppression of the user's microphone (WebRTC's, in the runtime).
    noise_suppression: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)


class TemplateShare(UUIDPrimaryKey, Base):
    """An explicit grant: ``target_organization_id`` may read and clone the template until
    the owner revokes it (``revoked_at``)."""

    __tablename__ = "template_shares"
    __table_args__ = (UniqueConstraint("template_id", "target_organization_id"),)

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("session_templates.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    target_organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class ProviderKey(UUIDPrimaryKey, Timestamps, Base):
    """An organization's own key for one model provider. ``secret`` is a Fernet token of the
    JSON ``{"api_key": ..., "base_url": ...}`` (``core/crypto.py``, rotated by
    ``troupe-api rotate-secrets``); reads show only ``hint`` (the key's last four characters)."""

    __tablename__ = "provider_keys"
    __table_args__ = (UniqueConstraint("organization_id", "provider"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    # the marker of ``core.crypto.encrypted_column``: ``troupe-api rotate-secrets`` finds it
    secret: Mapped[str] = mapped_column(Text, info={"troupe_encrypted": True})
    hint: Mapped[str] = mapped_column(String(4), default="")

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from troupe_api.core.crypto import encrypted_column
from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey


class Tool(UUIDPrimaryKey, Timestamps, Base):
    """A customer-defined webhook tool. Built-in, panel and handoff tools are generated from
    code and agent configs, never stored. ``secret_headers`` is a Fernet token of the JSON
    mapping of secret header names to values (see ``core/crypto.py``); reads mask it."""

    __tablename__ = "tools"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="webhook")
    description: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2048))
    method: Mapped[str] = mapped_column(String(8), default="POST")
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    secret_header_names: Mapped[list[str]] = mapped_column(ARRAY(String(128)), default=list)
    secret_headers: Mapped[str | None] = encrypted_column()
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    timeout_s: Mapped[float] = mapped_column(Float, default=10.0)

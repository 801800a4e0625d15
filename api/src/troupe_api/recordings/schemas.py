from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from troupe_contracts.recording import RecordingKind

DEFAULT_CONSENT_TEXT = (
    "This session is recorded (your voice and the agents' voices) so the service can review it."
)


def consent_text(configured: str) -> str:
    """The template's consent text, or the default sentence when it has none."""
    return configured.strip() or DEFAULT_CONSENT_TEXT


class RecordingRead(BaseModel):
    id: uuid.UUID
    session_id: uuid.UUID
    kind: RecordingKind
    content_type: str
    size_bytes: int
    duration_ms: int
    started_at: datetime | None = Field(
        description="Wall-clock time of the recording's first sample (null when unknown)."
    )
    created_at: datetime
    url: str = Field(description="Short-lived signed download URL (no other credential needed).")
    url_expires_at: datetime


class RecordingList(BaseModel):
    items: list[RecordingRead]

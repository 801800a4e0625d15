"""Session recordings: what the runtime uploads to the API after a recorded session
(``PUT /api/v1/runtime/sessions/{session_id}/recordings/{kind}``, body = the Ogg/Opus file)."""

from enum import StrEnum
from typing import Final

from pydantic import Field

from troupe_contracts.base import Contract


class RecordingKind(StrEnum):
    """Which audio a recording file holds (mono Ogg/Opus each)."""

    USER = "user"
    AGENT = "agent"
    MIXED = "mixed"


RECORDING_CONTENT_TYPE: Final = "audio/ogg"
"""Media type of every recording file."""

RECORDING_MAX_BYTES: Final = 200 * 1024 * 1024
"""Largest recording file the API accepts (about 4 h of Opus speech)."""


class RecordingUploadResult(Contract):
    """The API's answer to an upload; uploading the same kind again replaces the file."""

    kind: RecordingKind
    size_bytes: int = Field(ge=0)
    duration_ms: int = Field(ge=0)

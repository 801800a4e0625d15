"""Session start: what the browser asks the API for and what it gets back, and the metadata
the API embeds in the LiveKit token / agent dispatch for the runtime to read."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field

from troupe_contracts.base import Contract
from troupe_contracts.constants import PROTOCOL_VERSION


class ModalityProfile(StrEnum):
    """Which media the end user may publish besides the microphone."""

    AUDIO = "audio"
    AUDIO_CAMERA = "audio_camera"
    AUDIO_SCREEN = "audio_screen"
    AUDIO_CAMERA_SCREEN = "audio_camera_screen"


class PanelType(StrEnum):
    """Interactive workspace panels the browser can render."""

    SLIDES = "slides"
    NOTEPAD = "notepad"
    CODE = "code"
    WHITEBOARD = "whiteboard"
    DOCUMENT = "document"


class SessionStatus(StrEnum):
    """Lifecycle of a session; it only ever moves forward in this order. ``abandoned`` ends a
    session the end user never joined, or left within seconds: it is not a conversation, so it
    is neither billed nor counted in usage."""

    CREATED = "created"
    ACTIVE = "active"
    COMPLETED = "completed"
    FAILED = "failed"
    ABANDONED = "abandoned"


StartVariableName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
StartVariableValue = bool | int | float | Annotated[str, Field(max_length=1000)]
"""A session variable's value (``troupe_contracts.config.Scalar``, strings bounded)."""


class SessionStartRequest(Contract):
    """Body of ``POST /api/v1/sessions``."""

    template_id: UUID | None = Field(
        default=None,
        description="Session template to start; the organization's default when omitted.",
    )
    embed_key: str | None = Field(default=None, description="Public embed key (end-user starts).")
    end_user_id: Annotated[str, Field(max_length=128)] | None = Field(
        default=None,
        description="Caller-chosen opaque id of the end user, for rate limits and logs.",
    )
    display_name: Annotated[str, Field(max_length=80)] | None = None
    variables: dict[StartVariableName, StartVariableValue] = Field(
        default_factory=dict,
        max_length=32,
        description=(
            "Values of the template's declared variables (``{{name}}`` in instructions and "
            "greetings); unknown names, wrong types and missing required ones are refused."
        ),
    )


class SessionConnection(Contract):
    """What the browser needs to join the room."""

    session_id: UUID
    room_name: str
    livekit_url: str
    participant_token: str
    participant_identity: str
    token_expires_at: datetime


class TokenMetadata(Contract):
    """JSON embedded as the user's participant metadata and as the agent dispatch metadata."""

    protocol_version: int = PROTOCOL_VERSION
    session_id: UUID
    organization_id: UUID
    template_id: UUID | None
    user_id: str
    modality_profile: ModalityProfile
    enabled_panels: list[PanelType] = Field(default_factory=list)
    trace_context: dict[str, str] = Field(
        default_factory=dict, description="W3C trace context carried from the API to the runtime."
    )


class SessionRead(Contract):
    """Status of one session."""

    id: UUID
    organization_id: UUID
    template_id: UUID | None
    room_name: str
    status: SessionStatus
    end_user_id: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: float | None
    close_reason: str | None = Field(
        default=None,
        description="Why it ended, once it has: e.g. user_left, idle, max_duration, "
        "never_connected, or agent_lost (its agent's worker stopped mid-session: status failed).",
    )


class RecordingNotice(Contract):
    """Whether the session is recorded, and the consent text the page shows before joining and
    beside the "REC" badge during the call."""

    enabled: bool = False
    consent_text: str = Field(default="", max_length=1000)


class SessionStartResponse(Contract):
    """Response of ``POST /api/v1/sessions``."""

    session: SessionRead
    connection: SessionConnection
    modality_profile: ModalityProfile
    enabled_panels: list[PanelType]
    recording: RecordingNotice = Field(default_factory=RecordingNotice)

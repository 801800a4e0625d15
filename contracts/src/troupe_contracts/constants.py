"""Wire names shared by the browser, the agent runtime and the API.

Our prefix is ``troupe.``; ``lk.`` is reserved by LiveKit and never used for our own names.
"""

from typing import Final

PROTOCOL_VERSION: Final = 1
"""Version of the browser <-> agent protocol. Both sides announce it on join and refuse a
mismatch with a clear error instead of misreading messages."""

AGENT_NAME: Final = "troupe-agent"
"""The agent name the worker registers under; the API's token dispatches exactly this name."""

AGENT_IDENTITY_PREFIX: Final = "agent-"
"""LiveKit gives agent participants identities starting with this prefix."""

USER_IDENTITY_PREFIX: Final = "user-"
"""Identities the API mints for end users start with this prefix."""

TOPIC_EVENTS: Final = "troupe.events"
"""Text-stream / data topic for typed agent -> browser events (see ``events.py``)."""

TOPIC_CLIENT_EVENTS: Final = "troupe.client_events"
"""Text-stream / data topic for typed browser -> agent events (panel events, hello)."""

TOPIC_UPLOADS: Final = "troupe.uploads"
"""Byte-stream topic for files the user uploads to the agent (browser -> agent)."""

TOPIC_FILES: Final = "troupe.files"
"""Byte-stream topic for files the agent sends to the user (agent -> browser)."""

TOPIC_PANEL_IMAGES: Final = "troupe.panel_images"
"""Byte-stream topic for panel images the browser sends the agent (browser -> agent): the
whiteboard's PNG export for ``read_panel`` with ``image: true``. Images go here, never into an
RPC answer, because LiveKit caps an RPC payload at 15 KiB."""

PANEL_TOOL_VERBS: Final = ("open", "control", "read", "close")
"""Each workspace panel gives an agent the tools ``<verb>_<panel>`` for these verbs."""

VISION_UNSUPPORTED_NOTE: Final = "vision needs a provider that supports images"
"""Said (log, LLM note, API warning) when a vision-enabled agent's LLM cannot take images."""

UPLOAD_MAX_BYTES: Final = 10 * 1024 * 1024
"""Largest upload the agent accepts; it stops reading a stream that passes this."""

UPLOAD_MIME_TYPES: Final = (
    "application/pdf",
    "text/plain",
    "text/markdown",
    "image/png",
    "image/jpeg",
)
"""MIME types the agent accepts on ``TOPIC_UPLOADS``."""

ATTR_ACTIVE_AGENT: Final = "troupe.active_agent"
"""Participant attribute on the agent: the slug of the agent currently speaking."""

ATTR_ACTIVE_AGENT_NAME: Final = "troupe.active_agent_name"
"""Participant attribute on the agent: the display name of the active agent."""

ATTR_ACTIVE_AGENT_AVATAR: Final = "troupe.active_agent_avatar"
"""Participant attribute on the agent: the avatar image URL of the active agent (a path under
the API, ``/api/v1/avatars/<token>``, that the browser loads through its own origin's ``/api``);
empty when that agent has no avatar."""

AVATAR_MAX_BYTES: Final = 1024 * 1024
"""Largest avatar image the API accepts (``PUT /agents/{id}/avatar``)."""

AVATAR_MIME_TYPES: Final = ("image/png", "image/jpeg", "image/webp")
"""Avatar image formats the API accepts (recognised by their magic bytes)."""

AVATAR_SIZE_PX: Final = 256
"""Avatars are stored as a square WebP of this many pixels a side (cropped to the centre)."""

ATTR_SESSION_ID: Final = "troupe.session_id"
"""Participant attribute on the agent: the Troupe session id it serves."""

CONFIG_INVALIDATE_CHANNEL: Final = "troupe.config.invalidate"
"""Redis pub/sub channel on which the API publishes the id (UUID text) of an agent or a session
template whenever it changes; agent runtimes drop the cached session configs that use it."""

TOPIC_TRANSIENT: Final = "troupe.transient"
"""Data-packet topic sent **lossy** (LiveKit's unreliable data channel: ``publishData`` with
``reliable: false`` in the browser, ``publish_data(reliable=False)`` in Python): high-frequency
updates that the next one supersedes and that are worth nothing late (``LOSSY_MESSAGE_TYPES``).
A lost or late packet is simply dropped (each carries a ``seq``). Everything else is reliable
and ordered: text streams on ``TOPIC_EVENTS`` / ``TOPIC_CLIENT_EVENTS``, byte streams, RPC."""

LOSSY_MESSAGE_TYPES: Final = ("panel_pointer",)
"""The ``type`` of each message sent lossy on ``TOPIC_TRANSIENT`` (today the user's pointer over
a panel and the whiteboard stroke being drawn, ``PanelPointer``). A finished stroke or any other
state change goes reliably (``PanelEvent`` on ``TOPIC_CLIENT_EVENTS``)."""

TRANSIENT_MAX_BYTES: Final = 1200
"""A lossy packet stays within one datagram (no fragmentation, which would make a loss more
likely): the sender trims what it sends to fit (a stroke keeps its latest points)."""

ATTR_AGENT_STATE: Final = "lk.agent.state"
"""LiveKit's own agent-state attribute (read-only for us): initializing, listening,
thinking, speaking. Listed here so no other module spells it."""

__all__ = [
    "AGENT_IDENTITY_PREFIX",
    "AGENT_NAME",
    "ATTR_ACTIVE_AGENT",
    "ATTR_ACTIVE_AGENT_AVATAR",
    "ATTR_ACTIVE_AGENT_NAME",
    "ATTR_AGENT_STATE",
    "ATTR_SESSION_ID",
    "AVATAR_MAX_BYTES",
    "AVATAR_MIME_TYPES",
    "AVATAR_SIZE_PX",
    "CONFIG_INVALIDATE_CHANNEL",
    "LOSSY_MESSAGE_TYPES",
    "PANEL_TOOL_VERBS",
    "PROTOCOL_VERSION",
    "TOPIC_CLIENT_EVENTS",
    "TOPIC_EVENTS",
    "TOPIC_FILES",
    "TOPIC_PANEL_IMAGES",
    "TOPIC_TRANSIENT",
    "TOPIC_UPLOADS",
    "TRANSIENT_MAX_BYTES",
    "UPLOAD_MAX_BYTES",
    "UPLOAD_MIME_TYPES",
    "USER_IDENTITY_PREFIX",
    "VISION_UNSUPPORTED_NOTE",
]

"""Vision: sample the user's camera / screen share while they talk, and hand the active agent
the latest frame as an image only when their turn completes (cost control).

LiveKit's room input follows the most recently published camera or screen-share track of the
user, so "most recent wins" when both are on; a track that stops falls back to the other.
Only agents whose ``VisionSettings.enabled`` is true ever receive frames, and the room's video
input is only opened when at least one agent of the session needs it (agent-gated).
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from livekit import rtc
from livekit.agents import llm
from livekit.agents.utils.images import EncodeOptions, ResizeOptions, encode
from troupe_contracts import VISION_UNSUPPORTED_NOTE
from troupe_contracts.config import SessionConfig, VisionSettings

from troupe_agent.logging import get_logger

log = get_logger(__name__)

MAX_FRAME_AGE_S = 10.0
"""A frame older than this is not shown to the LLM: the user has likely moved on."""
JPEG_QUALITY = 80

CANNOT_SEE_NOTE = (
    f"You cannot see images in this conversation: {VISION_UNSUPPORTED_NOTE}. If the user "
    "shows you their camera, screen or a picture, tell them so in one sentence and ask them "
    "to describe it."
)
"""Added to the instructions of a vision-enabled agent whose LLM cannot take images."""


def session_needs_video(config: SessionConfig) -> bool:
    """Open the room's video input only when some agent of the session has vision on."""
    return any(a.vision.enabled for a in config.agents)


@dataclass
class FrameSampler:
    """``AgentSession(video_sampler=...)``: keeps the latest frame at the active agent's rates
    (``fps_speaking`` while the user speaks, ``fps_silent`` otherwise). Frames are never pushed
    to the pipeline directly; ``take()`` hands the latest one over at the end of a turn."""

    active_settings: Callable[[], VisionSettings | None]
    clock: Callable[[], float] = time.monotonic
    latest: rtc.VideoFrame | None = None
    latest_at: float | None = None
    sampled: int = 0
    attached: int = 0
    skipped: int = 0
    """Frames dropped because the active agent's LLM cannot take images."""
    _last_sample: float | None = field(default=None, repr=False)

    def __call__(self, frame: rtc.VideoFrame, session: Any) -> bool:
        settings = self.active_settings()
        if settings is None or not settings.enabled:
            return False
        speaking = getattr(session, "user_state", None) == "speaking"
        fps = settings.fps_speaking if speaking else settings.fps_silent
        now = self.clock()
        if self._last_sample is not None and now - self._last_sample < 1.0 / fps:
            return False
        self._last_sample = now
        self.latest, self.latest_at = frame, now
        self.sampled += 1
        return False

    def take(self, max_age_s: float = MAX_FRAME_AGE_S) -> rtc.VideoFrame | None:
        """The latest frame if it is fresh, consumed so the same frame is not sent twice."""
        if self.latest is None or self.latest_at is None:
            return None
        if self.clock() - self.latest_at > max_age_s:
            return None
        frame, self.latest, self.latest_at = self.latest, None, None
        return frame


def image_content(frame: rtc.VideoFrame, settings: VisionSettings) -> llm.ImageContent:
    """The frame resized to fit ``max_size`` and JPEG-encoded, as chat image content."""
    data = encode(
        frame,
        EncodeOptions(
            format="JPEG",
            quality=80,
            resize_options=ResizeOptions(
                width=settings.max_size, height=settings.max_size, strategy="scale_aspect_fit"
            ),
        ),
    )
    return llm.ImageContent(
        image=f"data:image/jpeg;base64,{base64.b64encode(data).decode()}",
        inference_detail=settings.detail,
    )


def fit_jpeg(data: bytes, max_size: int, *, quality: int = JPEG_QUALITY) -> tuple[bytes, int, int]:
    """An encoded image (PNG, JPEG, ...) scaled down to fit ``max_size`` x ``max_size`` (never
    up) and re-encoded as JPEG; (jpeg bytes, width, height). Transparency becomes white.
    Raises ``ValueError`` for bytes that are not a readable image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if img.mode in ("RGBA", "LA", "P"):
                rgba = img.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                rgb = flat
            else:
                rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError) as e:
        raise ValueError(f"not a readable image ({e})") from e
    rgb.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=quality)
    return out.getvalue(), rgb.width, rgb.height


def jpeg_content(jpeg: bytes, detail: str = "auto") -> llm.ImageContent:
    """JPEG bytes as chat image content (a data URL)."""
    return llm.ImageContent(
        image=f"data:image/jpeg;base64,{base64.b64encode(jpeg).decode()}",
        inference_detail=detail,
    )


def attach_latest_frame(
    message: llm.ChatMessage,
    sampler: FrameSampler | None,
    settings: VisionSettings,
    *,
    can_see: bool = True,
) -> bool:
    """Append the latest fresh frame to the user's completed turn; True when one was added.
    ``can_see`` False (the agent's LLM takes no images): the frame is dropped, never sent."""
    if sampler is None or not settings.enabled:
        return False
    frame = sampler.take()
    if frame is None:
        return False
    if not can_see:
        sampler.skipped += 1
        return False
    message.content.append(image_content(frame, settings))
    sampler.attached += 1
    log.info("frame attached to user turn", width=frame.width, height=frame.height)
    return True

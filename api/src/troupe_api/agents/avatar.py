"""Agent avatars: an image per agent, checked and normalised here, kept in the storage interface.

An upload is recognised by its magic bytes (PNG, JPEG or WebP; the client's Content-Type is
not trusted), decoded with Pillow within a pixel budget, cropped to its centre square and
re-encoded as a ``AVATAR_SIZE_PX`` WebP: what is stored and served is always an image we wrote,
without the upload's metadata (EXIF location, comments) or trailing bytes.

The stored object is ``avatars/<org>/<agent>/<token>.webp``; the token is random, unguessable
and new on every upload, so the public URL ``/api/v1/avatars/<token>`` can be cached for ever
and an end user's session page (no organization login) can load it."""

from __future__ import annotations

import asyncio
import io
import re
import secrets
import uuid
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from troupe_contracts.constants import AVATAR_MAX_BYTES, AVATAR_SIZE_PX

from troupe_api.agents.errors import AvatarInvalid

AVATAR_CONTENT_TYPE = "image/webp"
AVATAR_PATH = "/api/v1/avatars"
"""Where the browser loads an avatar (the API route; the web app proxies ``/api``)."""
MAX_SIDE_PX = 4096
"""Larger images are refused before they are decoded (a small file can hold a huge image)."""
MIN_SIDE_PX = 16
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")

_MAGIC: tuple[tuple[str, bytes, int], ...] = (
    ("PNG", b"\x89PNG\r\n\x1a\n", 0),
    ("JPEG", b"\xff\xd8\xff", 0),
    ("WEBP", b"WEBP", 8),
)


def sniff(data: bytes) -> str | None:
    """The image format the bytes start with (``PNG``/``JPEG``/``WEBP``), or None."""
    for fmt, magic, offset in _MAGIC:
        if data[offset : offset + len(magic)] == magic and (fmt != "WEBP" or data[:4] == b"RIFF"):
            return fmt
    return None


def normalise(data: bytes) -> bytes:
    """The avatar to store: a square ``AVATAR_SIZE_PX`` WebP from a PNG/JPEG/WebP upload.
    Raises ``AvatarInvalid`` (with ``details.reason``) for anything else."""
    if len(data) > AVATAR_MAX_BYTES:  # the route already stopped reading; belt and braces
        raise AvatarInvalid("The avatar image is too large.", details={"reason": "too_large"})
    fmt = sniff(data)
    if fmt is None:
        raise AvatarInvalid(details={"reason": "unsupported_type"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = opened.size
            if max(width, height) > MAX_SIDE_PX or min(width, height) < MIN_SIDE_PX:
                raise AvatarInvalid(
                    f"The avatar must be between {MIN_SIDE_PX} and {MAX_SIDE_PX} pixels a side.",
                    details={"reason": "dimensions", "width": width, "height": height},
                )
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGBA")
    except AvatarInvalid:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise AvatarInvalid(
            "The avatar image could not be read (damaged or not really an image).",
            details={"reason": "undecodable"},
        ) from exc
    square = ImageOps.fit(image, (AVATAR_SIZE_PX, AVATAR_SIZE_PX), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="WEBP", quality=85, method=4)
    return out.getvalue()


async def normalise_async(data: bytes) -> bytes:
    """``normalise`` off the event loop (decoding and resizing take a few milliseconds)."""
    return await asyncio.to_thread(normalise, data)


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, 192 bits


def storage_key(organization_id: uuid.UUID, agent_id: uuid.UUID, token: str) -> str:
    return f"avatars/{organization_id}/{agent_id}/{token}.webp"


def url_of(token: str | None) -> str | None:
    return f"{AVATAR_PATH}/{token}" if token else None

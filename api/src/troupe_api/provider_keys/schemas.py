from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, Field

OrgKeyProvider = Literal[
    "openai",
    "openai-compatible",
    "deepgram",
    "cartesia",
    "elevenlabs",
    "anthropic",
    "google",
    "groq",
]
"""``troupe_contracts.providers.ORG_KEY_PROVIDERS`` (a test keeps the two equal)."""


class ProviderKeySet(BaseModel):
    """Write-only: the key is never returned."""

    api_key: str = Field(
        default="", max_length=500, description="Empty only for a keyless OpenAI-compatible server."
    )
    base_url: AnyHttpUrl | None = Field(
        default=None, description="The server's base URL; required for openai-compatible."
    )


class ProviderKeyRead(BaseModel):
    provider: OrgKeyProvider
    configured: bool
    hint: str | None = Field(
        default=None, description="The last four characters of the key, when one is set."
    )
    base_url: str | None = None
    updated_at: datetime | None = None


class ProviderKeyList(BaseModel):
    items: list[ProviderKeyRead]

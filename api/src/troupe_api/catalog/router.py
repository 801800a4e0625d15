"""What an agent or template may name: providers (``PROVIDER_CATALOG``; test-only fakes only
with TROUPE_ENABLE_TEST_PROVIDERS), panel types, modalities, modality profiles, environments;
and ``POST /catalog/voices/preview``, a short sample of a voice as a WAV file.

The preview renders in the API process with the agent runtime's own provider registry
(``troupe_agent.voice_preview``, imported on first use): the same Piper/eSpeak models the worker
speaks with, no extra service to run or discover, and no internal endpoint on the worker to
authenticate. An API installed without the agent package answers ``voice_preview_unavailable``
with an install hint. Rendering is serialized, the text is short and each user is rate limited,
so previews cannot starve the API."""

from __future__ import annotations

import os

from dotenv import dotenv_values
from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from troupe_contracts.providers import (
    DEFAULT_OFFLINE,
    ORG_KEY_PROVIDERS,
    ProviderRole,
    ProviderSpec,
    provider_by_id,
)

from troupe_api.configuration.rules import (
    ENVIRONMENTS,
    MODALITIES,
    PANELS,
    PROFILE_MODALITIES,
    catalog,
)
from troupe_api.core.errors import NotFound, ServiceUnavailable
from troupe_api.core.settings import Settings
from troupe_api.deps import DbDep, LimiterDep, SettingsDep, UserViewerOrg
from troupe_api.provider_keys import service as provider_keys

router = APIRouter(prefix="/catalog", tags=["catalog"])


class Catalog(BaseModel):
    providers: list[ProviderSpec]
    panels: list[str]
    modalities: list[str]
    modality_profiles: dict[str, list[str]]
    environments: list[str]
    defaults: dict[ProviderRole, str] = Field(
        description="The provider id an agent gets per role when it names none, and the one the "
        "runtime falls back to when a chosen provider has no key."
    )


class ProviderAvailability(BaseModel):
    id: str
    key_configured: bool = Field(
        description="Every key the provider needs is set: the organization's own "
        "(Settings → Provider keys) or the platform's. False: sessions use the offline default."
    )
    missing: list[str] = Field(description="The environment variables of the keys not set.")


class CatalogAvailability(BaseModel):
    providers: list[ProviderAvailability]


@router.get("", name="get", response_model=Catalog)
async def get_catalog(settings: SettingsDep) -> Catalog:
    return Catalog(
        providers=catalog(allow_test_providers=settings.enable_test_providers),
        panels=PANELS,
        modalities=MODALITIES,
        modality_profiles={k: sorted(v) for k, v in PROFILE_MODALITIES.items()},
        environments=list(ENVIRONMENTS),
        defaults=dict(DEFAULT_OFFLINE),
    )


def _platform_env(settings: Settings) -> dict[str, str]:
    """The platform's environment as the worker sees it: the process environment over the env
    file both read."""
    env_file = settings.model_config.get("env_file")
    from_file = dotenv_values(env_file) if isinstance(env_file, str) else {}
    merged = {k: v for k, v in from_file.items() if v}
    merged.update({k: v for k, v in os.environ.items() if v})
    return merged


@router.get("/availability", name="availability", response_model=CatalogAvailability)
async def get_availability(
    db: DbDep, settings: SettingsDep, ctx: UserViewerOrg
) -> CatalogAvailability:
    """Which catalog providers can run for the caller's organization: a provider whose key is
    missing (neither the organization's own nor the platform's) falls back to the offline
    default when a session starts, as the runtime's provider registry does."""
    own = {
        row.provider
        for row in await provider_keys.list_for_org(db=db, organization_id=ctx.organization_id)
    }
    own_env = {env for provider, env in ORG_KEY_PROVIDERS.items() if provider in own}
    platform = _platform_env(settings)
    items = []
    for spec in catalog(allow_test_providers=settings.enable_test_providers):
        missing = [k for k in spec.requires_env if k not in own_env and k not in platform]
        items.append(ProviderAvailability(id=spec.id, key_configured=not missing, missing=missing))
    return CatalogAvailability(providers=items)


PREVIEW_MAX_CHARS = 200  # troupe_agent.voice_preview.PREVIEW_MAX_CHARS (checked by a test)
DEFAULT_PREVIEW_TEXT = "Hello! This is how I sound when I talk with your callers."


class VoiceNotFound(NotFound):
    code = "voice_not_found"
    default_message = "No such text-to-speech provider or voice in the catalog."


class VoicePreviewUnavailable(ServiceUnavailable):
    code = "voice_preview_unavailable"
    default_message = "This voice cannot be previewed here."


class VoicePreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tts: str = Field(min_length=1, max_length=128, description="A TTS provider id.")
    voice: str | None = Field(default=None, max_length=128, description="One of its voices.")
    text: str = Field(
        default=DEFAULT_PREVIEW_TEXT,
        min_length=1,
        max_length=PREVIEW_MAX_CHARS,
        pattern=r"\S",
        description="What the voice says.",
    )


@router.post(
    "/voices/preview",
    name="voice_preview",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}, "description": "16-bit mono WAV"}},
)
async def voice_preview(
    body: VoicePreviewRequest, settings: SettingsDep, limiter: LimiterDep, ctx: UserViewerOrg
) -> Response:
    """``text`` spoken by a local voice of the catalog, as ``audio/wav``. Cloud voices are not
    previewed (``voice_preview_unavailable``); unknown providers and voices are
    ``voice_not_found``."""
    spec = provider_by_id(body.tts)
    allowed = spec is not None and (settings.enable_test_providers or not spec.test_only)
    if spec is None or spec.role != ProviderRole.TTS or not allowed:
        raise VoiceNotFound(details={"tts": body.tts})
    if body.voice is not None and spec.voices and body.voice not in spec.voices:
        raise VoiceNotFound(details={"tts": body.tts, "voice": body.voice})
    await limiter.hit(settings.rate_limit_voice_preview, "voice_preview", ctx.principal)
    try:
        from troupe_agent import voice_preview as preview
    except ImportError as exc:
        raise VoicePreviewUnavailable(
            "Voice previews need the agent runtime in the API's environment "
            "(install the troupe-agent package).",
            details={"tts": body.tts},
        ) from exc
    try:
        wav = await preview.render_preview_wav(
            body.tts,
            body.voice,
            body.text,
            allow_test_providers=settings.enable_test_providers,
        )
    except preview.VoicePreviewUnavailable as exc:
        raise VoicePreviewUnavailable(str(exc), details={"tts": body.tts}) from exc
    return Response(content=wav, media_type="audio/wav", headers={"Cache-Control": "no-store"})

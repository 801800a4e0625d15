"""Voice preview: a short text rendered by an agent's TTS into a WAV file, outside any session.

The dashboard's Play button next to the voice selector calls the API's
``POST /api/v1/catalog/voices/preview``, which imports this module lazily (the API process does
not load any model until the first preview). The TTS is built by the runtime's own
``ProviderRegistry`` from the same model files the worker speaks with, so the sample is exactly
the agent's voice. Only voices that render on this machine are previewed (``offline`` providers,
plus the test fakes when they are enabled): a cloud voice would spend the customer's credits and
needs the plugin's HTTP session, so it is refused with ``VoicePreviewUnavailable``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from livekit import rtc
from troupe_contracts.providers import ProviderRole, provider_by_id

from troupe_agent.local_models import LocalModels, LocalModelUnavailable
from troupe_agent.providers import ProviderError, ProviderRegistry
from troupe_agent.settings import Settings

PREVIEW_MAX_CHARS = 200
"""Longest text one preview renders (Piper takes roughly 0.1 s of CPU per word here)."""


class VoicePreviewUnavailable(Exception):
    """The voice cannot be rendered here; the message says why, for the user."""


_models = LocalModels()  # one Piper load per process, shared by every preview
_render_lock: asyncio.Lock | None = None


def _lock() -> asyncio.Lock:
    global _render_lock
    if _render_lock is None:
        _render_lock = asyncio.Lock()
    return _render_lock


def previewable(tts_id: str, *, allow_test_providers: bool) -> str | None:
    """None when ``tts_id`` can be previewed here, else why not."""
    spec = provider_by_id(tts_id)
    if spec is None or spec.role != ProviderRole.TTS:
        return f"{tts_id!r} is not a text-to-speech provider in the catalog."
    if spec.test_only:
        return None if allow_test_providers else "Test providers are disabled."
    if not spec.offline:
        return f"{spec.label} is a cloud voice; previews play only voices that run locally."
    return None


async def render_preview_wav(
    tts_id: str,
    voice: str | None,
    text: str,
    *,
    allow_test_providers: bool = False,
    models: LocalModels | None = None,
) -> bytes:
    """``text`` spoken by ``tts_id`` (with ``voice``) as a 16-bit mono WAV file."""
    text = text.strip()
    if not text or len(text) > PREVIEW_MAX_CHARS:
        raise ValueError(f"the text must be 1 to {PREVIEW_MAX_CHARS} characters")
    if reason := previewable(tts_id, allow_test_providers=allow_test_providers):
        raise VoicePreviewUnavailable(reason)
    registry = ProviderRegistry(
        Settings(troupe_enable_test_providers=allow_test_providers), models or _models
    )
    async with _lock():
        try:
            # resolve_id falls back to the offline default instead of failing; a preview must
            # play the voice asked for or say it cannot.
            if registry.resolve_id(tts_id, ProviderRole.TTS) != tts_id:
                raise VoicePreviewUnavailable(
                    f"{tts_id} is not available here: {registry.resolutions[-1].reason}."
                )
            engine: Any = registry.tts(tts_id, voice=voice)
            try:
                async with engine.synthesize(text) as stream:
                    frames: list[rtc.AudioFrame] = [audio.frame async for audio in stream]
            finally:
                await engine.aclose()
        except VoicePreviewUnavailable:
            raise
        except (LocalModelUnavailable, ProviderError, OSError) as exc:
            raise VoicePreviewUnavailable(f"{tts_id} cannot speak here: {exc}") from exc
        except Exception as exc:  # the engine failed mid-render (e.g. APIConnectionError)
            raise VoicePreviewUnavailable(f"{tts_id} failed to render the preview: {exc}") from exc
    if not frames:
        raise VoicePreviewUnavailable(f"{tts_id} produced no audio.")
    return rtc.combine_audio_frames(frames).to_wav_bytes()

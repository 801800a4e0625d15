"""POST /catalog/voices/preview: a real WAV from the local TTS, input validation, catalog checks,
the cloud-voice refusal and the per-user rate limit. Nothing here skips: Piper and espeak-ng
are installed wherever the API runs, so a failing route fails the test."""

from __future__ import annotations

import io
import wave
from typing import Any

import httpx
import pytest
from api_factories import bearer_for, make_org, make_user
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.catalog.router import PREVIEW_MAX_CHARS
from troupe_api.core.settings import Settings, get_settings
from troupe_api.organizations.models import Role

URL = "/api/v1/catalog/voices/preview"


async def _headers(db: AsyncSession, settings: Settings) -> dict[str, str]:
    org = await make_org(db)
    user = await make_user(db, org, role=Role.VIEWER)
    return await bearer_for(db, settings, user)


def _wav(response: httpx.Response) -> tuple[int, int, float]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as w:
        return w.getframerate(), w.getnchannels(), w.getnframes() / w.getframerate()


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def test_piper_renders_a_real_wav(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    headers = await _headers(db, settings)
    short = await client.post(
        URL, json={"tts": "local/piper-joe", "voice": "joe", "text": "Hi."}, headers=headers
    )
    long = await client.post(
        URL,
        json={"tts": "local/piper-joe", "text": "Hello there, this is how I sound on a call."},
        headers=headers,
    )
    rate, channels, short_s = _wav(short)
    assert (rate, channels) == (22050, 1)
    _, _, long_s = _wav(long)
    # Real speech: a longer sentence takes longer to say, and it is not silence.
    assert long_s > short_s > 0.1
    with wave.open(io.BytesIO(long.content)) as w:
        samples = memoryview(w.readframes(w.getnframes())).cast("h")
    assert max(abs(s) for s in samples) > 1000


async def test_espeak_voice_is_used(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    headers = await _headers(db, settings)
    answers = [
        await client.post(
            URL, json={"tts": "local/espeak", "voice": v, "text": "Tomato."}, headers=headers
        )
        for v in ("en-us", "en-gb")
    ]
    # espeak-ng is part of every install (scripts/install.sh, the images): a 503 here is a
    # broken route, not a missing optional voice.
    for a in answers:
        _wav(a)
    assert answers[0].content != answers[1].content


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"tts": "local/piper-joe", "text": "x" * (PREVIEW_MAX_CHARS + 1)}, 422, None),
        ({"tts": "local/piper-joe", "text": "   "}, 422, None),
        ({"tts": "local/piper-joe", "text": ""}, 422, None),
        ({"tts": "local/piper-joe", "text": "Hi", "extra": 1}, 422, None),
        ({"tts": "local/nope", "text": "Hi"}, 404, "voice_not_found"),
        ({"tts": "local/whisper-tiny", "text": "Hi"}, 404, "voice_not_found"),
        ({"tts": "local/espeak", "voice": "klingon", "text": "Hi"}, 404, "voice_not_found"),
        ({"tts": "cartesia/sonic", "text": "Hi"}, 503, "voice_preview_unavailable"),
    ],
)
async def test_refusals_are_structured(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    body: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    response = await client.post(URL, json=body, headers=await _headers(db, settings))
    assert response.status_code == status, response.text[:300]
    assert set(response.json()) == {"error"}
    if code:
        assert _code(response) == code
        assert response.json()["error"]["message"]


async def test_sign_in_required(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"tts": "local/espeak", "text": "Hi"})
    assert response.status_code == 401


async def test_rate_limited_per_user(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    limited = settings.model_copy(update={"rate_limit_voice_preview": "2/minute"})
    app.dependency_overrides[get_settings] = lambda: limited
    headers = await _headers(db, settings)
    other = await _headers(db, settings)
    body = {"tts": "local/espeak", "text": "Hi"}
    first = [(await client.post(URL, json=body, headers=headers)).status_code for _ in range(2)]
    assert 429 not in first
    third = await client.post(URL, json=body, headers=headers)
    assert third.status_code == 429 and _code(third) == "rate_limited"
    # Another user still has their own budget.
    assert (await client.post(URL, json=body, headers=other)).status_code != 429


def test_limits_agree_with_the_renderer() -> None:
    from troupe_agent.voice_preview import PREVIEW_MAX_CHARS as RENDERER_MAX

    assert PREVIEW_MAX_CHARS == RENDERER_MAX

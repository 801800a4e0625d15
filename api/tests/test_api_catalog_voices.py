"""``GET /catalog/voices``: the voices the agent form offers for a TTS provider. Offline
voices are the installed ones; cloud voices are fetched with the organization's key from the
provider (here a loopback server speaking the ElevenLabs and Cartesia voice APIs), cached,
and a missing or refused key is a clear, stable error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from api_factories import bearer_for, make_org, make_user
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Role

URL = "/api/v1/catalog/voices"
GOOD_KEY = "el-good-key-0123456789"
CARTESIA_KEY = "ca-good-key-0123456789"


class _Provider(BaseHTTPRequestHandler):
    calls: list[tuple[str, dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).calls.append((self.path, dict(self.headers)))
        if self.path.startswith("/v1/voices"):
            if self.headers.get("xi-api-key") != GOOD_KEY:
                return self._send(401, {"detail": {"status": "invalid_api_key"}})
            body: Any = {
                "voices": [
                    {"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "labels": {}},
                    {
                        "voice_id": "pNInz6obpgDQGcFmaJgB",
                        "name": "Adam",
                        "labels": {"language": "en"},
                    },
                ]
            }
            return self._send(200, body)
        if self.path.startswith("/voices"):
            if self.headers.get("X-API-Key") != CARTESIA_KEY:
                return self._send(401, {"error": "unauthorized"})
            if "starting_after" not in self.path:
                page = {
                    "data": [{"id": "c-1", "name": "Katie", "language": "en"}],
                    "has_more": True,
                }
            else:
                page = {
                    "data": [{"id": "c-2", "name": "Luis", "language": "es"}],
                    "has_more": False,
                }
            return self._send(200, page)
        self._send(404, {})

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Provider]]:
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("ELEVENLABS_BASE_URL", base)
    monkeypatch.setenv("CARTESIA_BASE_URL", base)
    monkeypatch.delenv("ELEVEN_API_KEY", raising=False)
    monkeypatch.delenv("CARTESIA_API_KEY", raising=False)
    _Provider.calls = []
    yield _Provider
    server.shutdown()
    server.server_close()


async def _admin(db: AsyncSession, settings: Settings) -> dict[str, str]:
    org = await make_org(db)
    return await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))


async def test_offline_voices_are_the_installed_ones(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    admin = await _admin(db, settings)
    piper = await client.get(URL, params={"tts": "local/piper-joe"}, headers=admin)
    assert piper.status_code == 200, piper.text
    assert piper.json()["source"] == "installed"
    assert [(v["id"], v["installed"]) for v in piper.json()["voices"]] == [("joe", True)]
    unknown = await client.get(URL, params={"tts": "local/nope"}, headers=admin)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "voice_provider_not_found"
    not_tts = await client.get(URL, params={"tts": "local/smollm2"}, headers=admin)
    assert not_tts.status_code == 404


async def test_cloud_voices_need_a_key(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, provider: type[_Provider]
) -> None:
    admin = await _admin(db, settings)
    response = await client.get(URL, params={"tts": "elevenlabs/eleven_turbo_v2_5"}, headers=admin)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "provider_key_missing"
    assert error["details"] == {"provider": "elevenlabs", "env": "ELEVEN_API_KEY"}
    assert provider.calls == []  # nothing was sent without a key


async def test_cloud_voices_are_fetched_with_the_orgs_key_and_cached(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, provider: type[_Provider]
) -> None:
    admin = await _admin(db, settings)
    put = await client.put(
        "/api/v1/provider-keys/elevenlabs", json={"api_key": GOOD_KEY}, headers=admin
    )
    assert put.status_code == 200, put.text
    params = {"tts": "elevenlabs/eleven_turbo_v2_5"}
    first = await client.get(URL, params=params, headers=admin)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["source"] == "provider" and body["cached"] is False
    assert [(v["id"], v["name"], v["language"]) for v in body["voices"]] == [
        ("21m00Tcm4TlvDq8ikWAM", "Rachel", None),
        ("pNInz6obpgDQGcFmaJgB", "Adam", "en"),
    ]
    assert provider.calls[0][1]["xi-api-key"] == GOOD_KEY
    again = await client.get(URL, params=params, headers=admin)
    assert again.json()["cached"] is True and again.json()["voices"] == body["voices"]
    assert len(provider.calls) == 1
    refreshed = await client.get(URL, params={**params, "refresh": "true"}, headers=admin)
    assert refreshed.json()["cached"] is False and len(provider.calls) == 2
    # the key never comes back
    assert GOOD_KEY not in first.text


async def test_openai_voices_are_its_documented_list_once_a_key_is_set(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    provider: type[_Provider],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    admin = await _admin(db, settings)
    params = {"tts": "openai/gpt-4o-mini-tts"}
    missing = await client.get(URL, params=params, headers=admin)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "provider_key_missing"
    assert missing.json()["error"]["details"] == {"provider": "openai", "env": "OPENAI_API_KEY"}
    put = await client.put(
        "/api/v1/provider-keys/openai", json={"api_key": "sk-org-0123456789"}, headers=admin
    )
    assert put.status_code == 200, put.text
    listed = await client.get(URL, params=params, headers=admin)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["source"] == "provider"
    ids = [v["id"] for v in body["voices"]]
    assert {"alloy", "coral", "nova", "onyx", "shimmer"} <= set(ids)
    assert "sk-org-0123456789" not in listed.text
    assert provider.calls == []  # a documented list: nothing is fetched


async def test_a_refused_key_is_provider_key_invalid(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, provider: type[_Provider]
) -> None:
    admin = await _admin(db, settings)
    await client.put(
        "/api/v1/provider-keys/elevenlabs", json={"api_key": "el-wrong-key-000000"}, headers=admin
    )
    response = await client.get(URL, params={"tts": "elevenlabs/eleven_turbo_v2_5"}, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "provider_key_invalid"


async def test_cartesia_pages_are_followed_with_the_platform_key(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    provider: type[_Provider],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARTESIA_API_KEY", CARTESIA_KEY)  # no key of the org: the platform's
    admin = await _admin(db, settings)
    response = await client.get(URL, params={"tts": "cartesia/sonic"}, headers=admin)
    assert response.status_code == 200, response.text
    assert [(v["id"], v["language"]) for v in response.json()["voices"]] == [
        ("c-1", "en"),
        ("c-2", "es"),
    ]
    assert provider.calls[0][1]["Cartesia-Version"]


async def test_an_unreachable_provider_is_provider_unavailable(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    port = server.server_port
    server.server_close()  # nothing listens there any more
    monkeypatch.setenv("ELEVENLABS_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ELEVEN_API_KEY", GOOD_KEY)
    admin = await _admin(db, settings)
    response = await client.get(URL, params={"tts": "elevenlabs/eleven_turbo_v2_5"}, headers=admin)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "provider_unavailable"


async def test_an_agent_may_take_a_voice_of_the_providers_own_list(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    from config_helpers import caller, create_agent, problems

    who = await caller(db, settings)
    agent = await create_agent(
        client, who, "rachel", tts="elevenlabs/eleven_turbo_v2_5", voice="21m00Tcm4TlvDq8ikWAM"
    )
    assert agent["voice"] == "21m00Tcm4TlvDq8ikWAM"
    # offline voices stay the installed ones
    response = await client.post(
        "/api/v1/agents",
        json={
            "slug": "x",
            "name": "X",
            "instructions": "i",
            "tts": "local/piper-joe",
            "voice": "rachel",
        },
        headers=who.headers,
    )
    assert [p[0] for p in problems(response)] == ["voice_unknown"]
    # OpenAI's voices are its documented list: one of them, or none of them
    coral = await create_agent(client, who, "coral", tts="openai/gpt-4o-mini-tts", voice="coral")
    assert coral["voice"] == "coral"
    response = await client.post(
        "/api/v1/agents",
        json={
            "slug": "y",
            "name": "Y",
            "instructions": "i",
            "tts": "openai/gpt-4o-mini-tts",
            "voice": "rachel",
        },
        headers=who.headers,
    )
    assert [p[0] for p in problems(response)] == ["voice_unknown"]

"""What "Default" means per role (``GET /catalog`` ``defaults``) and which providers have a key
for the caller's organization (``GET /catalog/availability``): the organization's own key, or
the platform's (process environment or env file); a provider without one falls back to the
offline default when a session starts."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from config_helpers import caller
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_contracts.providers import DEFAULT_OFFLINE, PROVIDER_CATALOG

URL = "/api/v1/catalog"


async def test_the_catalog_names_the_default_of_each_role(client: httpx.AsyncClient) -> None:
    defaults = (await client.get(URL)).json()["defaults"]
    assert defaults == {role.value: pid for role, pid in DEFAULT_OFFLINE.items()}
    assert defaults["llm"] == "local/smollm2"


async def test_availability_counts_the_organizations_keys_and_the_platforms(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("CARTESIA_API_KEY=from-the-env-file\nELEVEN_API_KEY=\n")
    monkeypatch.setitem(Settings.model_config, "env_file", str(env_file))
    needed = {env for spec in PROVIDER_CATALOG for env in spec.requires_env}
    for name in needed:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GROQ_API_KEY", "from-the-process")

    admin = await caller(db, settings)
    saved = await client.put(
        "/api/v1/provider-keys/deepgram",
        json={"api_key": "dg-key-0123456789"},
        headers=admin.headers,
    )
    assert saved.status_code == 200, saved.text

    response = await client.get(f"{URL}/availability", headers=admin.headers)
    assert response.status_code == 200, response.text
    by_id = {p["id"]: p for p in response.json()["providers"]}
    assert by_id["deepgram/nova-2"] == {
        "id": "deepgram/nova-2",
        "key_configured": True,
        "missing": [],
    }
    assert by_id["cartesia/sonic"]["key_configured"] is True  # env file
    assert by_id["groq/llama-3.3-70b-versatile"]["key_configured"] is True  # process env
    assert by_id["openai/gpt-4.1-mini"] == {
        "id": "openai/gpt-4.1-mini",
        "key_configured": False,
        "missing": ["OPENAI_API_KEY"],
    }
    assert by_id["elevenlabs/eleven_turbo_v2_5"]["key_configured"] is False  # empty in the file
    assert by_id["local/smollm2"]["key_configured"] is True  # offline: needs no key
    assert set(by_id) == {p["id"] for p in (await client.get(URL)).json()["providers"]}

    # another organization does not get the first one's key
    other = await caller(db, settings)
    theirs = (await client.get(f"{URL}/availability", headers=other.headers)).json()
    assert {p["id"]: p for p in theirs["providers"]}["deepgram/nova-2"]["key_configured"] is False

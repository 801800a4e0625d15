"""An organization's own provider keys: write-only for admins, encrypted at rest, handed
decrypted to the runtime in that organization's session configs only."""

from __future__ import annotations

from typing import get_args

import httpx
from api_factories import bearer_for, make_org, make_published_session, make_user
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.crypto import SecretBox
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Role
from troupe_api.provider_keys.models import ProviderKey
from troupe_api.provider_keys.schemas import OrgKeyProvider
from troupe_contracts.config import SessionConfig
from troupe_contracts.providers import ORG_KEY_PROVIDERS

OPENAI_KEY = "sk-org-own-key-0123456789abcdWXYZ"
URL = "/api/v1/provider-keys"


def test_the_api_offers_exactly_the_contract_providers() -> None:
    assert set(get_args(OrgKeyProvider)) == set(ORG_KEY_PROVIDERS)


async def test_a_saved_key_is_never_shown_again_and_is_encrypted_at_rest(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db)
    admin = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    put = await client.put(f"{URL}/openai", json={"api_key": OPENAI_KEY}, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["configured"] is True and put.json()["hint"] == "WXYZ"
    listed = await client.get(URL, headers=admin)
    by_provider = {i["provider"]: i for i in listed.json()["items"]}
    assert set(by_provider) == set(ORG_KEY_PROVIDERS)
    assert by_provider["openai"]["hint"] == "WXYZ"
    assert by_provider["deepgram"]["configured"] is False
    for response in (put, listed):
        assert OPENAI_KEY not in response.text and OPENAI_KEY[:-4] not in response.text

    row = await db.scalar(select(ProviderKey).where(ProviderKey.organization_id == org.id))
    assert row is not None and OPENAI_KEY not in row.secret
    assert SecretBox.from_settings(settings).decrypt_json(row.secret)["api_key"] == OPENAI_KEY

    # replacing keeps one row; deleting is idempotent and returns to the platform key
    await client.put(f"{URL}/openai", json={"api_key": OPENAI_KEY + "2"}, headers=admin)
    assert len((await db.scalars(select(ProviderKey))).all()) == 1
    assert (await client.delete(f"{URL}/openai", headers=admin)).status_code == 204
    assert (await client.delete(f"{URL}/openai", headers=admin)).status_code == 204
    listed = await client.get(URL, headers=admin)
    assert all(not i["configured"] for i in listed.json()["items"])


async def test_members_cannot_read_or_write_keys(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db)
    member = await bearer_for(db, settings, await make_user(db, org, Role.MEMBER))
    assert (await client.get(URL, headers=member)).status_code == 403
    put = await client.put(f"{URL}/openai", json={"api_key": OPENAI_KEY}, headers=member)
    assert put.status_code == 403


async def test_validation(client: httpx.AsyncClient, db: AsyncSession, settings: Settings) -> None:
    org = await make_org(db)
    admin = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    cases = [
        ("openai", {"api_key": ""}),
        ("openai-compatible", {"api_key": "k"}),  # no base_url
        ("deepgram", {"api_key": "dg-0123456789abcdef", "base_url": "http://x.example/v1"}),
        ("openai", {"api_key": "x", "base_url": "not a url"}),
    ]
    for provider, body in cases:
        response = await client.put(f"{URL}/{provider}", json=body, headers=admin)
        assert response.status_code == 422, (provider, body, response.text)
        assert response.json()["error"]["code"] == "validation_error"
    unknown = await client.put(f"{URL}/nope", json={"api_key": "x"}, headers=admin)
    assert unknown.status_code == 422
    keyless = await client.put(
        f"{URL}/openai-compatible", json={"base_url": "http://10.0.0.5:8080/v1"}, headers=admin
    )
    assert keyless.status_code == 200, keyless.text
    assert keyless.json()["hint"] is None
    assert keyless.json()["base_url"] == "http://10.0.0.5:8080/v1"


async def test_the_runtime_gets_the_keys_of_the_sessions_organization_only(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, session = await make_published_session(db)
    other_org, other_session = await make_published_session(db)
    admin = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    await client.put(f"{URL}/openai", json={"api_key": OPENAI_KEY}, headers=admin)
    await client.put(
        f"{URL}/openai-compatible",
        json={"api_key": "local-key-0123456789", "base_url": "http://10.0.0.5:8080/v1"},
        headers=admin,
    )

    response = await client.get(
        f"/api/v1/runtime/session-config/{session.id}", headers=runtime_headers
    )
    assert response.status_code == 200, response.text
    config = SessionConfig.model_validate(response.json())
    assert config.provider_keys["openai"].api_key == OPENAI_KEY
    assert config.provider_keys["openai-compatible"].base_url == "http://10.0.0.5:8080/v1"

    theirs = await client.get(
        f"/api/v1/runtime/session-config/{other_session.id}", headers=runtime_headers
    )
    assert theirs.status_code == 200, theirs.text
    assert SessionConfig.model_validate(theirs.json()).provider_keys == {}
    assert OPENAI_KEY not in theirs.text
    assert other_org.id != org.id


async def test_a_key_no_configured_secret_can_read_fails_the_session_config(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, session = await make_published_session(db)
    db.add(
        ProviderKey(
            organization_id=org.id,
            provider="openai",
            secret=SecretBox("another key entirely").encrypt_json({"api_key": "x"}),
            hint="",
        )
    )
    await db.commit()
    response = await client.get(
        f"/api/v1/runtime/session-config/{session.id}", headers=runtime_headers
    )
    assert response.status_code == 409
    assert "provider keys cannot be decrypted" in response.text

"""E-mail verification: a password sign-up is mailed a one-time link (a file in the dev
mailbox) that verifies the address once; a resend replaces the link and is rate limited; test
factories' users count as verified."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from api_factories import PASSWORD, bearer_for, make_org, make_user
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.audit.models import AuditEvent
from troupe_api.core.settings import Settings, get_settings
from troupe_api.organizations.models import Role
from troupe_api.users import service as users

REGISTER = "/api/v1/auth/register"
RESEND = "/api/v1/auth/email-verification"
CONFIRM = "/api/v1/auth/email-verification/confirm"
ME = "/api/v1/me"


def _override(app: FastAPI, settings: Settings, **values: Any) -> Settings:
    changed = settings.model_copy(update=values)
    app.dependency_overrides[get_settings] = lambda: changed
    return changed


def _mails(box: Path) -> list[Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(box.glob("*.eml"))]


def _token(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = re.search(r"https://app\.example/verify-email\?token=(\S+)", payload.decode())
    assert found, payload
    return found.group(1)


async def _register(client: httpx.AsyncClient, address: str) -> dict[str, str]:
    response = await client.post(
        REGISTER,
        json={
            "email": address,
            "password": PASSWORD,
            "organization_name": "Fresh Co",
            "delivery": "body",
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


async def test_sign_up_mails_a_link_that_verifies_once_and_unlocks_invites_and_keys(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    _override(app, settings, mailbox_dir=box, web_url="https://app.example")
    headers = await _register(client, "New@Example.com")
    me = (await client.get(ME, headers=headers)).json()["user"]
    assert me["email"] == "new@example.com" and me["email_verified_at"] is None

    [mail] = _mails(box)
    assert mail["To"] == "new@example.com"
    assert mail["Subject"] == "Verify your Troupe e-mail address"
    token = _token(mail)
    assert token.startswith("tev_")

    bad = await client.post(CONFIRM, json={"token": "tev_wrong"})
    assert bad.status_code == 400 and _code(bad) == "email_verification_invalid"

    # The token is the credential: no sign-in needed (the link may open in another browser).
    confirmed = await client.post(CONFIRM, json={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["email"] == "new@example.com"
    assert confirmed.json()["email_verified_at"]
    again = await client.post(CONFIRM, json={"token": token})
    assert again.status_code == 400 and _code(again) == "email_verification_invalid"

    me = (await client.get(ME, headers=headers)).json()["user"]
    assert me["email_verified_at"] == confirmed.json()["email_verified_at"]
    actions = set(await db.scalars(select(AuditEvent.action)))
    assert "user.email_verified" in actions

    # Verified: a resend sends nothing.
    resend = await client.post(RESEND, headers=headers)
    assert resend.status_code == 202 and resend.json() == {"sent": False}
    assert len([m for m in _mails(box) if "Verify" in str(m["Subject"])]) == 1


async def test_resend_replaces_the_link_and_is_rate_limited(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    _override(
        app,
        settings,
        mailbox_dir=box,
        web_url="https://app.example",
        rate_limit_email_verification="1/hour",
    )
    headers = await _register(client, "again@example.com")
    first = _token(_mails(box)[0])

    resent = await client.post(RESEND, headers=headers)
    assert resent.status_code == 202 and resent.json() == {"sent": True}
    second = _token(_mails(box)[1])
    assert second != first

    limited = await client.post(RESEND, headers=headers)
    assert limited.status_code == 429 and _code(limited) == "rate_limited"
    assert len(_mails(box)) == 2

    old = await client.post(CONFIRM, json={"token": first})
    assert old.status_code == 400 and _code(old) == "email_verification_invalid"
    assert (await client.post(CONFIRM, json={"token": second})).status_code == 200

    anonymous = await client.post(RESEND)
    assert anonymous.status_code == 401


async def test_a_link_for_an_address_the_account_no_longer_has_is_refused(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    _override(app, settings, mailbox_dir=box, web_url="https://app.example")
    headers = await _register(client, "moving@example.com")
    token = _token(_mails(box)[0])
    me = (await client.get(ME, headers=headers)).json()["user"]
    user = await users.get_by_email(db=db, email="moving@example.com")
    assert user is not None and str(user.id) == me["id"]
    user.email = "elsewhere@example.com"
    await db.commit()
    refused = await client.post(CONFIRM, json={"token": token})
    assert refused.status_code == 400 and _code(refused) == "email_verification_invalid"


async def test_factory_users_are_verified(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    admin = await make_user(db, await make_org(db), Role.ADMIN)
    headers = await bearer_for(db, settings, admin)
    assert (await client.get(ME, headers=headers)).json()["user"]["email_verified_at"]

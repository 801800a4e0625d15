"""Changing the email address: the current password is required, a one-time link goes to the
new address (a file in the dev mailbox), and only that link changes the address."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from api_factories import PASSWORD, bearer_for, make_org, make_user
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings, get_settings
from troupe_api.organizations.models import Role

ME = "/api/v1/me"
CONFIRM = "/api/v1/auth/email/confirm"


def _override(app: FastAPI, settings: Settings, **values: Any) -> Settings:
    changed = settings.model_copy(update=values)
    app.dependency_overrides[get_settings] = lambda: changed
    return changed


def _mails(box: Path) -> list[Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(box.glob("*.eml"))]


def _token(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = re.search(r"/confirm-email\?token=(\S+)", payload.decode())
    assert found, payload
    return found.group(1)


async def test_email_changes_only_through_the_link_sent_to_the_new_address(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    _override(app, settings, mailbox_dir=box, web_url="https://app.example")
    org = await make_org(db)
    user = await make_user(db, org, Role.MEMBER, email="old@example.com")
    headers = await bearer_for(db, settings, user)
    await make_user(db, email="taken@example.com")

    wrong = await client.post(
        f"{ME}/email",
        json={"email": "new@example.com", "current_password": "nope"},
        headers=headers,
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    taken = await client.post(
        f"{ME}/email",
        json={"email": "Taken@example.com", "current_password": PASSWORD},
        headers=headers,
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "email_taken"
    assert _mails(box) == []

    first = await client.post(
        f"{ME}/email",
        json={"email": "First@Example.com", "current_password": PASSWORD},
        headers=headers,
    )
    assert first.status_code == 202, first.text
    assert first.json()["pending_email"] == "first@example.com"
    requested = await client.post(
        f"{ME}/email",
        json={"email": "new@example.com", "current_password": PASSWORD},
        headers=headers,
    )
    assert requested.status_code == 202

    me = (await client.get(ME, headers=headers)).json()
    assert me["user"]["email"] == "old@example.com"
    assert me["pending_email"] == "new@example.com"

    mails = _mails(box)
    to_new = [m for m in mails if m["To"] == "new@example.com"]
    to_first = [m for m in mails if m["To"] == "first@example.com"]
    notices = [m for m in mails if m["To"] == "old@example.com"]
    assert len(to_new) == 1 and len(to_first) == 1 and len(notices) == 2
    assert "/confirm-email?token=" not in str(notices[0].get_payload(decode=True))
    link = _token(to_new[0])
    assert "https://app.example/confirm-email?token=" in str(to_new[0].get_payload(decode=True))

    # The replaced link no longer works; a made-up one neither.
    stale = await client.post(CONFIRM, json={"token": _token(to_first[0])})
    assert stale.status_code == 400 and stale.json()["error"]["code"] == "email_change_invalid"
    assert (await client.post(CONFIRM, json={"token": "tec_made_up"})).status_code == 400

    confirmed = await client.post(CONFIRM, json={"token": link})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"email": "new@example.com"}
    me = (await client.get(ME, headers=headers)).json()
    assert me["user"]["email"] == "new@example.com" and me["pending_email"] is None
    # Once only; and the new address signs in.
    assert (await client.post(CONFIRM, json={"token": link})).status_code == 400
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": "new@example.com", "password": PASSWORD, "delivery": "body"},
    )
    assert login.status_code == 200


async def test_a_pending_change_can_be_cancelled(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    _override(app, settings, mailbox_dir=box)
    user = await make_user(db, await make_org(db), Role.ADMIN)
    headers = await bearer_for(db, settings, user)
    await client.post(
        f"{ME}/email",
        json={"email": "later@example.com", "current_password": PASSWORD},
        headers=headers,
    )
    [to_new] = [m for m in _mails(box) if m["To"] == "later@example.com"]
    assert (await client.delete(f"{ME}/email", headers=headers)).status_code == 204
    assert (await client.get(ME, headers=headers)).json()["pending_email"] is None
    assert (await client.post(CONFIRM, json={"token": _token(to_new)})).status_code == 400

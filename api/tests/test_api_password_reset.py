"""Forgotten password: the request always answers 202 (no account enumeration) and mails a
one-time, expiring link (a file in the dev mailbox) to an existing account only; the link's
token sets a new password and signs out every session of the user."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from api_factories import PASSWORD, bearer_for, make_org, make_user
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.audit.models import AuditEvent
from troupe_api.auth.tokens import sha256_hex
from troupe_api.core.settings import Settings, get_settings
from troupe_api.organizations.models import Role

REQUEST = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "a brand new password"


def _override(app: FastAPI, settings: Settings, **values: Any) -> Settings:
    changed = settings.model_copy(update=values)
    app.dependency_overrides[get_settings] = lambda: changed
    return changed


def _mails(box: Path) -> list[Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(box.glob("*.eml"))]


def _token(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = re.search(r"/reset-password\?token=(\S+)", payload.decode())
    assert found, payload
    return found.group(1)


async def _login(client: httpx.AsyncClient, address: str, password: str) -> int:
    response = await client.post(
        LOGIN, json={"email": address, "password": password, "delivery": "body"}
    )
    return response.status_code


async def test_reset_link_sets_a_new_password_once_and_signs_out_everywhere(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    _override(app, settings, mailbox_dir=box, web_url="https://app.example")
    user = await make_user(db, await make_org(db), Role.MEMBER, email="forgot@example.com")
    headers = await bearer_for(db, settings, user)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200

    # An unknown address gets the same answer and no mail goes anywhere.
    unknown = await client.post(REQUEST, json={"email": "nobody@example.com"})
    assert unknown.status_code == 202 and unknown.content == b""
    assert _mails(box) == []

    first = await client.post(REQUEST, json={"email": "Forgot@Example.com"})
    assert first.status_code == 202 and first.content == b""
    second = await client.post(REQUEST, json={"email": "forgot@example.com"})
    assert second.status_code == 202
    mails = _mails(box)
    assert [m["To"] for m in mails] == ["forgot@example.com", "forgot@example.com"]
    assert "https://app.example/reset-password?token=" in str(mails[1].get_payload(decode=True))
    stale, link = _token(mails[0]), _token(mails[1])

    # Stored hashed, with an expiry of at most one hour.
    redis: Redis = app.state.redis
    assert await redis.exists(f"troupe:password_reset:{link}") == 0
    ttl = await redis.ttl(f"troupe:password_reset:{sha256_hex(link)}")
    assert 0 < ttl <= 3600

    # The replaced link and a made-up one are refused with a stable code.
    refused = await client.post(CONFIRM, json={"token": stale, "password": NEW_PASSWORD})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "password_reset_invalid"
    made_up = await client.post(CONFIRM, json={"token": "tpr_made_up", "password": NEW_PASSWORD})
    assert made_up.status_code == 400
    # The registration password rules apply (and a refused password keeps the link usable).
    short = await client.post(CONFIRM, json={"token": link, "password": "short"})
    assert short.status_code == 422

    done = await client.post(CONFIRM, json={"token": link, "password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    # Every existing session is signed out; the new password signs in, the old one not.
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert await _login(client, "forgot@example.com", PASSWORD) == 401
    assert await _login(client, "forgot@example.com", NEW_PASSWORD) == 200
    # Once only.
    again = await client.post(CONFIRM, json={"token": link, "password": "yet another password"})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "password_reset_invalid"

    actions = set(
        (await db.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user.id))).all()
    )
    assert {"user.password_reset_requested", "user.password_reset"} <= actions


async def test_a_link_dies_when_the_password_changes_another_way(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    box = tmp_path / "mailbox"
    _override(app, settings, mailbox_dir=box)
    user = await make_user(db, await make_org(db), Role.ADMIN, email="changer@example.com")
    headers = await bearer_for(db, settings, user)
    assert (await client.post(REQUEST, json={"email": "changer@example.com"})).status_code == 202
    [mail] = _mails(box)
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert changed.status_code in (200, 204), changed.text
    late = await client.post(CONFIRM, json={"token": _token(mail), "password": "someone else's"})
    assert late.status_code == 400
    assert await _login(client, "changer@example.com", NEW_PASSWORD) == 200


async def test_reset_requests_are_rate_limited_per_email(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    _override(app, settings, mailbox_dir=tmp_path / "mailbox", rate_limit_auth_email="2/minute")
    codes = [
        (await client.post(REQUEST, json={"email": "flood@example.com"})).status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]

"""Sign-up, sign-in, cookies + CSRF, refresh rotation and reuse, logout, access tokens refused
for every way they can be wrong, API keys, invitations, roles, audit, rate limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from api_factories import PASSWORD, bearer_for, make_org, make_published_template, make_user
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.auth.tokens import mint_access_token
from troupe_api.core.settings import JwtKey, Settings, get_settings
from troupe_api.organizations.models import Role

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/me"


def _code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


async def _register(client: httpx.AsyncClient, email: str, **extra: Any) -> httpx.Response:
    body = {"email": email, "password": PASSWORD, "organization_name": "Acme", **extra}
    return await client.post(REGISTER, json=body)


def _override(app: FastAPI, settings: Settings, **values: Any) -> Settings:
    changed = settings.model_copy(update=values)
    app.dependency_overrides[get_settings] = lambda: changed
    return changed


# --- registration, login, cookies, CSRF -----------------------------------------------------


async def test_register_creates_admin_of_first_org_and_sets_cookies(
    client: httpx.AsyncClient,
) -> None:
    response = await _register(client, "Pat@Example.com", display_name="Pat")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["access_token"] is None and body["refresh_token"] is None
    set_cookies = response.headers.get_list("set-cookie")
    access = next(c for c in set_cookies if c.startswith("troupe_access="))
    refresh = next(c for c in set_cookies if c.startswith("troupe_refresh="))
    csrf = next(c for c in set_cookies if c.startswith("troupe_csrf="))
    assert "HttpOnly" in access and "SameSite=lax" in access and "Path=/api" in access
    assert "HttpOnly" in refresh and "Path=/api/v1/auth/refresh" in refresh
    assert "HttpOnly" not in csrf

    me = await client.get(ME)
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "pat@example.com"
    [membership] = me.json()["memberships"]
    assert membership["role"] == "admin"
    assert me.json()["default_organization_id"] == membership["organization_id"]

    assert _code(await _register(client, "pat@example.com")) == "email_taken"


async def test_cookie_writes_need_the_csrf_header(client: httpx.AsyncClient) -> None:
    await _register(client, "csrf@example.com")
    without = await client.patch(ME, json={"display_name": "X"})
    assert without.status_code == 403 and _code(without) == "csrf_failed"
    wrong = await client.patch(ME, json={"display_name": "X"}, headers={"X-Troupe-CSRF": "nope"})
    assert wrong.status_code == 403
    token = client.cookies["troupe_csrf"]
    ok = await client.patch(ME, json={"display_name": "X"}, headers={"X-Troupe-CSRF": token})
    assert ok.status_code == 200 and ok.json()["user"]["display_name"] == "X"


async def test_login_body_delivery_and_wrong_password(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await make_user(db, await make_org(db))
    await db.commit()
    bad = await client.post(LOGIN, json={"email": user.email, "password": "wrong"})
    assert bad.status_code == 401 and _code(bad) == "invalid_credentials"
    unknown = await client.post(LOGIN, json={"email": "x@nobody.example", "password": "wrong"})
    assert _code(unknown) == "invalid_credentials"
    ok = await client.post(
        LOGIN, json={"email": user.email.upper(), "password": PASSWORD, "delivery": "body"}
    )
    assert ok.status_code == 200
    assert not ok.headers.get_list("set-cookie")
    access = ok.json()["access_token"]
    me = await client.get(ME, headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200 and me.json()["user"]["id"] == str(user.id)


async def test_login_rate_limited_per_email(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    _override(app, settings, rate_limit_auth_email="3/minute")
    body = {"email": "victim@example.com", "password": "wrong"}
    for _ in range(3):
        assert (await client.post(LOGIN, json=body)).status_code == 401
    limited = await client.post(LOGIN, json=body)
    assert limited.status_code == 429 and _code(limited) == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit-Remaining"] == "0"


async def test_authenticated_requests_carry_ratelimit_headers_and_are_limited_per_user(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    _override(app, settings, rate_limit_user="2/minute")
    headers = await bearer_for(db, settings, await make_user(db, await make_org(db)))
    first = await client.get("/api/v1/sessions", headers=headers)
    assert first.status_code == 200 and first.headers["RateLimit-Limit"]
    await client.get("/api/v1/sessions", headers=headers)
    third = await client.get("/api/v1/sessions", headers=headers)
    assert third.status_code == 429 and third.headers["Retry-After"]


# --- refresh rotation, reuse, logout --------------------------------------------------------


async def _login_body(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await client.post(
        LOGIN, json={"email": email, "password": PASSWORD, "delivery": "body"}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_refresh_rotates_and_reuse_revokes_the_family(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await make_user(db, await make_org(db))
    await db.commit()
    first = await _login_body(client, user.email)
    second = (await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})).json()
    assert second["refresh_token"] and second["refresh_token"] != first["refresh_token"]

    reused = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and _code(reused) == "refresh_token_reused"
    # The whole family is gone: the newest refresh token and its access token too.
    after = await client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401 and _code(after) == "token_revoked"
    me = await client.get(ME, headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 401 and _code(me) == "token_revoked"
    # Another sign-in of the same user is a different family and still works.
    other = await _login_body(client, user.email)
    ok = await client.get(ME, headers={"Authorization": f"Bearer {other['access_token']}"})
    assert ok.status_code == 200


async def test_refresh_with_cookie_needs_csrf(client: httpx.AsyncClient) -> None:
    await _register(client, "cookie-refresh@example.com")
    # The refresh cookie is path-scoped to the refresh route; httpx honours the path.
    assert (await client.post(REFRESH)).status_code == 403
    csrf = client.cookies["troupe_csrf"]
    ok = await client.post(REFRESH, headers={"X-Troupe-CSRF": csrf})
    assert ok.status_code == 200 and ok.json()["refresh_token"] is None
    assert (await client.get(ME)).status_code == 200


async def test_logout_and_logout_everywhere(client: httpx.AsyncClient, db: AsyncSession) -> None:
    user = await make_user(db, await make_org(db))
    await db.commit()
    a, b = await _login_body(client, user.email), await _login_body(client, user.email)
    auth_a = {"Authorization": f"Bearer {a['access_token']}"}
    auth_b = {"Authorization": f"Bearer {b['access_token']}"}
    assert (await client.post("/api/v1/auth/logout", headers=auth_a)).status_code == 204
    revoked = await client.get(ME, headers=auth_a)
    assert revoked.status_code == 401 and _code(revoked) == "token_revoked"
    assert (await client.get(ME, headers=auth_b)).status_code == 200
    refused = await client.post(REFRESH, json={"refresh_token": a["refresh_token"]})
    assert _code(refused) == "token_revoked"

    c = await _login_body(client, user.email)
    assert (await client.post("/api/v1/auth/logout-all", headers=auth_b)).status_code == 204
    for token in (b["access_token"], c["access_token"]):
        assert (
            await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        ).status_code == 401


async def test_password_change_signs_out_other_sessions(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await make_user(db, await make_org(db))
    await db.commit()
    a, b = await _login_body(client, user.email), await _login_body(client, user.email)
    auth_a = {"Authorization": f"Bearer {a['access_token']}"}
    wrong = await client.post(
        "/api/v1/me/password",
        json={"current_password": "nope", "new_password": "a brand new password"},
        headers=auth_a,
    )
    assert wrong.status_code == 401
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers=auth_a,
    )
    assert changed.status_code == 204
    assert (await client.get(ME, headers=auth_a)).status_code == 200
    stale = await client.get(ME, headers={"Authorization": f"Bearer {b['access_token']}"})
    assert stale.status_code == 401
    relogin = await client.post(
        LOGIN, json={"email": user.email, "password": "a brand new password"}
    )
    assert relogin.status_code == 200


# --- access tokens refused -----------------------------------------------------------------


def _claims(
    settings: Settings, user_id: uuid.UUID, family_id: uuid.UUID, **over: Any
) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
        "fam": str(family_id),
        "typ": "access",
        **over,
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.fixture
async def live_login(
    client: httpx.AsyncClient, db: AsyncSession
) -> tuple[uuid.UUID, uuid.UUID, str]:
    """(user id, family id, access token) of a real sign-in."""
    user = await make_user(db, await make_org(db))
    await db.commit()
    body = await _login_body(client, user.email)
    family = uuid.UUID(jwt.decode(body["access_token"], options={"verify_signature": False})["fam"])
    return user.id, family, str(body["access_token"])


async def _refused(client: httpx.AsyncClient, token: str, code: str = "token_invalid") -> None:
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert _code(response) == code
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_valid_token_accepted(
    client: httpx.AsyncClient, live_login: tuple[uuid.UUID, uuid.UUID, str]
) -> None:
    response = await client.get(ME, headers={"Authorization": f"Bearer {live_login[2]}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("case", "over", "code"),
    [
        (
            "expired",
            {"exp": datetime(2020, 1, 1, tzinfo=UTC), "iat": 1577800000, "nbf": 1577800000},
            "token_expired",
        ),
        ("wrong_audience", {"aud": "someone-else"}, "token_invalid"),
        ("wrong_issuer", {"iss": "evil"}, "token_invalid"),
        ("not_yet_valid", {"nbf": datetime.now(UTC) + timedelta(hours=1)}, "token_invalid"),
        ("wrong_type", {"typ": "refresh"}, "token_invalid"),
        ("missing_family", {"fam": None}, "token_invalid"),
    ],
)
async def test_bad_claims_refused(
    client: httpx.AsyncClient,
    settings: Settings,
    live_login: tuple[uuid.UUID, uuid.UUID, str],
    case: str,
    over: dict[str, Any],
    code: str,
) -> None:
    user_id, family, _ = live_login
    claims = {k: v for k, v in _claims(settings, user_id, family, **over).items() if v is not None}
    token = jwt.encode(claims, settings.jwt_secret, algorithm="HS256", headers={"kid": "default"})
    await _refused(client, token, code)


async def test_alg_none_refused(
    client: httpx.AsyncClient, settings: Settings, live_login: tuple[uuid.UUID, uuid.UUID, str]
) -> None:
    user_id, family, _ = live_login
    claims = _claims(settings, user_id, family)
    token = jwt.encode(claims, None, algorithm="none", headers={"kid": "default"})
    await _refused(client, token)
    # Hand-built too, with an empty signature.
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "default"}).encode())
    payload = _b64(json.dumps(jwt.decode(token, options={"verify_signature": False})).encode())
    await _refused(client, f"{header}.{payload}.")


async def test_tampered_signature_and_payload_refused(
    client: httpx.AsyncClient, live_login: tuple[uuid.UUID, uuid.UUID, str]
) -> None:
    token = live_login[2]
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    await _refused(client, f"{header}.{payload}.{flipped}")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["sub"] = str(uuid.uuid4())
    await _refused(client, f"{header}.{_b64(json.dumps(claims).encode())}.{signature}")
    await _refused(client, "not.a.jwt")


async def test_unknown_kid_refused(
    client: httpx.AsyncClient, settings: Settings, live_login: tuple[uuid.UUID, uuid.UUID, str]
) -> None:
    user_id, family, _ = live_login
    token = jwt.encode(
        _claims(settings, user_id, family),
        settings.jwt_secret,
        algorithm="HS256",
        headers={"kid": "who-knows"},
    )
    await _refused(client, token)


def _rsa_pems() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _ec_pems() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


async def test_hs_rs_confusion_refused(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    live_login: tuple[uuid.UUID, uuid.UUID, str],
) -> None:
    user_id, family, _ = live_login
    private, public = _rsa_pems()
    keyed = _override(
        app,
        settings,
        jwt_keys=[JwtKey(kid="rs1", alg="RS256", private_key=private, public_key=public)],
    )
    good, _ = mint_access_token(keyed, user_id=user_id, family_id=family)
    assert jwt.get_unverified_header(good)["alg"] == "RS256"
    assert (await client.get(ME, headers={"Authorization": f"Bearer {good}"})).status_code == 200
    # An HS256 token whose HMAC key is the (public) RSA key, claiming the RSA key's kid.
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rs1"}).encode())
    payload = _b64(json.dumps(jwt.decode(good, options={"verify_signature": False})).encode())
    mac = hmac.new(public.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    await _refused(client, f"{header}.{payload}.{_b64(mac)}")
    # And the old HS256 default key no longer verifies once the keyring replaces it.
    await _refused(client, live_login[2])


async def test_keyring_rotation_old_keys_verify_until_retired(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    live_login: tuple[uuid.UUID, uuid.UUID, str],
) -> None:
    user_id, family, _ = live_login
    old_private, old_public = _ec_pems()
    new_private, new_public = _ec_pems()
    old = JwtKey(kid="2026-01", alg="ES256", private_key=old_private, public_key=old_public)
    new = JwtKey(kid="2026-06", alg="ES256", private_key=new_private, public_key=new_public)
    before = _override(app, settings, jwt_keys=[old])
    old_token, _ = mint_access_token(before, user_id=user_id, family_id=family)

    _override(app, settings, jwt_keys=[new, old], jwt_active_kid="2026-06")
    me = await client.get(ME, headers={"Authorization": f"Bearer {old_token}"})
    assert me.status_code == 200  # still verifies: not retired

    retired = old.model_copy(update={"retired": True})
    _override(app, settings, jwt_keys=[new, retired])
    await _refused(client, old_token)


# --- API keys, invitations, roles, audit ----------------------------------------------------


async def test_api_key_scopes_expiry_revocation_and_last_used(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, _, _ = await make_published_template(db)
    admin = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    created = await client.post(
        "/api/v1/api-keys", json={"name": "ci", "scopes": ["sessions:read"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith(f"tk_{created.json()['prefix']}_")
    listed = (await client.get("/api/v1/api-keys", headers=admin)).json()["items"]
    assert "key" not in listed[0] and listed[0]["last_used_at"] is None

    as_key = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/api/v1/sessions", headers=as_key)).status_code == 200
    write = await client.post(
        "/api/v1/sessions", json={"template_id": str(uuid.uuid4())}, headers=as_key
    )
    assert write.status_code == 403 and _code(write) == "scope_required"
    identity = await client.get("/api/v1/members", headers=as_key)
    assert identity.status_code == 403 and _code(identity) == "user_required"
    assert (await client.get("/api/v1/api-keys", headers=admin)).json()["items"][0]["last_used_at"]

    key_id = created.json()["id"]
    assert (await client.delete(f"/api/v1/api-keys/{key_id}", headers=admin)).status_code == 204
    revoked = await client.get("/api/v1/sessions", headers=as_key)
    assert revoked.status_code == 401 and _code(revoked) == "api_key_invalid"
    bogus = await client.get("/api/v1/sessions", headers={"Authorization": "Bearer tk_abc_def"})
    assert _code(bogus) == "api_key_invalid"

    expired = await client.post(
        "/api/v1/api-keys",
        json={"name": "old", "scopes": ["sessions:read"], "expires_at": "2020-01-01T00:00:00Z"},
        headers=admin,
    )
    stale = {"Authorization": f"Bearer {expired.json()['key']}"}
    assert _code(await client.get("/api/v1/sessions", headers=stale)) == "api_key_invalid"
    events = (await client.get("/api/v1/audit-events", headers=admin)).json()["items"]
    assert {"api_key.created", "api_key.revoked"} <= {e["action"] for e in events}


async def test_invitation_accept_multi_org_and_org_header(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org_a, org_b = await make_org(db, "A"), await make_org(db, "B")
    admin_b = await bearer_for(db, settings, await make_user(db, org_b, Role.ADMIN))
    invitee = await make_user(
        db, org_a, Role.MEMBER, email=f"inv-{uuid.uuid4().hex[:6]}@example.com"
    )
    invitee_auth = await bearer_for(db, settings, invitee)
    invited = await client.post(
        "/api/v1/invitations", json={"email": invitee.email, "role": "viewer"}, headers=admin_b
    )
    assert invited.status_code == 201
    token = invited.json()["token"]

    stranger = await bearer_for(db, settings, await make_user(db, org_a))
    mismatch = await client.post(
        "/api/v1/invitations/accept", json={"token": token}, headers=stranger
    )
    assert mismatch.status_code == 403 and _code(mismatch) == "invitation_email_mismatch"
    accepted = await client.post(
        "/api/v1/invitations/accept", json={"token": token}, headers=invitee_auth
    )
    assert accepted.status_code == 200 and accepted.json()["role"] == "viewer"
    again = await client.post(
        "/api/v1/invitations/accept", json={"token": token}, headers=invitee_auth
    )
    assert again.status_code == 404 and _code(again) == "invitation_invalid"

    me = (await client.get(ME, headers=invitee_auth)).json()
    assert [m["organization_id"] for m in me["memberships"]] == [str(org_a.id), str(org_b.id)]
    default = (await client.get("/api/v1/organization", headers=invitee_auth)).json()
    assert default["id"] == str(org_a.id) and default["role"] == "member"
    picked = await client.get(
        "/api/v1/organization", headers={**invitee_auth, "X-Troupe-Org": org_b.slug}
    )
    assert picked.json()["id"] == str(org_b.id) and picked.json()["role"] == "viewer"
    foreign = await make_org(db, "C")
    await db.commit()
    denied = await client.get(
        "/api/v1/organization", headers={**invitee_auth, "X-Troupe-Org": str(foreign.id)}
    )
    assert denied.status_code == 403 and _code(denied) == "not_org_member"

    events = (await client.get("/api/v1/audit-events", headers=admin_b)).json()["items"]
    assert "invitation.accepted" in {e["action"] for e in events}


async def test_invitation_expired_and_revoked(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db)
    admin = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    invitee = await make_user(db, email=f"x-{uuid.uuid4().hex[:6]}@example.com")
    await make_org(db)
    invitee_auth = await bearer_for(db, settings, invitee)
    revoked = (
        await client.post("/api/v1/invitations", json={"email": invitee.email}, headers=admin)
    ).json()
    assert (
        await client.delete(f"/api/v1/invitations/{revoked['id']}", headers=admin)
    ).status_code == 204
    refused = await client.post(
        "/api/v1/invitations/accept", json={"token": revoked["token"]}, headers=invitee_auth
    )
    assert _code(refused) == "invitation_invalid"
    _override(app, settings, invitation_ttl_s=-10)
    expired = (
        await client.post("/api/v1/invitations", json={"email": invitee.email}, headers=admin)
    ).json()
    refused = await client.post(
        "/api/v1/invitations/accept", json={"token": expired["token"]}, headers=invitee_auth
    )
    assert _code(refused) == "invitation_invalid"


async def test_roles_change_and_last_admin_protected(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db)
    admin_user = await make_user(db, org, Role.ADMIN)
    admin = await bearer_for(db, settings, admin_user)
    member_user = await make_user(db, org, Role.MEMBER)
    member = await bearer_for(db, settings, member_user)

    demote_self = await client.patch(
        f"/api/v1/members/{admin_user.id}", json={"role": "viewer"}, headers=admin
    )
    assert demote_self.status_code == 409 and _code(demote_self) == "last_admin"
    leave = await client.delete(f"/api/v1/members/{admin_user.id}", headers=admin)
    assert _code(leave) == "last_admin"
    promoted = await client.patch(
        f"/api/v1/members/{member_user.id}", json={"role": "admin"}, headers=admin
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    # Now there are two admins: the first may step down, then leave.
    ok = await client.patch(
        f"/api/v1/members/{admin_user.id}", json={"role": "viewer"}, headers=member
    )
    assert ok.status_code == 200
    assert (
        await client.delete(f"/api/v1/members/{admin_user.id}", headers=admin)
    ).status_code == 204
    events = (await client.get("/api/v1/audit-events", headers=member)).json()["items"]
    assert [e["action"] for e in events][:3] == [
        "member.removed",
        "member.role_changed",
        "member.role_changed",
    ]


async def test_audit_shows_member_logins_and_paginates(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db)
    admin = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    member = await make_user(db, org)
    outsider = await make_user(db, await make_org(db))
    await db.commit()
    await client.post(LOGIN, json={"email": member.email, "password": "wrong"})
    await client.post(LOGIN, json={"email": member.email, "password": PASSWORD})
    await client.post(LOGIN, json={"email": outsider.email, "password": PASSWORD})
    page = (await client.get("/api/v1/audit-events?limit=1", headers=admin)).json()
    assert page["items"][0]["action"] == "auth.login_succeeded" and page["next_cursor"]
    rest = (
        await client.get(f"/api/v1/audit-events?cursor={page['next_cursor']}", headers=admin)
    ).json()
    actions = [e["action"] for e in rest["items"]]
    assert actions[0] == "auth.login_failed"
    users_seen = {e["user_id"] for e in page["items"] + rest["items"]}
    assert str(outsider.id) not in users_seen


# --- sessions for dashboard users -------------------------------------------------------------


async def test_dashboard_session_start_and_listing(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    member = await bearer_for(db, settings, await make_user(db, org, Role.MEMBER))
    viewer = await bearer_for(db, settings, await make_user(db, org, Role.VIEWER))
    started = []
    for _ in range(3):
        response = await client.post(
            "/api/v1/sessions", json={"template_id": str(template.id)}, headers=member
        )
        assert response.status_code == 201, response.text
        started.append(response.json()["session"]["id"])
    denied = await client.post(
        "/api/v1/sessions", json={"template_id": str(template.id)}, headers=viewer
    )
    assert _code(denied) == "role_required"
    anonymous = await client.post("/api/v1/sessions", json={"template_id": str(template.id)})
    assert anonymous.status_code == 401

    first = (await client.get("/api/v1/sessions?limit=2", headers=viewer)).json()
    assert [s["id"] for s in first["items"]] == started[::-1][:2]
    second = (
        await client.get(f"/api/v1/sessions?limit=2&cursor={first['next_cursor']}", headers=viewer)
    ).json()
    assert [s["id"] for s in second["items"]] == [started[0]] and second["next_cursor"] is None
    filtered = await client.get(
        "/api/v1/sessions",
        params={"status": "completed", "template_id": str(template.id)},
        headers=viewer,
    )
    assert filtered.json()["items"] == []
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (await client.get("/api/v1/sessions", params={"since": future}, headers=viewer)).json()[
        "items"
    ] == []
    bad = await client.get("/api/v1/sessions?cursor=%%%", headers=viewer)
    assert bad.status_code == 422

    read = await client.get(f"/api/v1/sessions/{started[0]}", headers=viewer)
    assert read.status_code == 200
    other = await bearer_for(db, settings, await make_user(db, await make_org(db), Role.ADMIN))
    assert (await client.get(f"/api/v1/sessions/{started[0]}", headers=other)).status_code == 404
    assert (await client.get("/api/v1/sessions", headers=other)).json()["items"] == []


async def test_nul_in_a_text_field_is_a_422_not_a_crash(client: httpx.AsyncClient) -> None:
    response = await _register(client, "nul@example.com", organization_name="Ac\x00me")
    assert response.status_code == 422
    assert _code(response) == "invalid_characters"
    again = await _register(client, "nul@example.com")  # nothing half-written stays behind
    assert again.status_code == 201, again.text

"""Agent avatars: upload (type from the magic bytes, size and dimension limits, normalised to a
square WebP without metadata), the public image URL, replace, remove, tenant isolation, and the
URL in the runtime's session config."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from api_factories import make_published_session
from config_helpers import Caller, caller, create_agent
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents import avatar
from troupe_api.core.settings import Settings
from troupe_api.core.storage import get_storage
from troupe_api.organizations.models import Role
from troupe_contracts.config import SessionConfig
from troupe_contracts.constants import AVATAR_MAX_BYTES, AVATAR_SIZE_PX

A = "/api/v1/agents"


def image(fmt: str, size: tuple[int, int] = (300, 200), **save: Any) -> bytes:
    picture = Image.new("RGB", size, (200, 40, 40))
    picture.paste((20, 90, 200), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    picture.save(out, format=fmt, **save)
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient, who: Caller, agent_id: str, body: Any, content_type: str
) -> httpx.Response:
    return await client.put(
        f"{A}/{agent_id}/avatar",
        content=body,
        headers={**who.headers, "Content-Type": content_type},
    )


def stored_key(agent: dict[str, Any]) -> str:
    token = agent["avatar_url"].rsplit("/", 1)[1]
    return avatar.storage_key(uuid.UUID(agent["organization_id"]), uuid.UUID(agent["id"]), token)


async def test_upload_normalises_to_a_square_webp_served_publicly(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings, Role.MEMBER)
    agent = await create_agent(client, me, "ava")
    assert agent["avatar_url"] is None
    exif = Image.Exif()
    exif[0x010E] = "secret location notes"  # ImageDescription
    jpeg = image("JPEG", (640, 480), exif=exif.tobytes())
    # The declared type is not trusted either way: a real JPEG labelled text/plain is accepted.
    response = await upload(client, me, agent["id"], jpeg, "text/plain")
    assert response.status_code == 200, response.text
    saved = response.json()
    url = saved["avatar_url"]
    assert url.startswith("/api/v1/avatars/") and len(url.rsplit("/", 1)[1]) == 32
    assert saved["version"] == agent["version"]  # not a new version of the definition
    assert (await client.get(f"{A}/{agent['id']}", headers=me.headers)).json()["avatar_url"] == url

    served = await client.get(url)  # no credentials: end users' session pages load it
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["x-content-type-options"] == "nosniff"
    picture = Image.open(io.BytesIO(served.content))
    assert picture.format == "WEBP" and picture.size == (AVATAR_SIZE_PX, AVATAR_SIZE_PX)
    assert b"secret location notes" not in served.content
    assert not picture.getexif()
    # Stored through the storage interface under the organization and the agent.
    key = stored_key(saved)
    assert key.startswith(f"avatars/{me.org.id}/{agent['id']}/")
    assert await get_storage(settings).read(key) == served.content

    for fmt in ("PNG", "WEBP"):
        again = await upload(client, me, agent["id"], image(fmt, (64, 64)), f"image/{fmt}")
        assert again.status_code == 200, (fmt, again.text)


async def test_the_type_comes_from_the_magic_bytes_not_the_content_type(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    agent = await create_agent(client, me, "ava")
    cases = {
        "gif": (image("GIF"), "unsupported_type"),
        "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', None),
        "html": (b"<html><script>alert(1)</script></html>", "unsupported_type"),
        "empty": (b"", "unsupported_type"),
        # PNG magic, then garbage: it must decode, not only start right.
        "fake png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "undecodable"),
        "riff not webp": (b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 64, "unsupported_type"),
        "too small": (image("PNG", (8, 8)), "dimensions"),
        # A few KB of PNG that would decode into 5000 x 20 pixels.
        "too wide": (image("PNG", (5000, 20)), "dimensions"),
    }
    for name, (body, reason) in cases.items():
        response = await upload(client, me, agent["id"], body, "image/png")
        assert response.status_code == 400, (name, response.text)
        error = response.json()["error"]
        assert error["code"] == "avatar_invalid", name
        assert error["details"]["reason"] == (reason or "unsupported_type"), name
    assert (await client.get(f"{A}/{agent['id']}", headers=me.headers)).json()["avatar_url"] is None


async def test_an_image_over_the_limit_is_refused(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    agent = await create_agent(client, me, "ava")
    big = image("PNG", (64, 64)) + b"\x00" * AVATAR_MAX_BYTES
    declared = await upload(client, me, agent["id"], big, "image/png")
    assert declared.status_code == 413, declared.text
    assert declared.json()["error"]["code"] == "payload_too_large"
    assert declared.json()["error"]["details"]["max_bytes"] == AVATAR_MAX_BYTES

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: stopped while streaming
        for i in range(0, len(big), 64 * 1024):
            yield big[i : i + 64 * 1024]

    streamed = await upload(client, me, agent["id"], chunks(), "image/png")
    assert streamed.status_code == 413, streamed.text
    assert streamed.json()["error"]["code"] == "payload_too_large"


async def test_replace_and_remove_delete_the_old_file(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    agent = await create_agent(client, me, "ava")
    storage = get_storage(settings)
    first = (await upload(client, me, agent["id"], image("PNG"), "image/png")).json()
    second = (await upload(client, me, agent["id"], image("JPEG"), "image/jpeg")).json()
    assert second["avatar_url"] != first["avatar_url"]
    assert (await client.get(first["avatar_url"])).status_code == 404
    assert not await storage.exists(stored_key(first))
    assert (await client.get(second["avatar_url"])).status_code == 200

    removed = await client.delete(f"{A}/{agent['id']}/avatar", headers=me.headers)
    assert removed.status_code == 200, removed.text
    assert removed.json()["avatar_url"] is None
    gone = await client.get(second["avatar_url"])
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "avatar_not_found"
    assert not await storage.exists(stored_key(second))
    again = await client.delete(f"{A}/{agent['id']}/avatar", headers=me.headers)
    assert again.status_code == 200  # removing none is not an error

    third = (await upload(client, me, agent["id"], image("PNG"), "image/png")).json()
    assert (await client.delete(f"{A}/{agent['id']}", headers=me.headers)).status_code == 204
    assert not await storage.exists(stored_key(third))  # the agent's deletion takes it along
    assert (await client.get(third["avatar_url"])).status_code == 404


async def test_a_duplicate_gets_its_own_copy_of_the_avatar(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    agent = await create_agent(client, me, "ava")
    original = (await upload(client, me, agent["id"], image("PNG"), "image/png")).json()
    storage = get_storage(settings)
    made = await client.post(
        f"{A}/{agent['id']}/duplicate", json={"slug": "ava_copy"}, headers=me.headers
    )
    assert made.status_code == 201, made.text
    copy = made.json()
    assert copy["avatar_url"] and copy["avatar_url"] != original["avatar_url"]
    assert stored_key(copy).startswith(f"avatars/{me.org.id}/{copy['id']}/")
    served = await client.get(copy["avatar_url"])
    assert served.status_code == 200
    assert served.content == await storage.read(stored_key(original))
    # Independent files: removing the original's avatar leaves the copy's.
    await client.delete(f"{A}/{agent['id']}/avatar", headers=me.headers)
    assert (await client.get(copy["avatar_url"])).status_code == 200

    plain = await create_agent(client, me, "max")
    twin = await client.post(
        f"{A}/{plain['id']}/duplicate", json={"slug": "max_copy"}, headers=me.headers
    )
    assert twin.status_code == 201 and twin.json()["avatar_url"] is None


async def test_other_organizations_and_viewers_cannot_change_it(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    agent = await create_agent(client, me, "ava")
    mine = (await upload(client, me, agent["id"], image("PNG"), "image/png")).json()
    other = await caller(db, settings)  # admin of another organization
    viewer = await caller(db, settings, Role.VIEWER, org=me.org)

    for who, status in ((other, 404), (viewer, 403)):
        put = await upload(client, who, agent["id"], image("JPEG"), "image/jpeg")
        assert put.status_code == status, put.text
        deleted = await client.delete(f"{A}/{agent['id']}/avatar", headers=who.headers)
        assert deleted.status_code == status, deleted.text
    hidden = await client.get(f"{A}/{agent['id']}", headers=other.headers)
    assert hidden.status_code == 404
    # Still the owner's image, unchanged.
    current = (await client.get(f"{A}/{agent['id']}", headers=me.headers)).json()
    assert current["avatar_url"] == mine["avatar_url"]
    assert (await client.get(mine["avatar_url"])).status_code == 200

    # The other organization's own agent with the same slug has its own, separate avatar.
    theirs = await create_agent(client, other, "ava")
    assert theirs["avatar_url"] is None
    put = await upload(client, other, theirs["id"], image("PNG", (50, 50)), "image/png")
    assert stored_key(put.json()).startswith(f"avatars/{other.org.id}/")
    # Guessed or malformed tokens find nothing.
    for token in ("x" * 32, "../" * 10 + "ab", str(uuid.uuid4())):
        missing = await client.get(f"/api/v1/avatars/{token}")
        assert missing.status_code == 404, token


async def test_the_session_config_carries_each_agents_avatar_url(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, session = await make_published_session(db)
    me = await caller(db, settings, org=org)
    agents = {a["slug"]: a for a in (await client.get(A, headers=me.headers)).json()["items"]}
    url = f"/api/v1/runtime/session-config/{session.id}"
    before = SessionConfig.model_validate((await client.get(url, headers=runtime_headers)).json())
    assert before.agent("ava").avatar_url is None

    saved = (await upload(client, me, agents["ava"]["id"], image("PNG"), "image/png")).json()
    config = SessionConfig.model_validate((await client.get(url, headers=runtime_headers)).json())
    assert config.agent("ava").avatar_url == saved["avatar_url"]
    assert config.agent("max").avatar_url is None

"""Recordings: the storage interface (local + S3 presign), signed download URLs, the runtime
upload, per-organization listing, and deletion by the retention job."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from api_factories import (
    bearer_for,
    make_org,
    make_published_session,
    make_user,
)
from obstore.store import S3Store
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.core.storage import Storage, build_store, get_storage
from troupe_api.deployments.models import Deployment
from troupe_api.jobs import tasks
from troupe_api.organizations.models import Organization, Role
from troupe_api.recordings.models import Recording
from troupe_api.sessions.models import Session

from tests.localhost import free_port

OGG = b"OggS" + bytes(range(256)) * 40


def _local(tmp_path: Path) -> Storage:
    settings = Settings(TROUPE_DATA_DIR=str(tmp_path), TROUPE_STORAGE_URL="")
    return Storage(build_store(settings), signing_key=b"k" * 32, public_api_url="http://api")


async def test_local_store_puts_reads_and_deletes_under_the_data_dir(tmp_path: Path) -> None:
    storage = _local(tmp_path)
    await storage.put("recordings/o/s/mixed.ogg", OGG, content_type="audio/ogg")
    assert (tmp_path / "storage/recordings/o/s/mixed.ogg").read_bytes() == OGG
    assert await storage.read("recordings/o/s/mixed.ogg") == OGG
    assert b"".join([c async for c in storage.stream("recordings/o/s/mixed.ogg")]) == OGG
    assert await storage.exists("recordings/o/s/mixed.ogg")
    await storage.delete("recordings/o/s/mixed.ogg")
    assert not await storage.exists("recordings/o/s/mixed.ogg")
    await storage.delete("recordings/o/s/mixed.ogg")  # deleting twice is not an error


async def test_local_signatures_cover_key_and_expiry_and_expire(tmp_path: Path) -> None:
    storage = _local(tmp_path)
    signed = await storage.signed_url("recordings/a.ogg", ttl_s=60, now=1000.0)
    parts = urlsplit(signed.url)
    assert parts.netloc == "api" and parts.path == "/api/v1/files"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["key"] == "recordings/a.ogg" and int(query["expires"]) == 1060
    sig = query["sig"]
    assert storage.verify_local("recordings/a.ogg", 1060, sig, now=1059.0)
    assert not storage.verify_local("recordings/a.ogg", 1060, sig, now=1061.0)  # expired
    assert not storage.verify_local("recordings/b.ogg", 1060, sig, now=1000.0)  # other key
    assert not storage.verify_local("recordings/a.ogg", 9999, sig, now=1000.0)  # longer expiry
    assert not storage.verify_local("recordings/a.ogg", 1060, sig[:-2] + "AA", now=1000.0)
    other = Storage(storage.store, signing_key=b"x" * 32, public_api_url="http://api")
    assert not other.verify_local("recordings/a.ogg", 1060, sig, now=1000.0)  # other key


async def test_s3_store_presigns_get_urls_offline() -> None:
    settings = Settings(
        TROUPE_STORAGE_URL="s3://troupe-recordings",
        TROUPE_STORAGE_S3_ENDPOINT="http://127.0.0.1:9",
        TROUPE_STORAGE_S3_ACCESS_KEY_ID="AKIDEXAMPLE",
        TROUPE_STORAGE_S3_SECRET_ACCESS_KEY="secret-example",
    )
    store = build_store(settings)
    assert isinstance(store, S3Store)
    storage = Storage(store, signing_key=b"k" * 32, public_api_url="http://api")
    assert storage.presigns
    signed = await storage.signed_url("recordings/o/s/mixed.ogg", ttl_s=120)
    parts = urlsplit(signed.url)
    query = parse_qs(parts.query)
    assert parts.netloc == "127.0.0.1:9"
    assert parts.path == "/troupe-recordings/recordings/o/s/mixed.ogg"
    assert query["X-Amz-Expires"] == ["120"] and query["X-Amz-Signature"][0]


@pytest.fixture
def s3_server() -> Iterator[str]:
    """An S3-protocol HTTP server on loopback (moto's standalone server, in-memory buckets):
    the storage interface talks to it over HTTP as to MinIO or AWS. It does not check
    signatures; the presigned URL's shape is asserted in the offline test above."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


async def test_s3_store_round_trip_and_presigned_download(s3_server: str) -> None:
    async with httpx.AsyncClient() as http:  # create the bucket (S3 CreateBucket)
        created = await http.put(f"{s3_server}/troupe-recordings")
        assert created.status_code == 200, created.text
    settings = Settings(
        TROUPE_STORAGE_URL="s3://troupe-recordings/prod",
        TROUPE_STORAGE_S3_ENDPOINT=s3_server,
        TROUPE_STORAGE_S3_REGION="us-east-1",
        TROUPE_STORAGE_S3_ACCESS_KEY_ID="AKIDEXAMPLE",
        TROUPE_STORAGE_S3_SECRET_ACCESS_KEY="secret-example",
    )
    storage = Storage(build_store(settings), signing_key=b"k" * 32, public_api_url="http://api")
    key = "recordings/o/s/mixed.ogg"
    body = b"OggS" + bytes(range(256)) * 40
    await storage.put(key, body, content_type="audio/ogg")
    assert await storage.exists(key)
    assert await storage.read(key) == body
    assert b"".join([chunk async for chunk in storage.stream(key)]) == body

    signed = await storage.signed_url(key, ttl_s=120)
    assert urlsplit(signed.url).path == "/troupe-recordings/prod/" + key
    async with httpx.AsyncClient() as http:
        download = await http.get(signed.url)
        assert download.status_code == 200 and download.content == body

    await storage.delete(key)
    assert not await storage.exists(key)


def test_an_unknown_storage_url_is_refused() -> None:
    with pytest.raises(ValueError, match="TROUPE_STORAGE_URL"):
        build_store(Settings(TROUPE_STORAGE_URL="ftp://x"))


@pytest.fixture(autouse=True)
def _private_storage(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of this module's tests go to a temporary folder, not the shared data dir."""
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    monkeypatch.setattr(settings, "storage_url", "")


async def _recorded_session(db: AsyncSession) -> tuple[Organization, Session]:
    return await make_published_session(
        db, record_audio=True, recording_consent_text="We record this call for training."
    )


async def test_upload_list_download_and_org_scoping(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, session = await _recorded_session(db)
    upload = f"/api/v1/runtime/sessions/{session.id}/recordings"
    ogg = {"Content-Type": "audio/ogg"}
    assert (await client.put(f"{upload}/mixed?duration_ms=1", content=OGG)).status_code == 401
    bad = await client.put(
        f"{upload}/mixed?duration_ms=1", content=b"RIFFxxxx", headers={**runtime_headers, **ogg}
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "recording_invalid"
    unknown = await client.put(
        f"/api/v1/runtime/sessions/{uuid.uuid4()}/recordings/mixed?duration_ms=1",
        content=OGG,
        headers={**runtime_headers, **ogg},
    )
    assert unknown.status_code == 404
    for kind, duration in (("mixed", 5000), ("user", 5000), ("agent", 4990), ("mixed", 5010)):
        stored = await client.put(
            f"{upload}/{kind}?duration_ms={duration}",
            content=OGG + kind.encode(),
            headers={**runtime_headers, **ogg},
        )
        assert stored.status_code == 200, stored.text
        assert stored.json() == {
            "kind": kind,
            "size_bytes": len(OGG) + len(kind),
            "duration_ms": duration,
        }

    viewer = await bearer_for(db, settings, await make_user(db, org, Role.VIEWER))
    listed = await client.get(f"/api/v1/sessions/{session.id}/recordings", headers=viewer)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [i["kind"] for i in items] == ["mixed", "user", "agent"]
    assert items[0]["duration_ms"] == 5010  # the retried upload replaced the first
    assert items[0]["size_bytes"] == len(OGG) + len("mixed")

    # The signed URL is the only credential the download needs.
    url = urlsplit(items[0]["url"])
    got = await client.get(f"{url.path}?{url.query}")
    assert got.status_code == 200 and got.content == OGG + b"mixed"
    assert got.headers["content-type"] == "audio/ogg"

    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    forged = {**query, "key": query["key"].replace("mixed", "user")}
    expired_at = int(time.time()) - 5
    storage = get_storage(settings)
    expired = {
        **query,
        "expires": str(expired_at),
        "sig": storage._sign(query["key"], expired_at),
    }
    for bad_query in (forged, expired, {**query, "sig": "A" * 43}):
        refused = await client.get(f"{url.path}?{urlencode(bad_query)}")
        assert refused.status_code == 403, bad_query
        assert refused.json()["error"]["code"] == "download_link_invalid"

    other_org = await make_org(db, "Other")
    other = await bearer_for(db, settings, await make_user(db, other_org, Role.ADMIN))
    denied = await client.get(f"/api/v1/sessions/{session.id}/recordings", headers=other)
    assert denied.status_code == 404
    assert str(session.id) not in denied.text


async def test_session_config_and_start_carry_the_consent_text(
    client: httpx.AsyncClient, db: AsyncSession, runtime_headers: dict[str, str]
) -> None:
    _, session = await _recorded_session(db)
    config = await client.get(
        f"/api/v1/runtime/session-config/{session.id}", headers=runtime_headers
    )
    assert config.status_code == 200, config.text
    assert config.json()["record_audio"] is True
    assert config.json()["recording_consent_text"] == "We record this call for training."
    deployment = await db.get(Deployment, session.deployment_id)
    assert deployment is not None
    info = await client.get(f"/api/v1/embed/{deployment.embed_key}")
    assert info.status_code == 200, info.text
    assert info.json()["recording"] == {
        "enabled": True,
        "consent_text": "We record this call for training.",
    }


async def test_retention_deletes_recording_files_and_rows(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, session = await _recorded_session(db)
    stored = await client.put(
        f"/api/v1/runtime/sessions/{session.id}/recordings/mixed?duration_ms=10",
        content=OGG,
        headers={**runtime_headers, "Content-Type": "audio/ogg"},
    )
    assert stored.status_code == 200
    storage = get_storage(settings)
    key = (await db.scalars(select(Recording.storage_key))).all()
    key = [k for k in key if str(session.id) in k]
    assert len(key) == 1 and await storage.exists(key[0])

    # Not old enough yet: kept.
    await tasks.purge_expired_session_data(db=db, storage=storage)
    assert await storage.exists(key[0])
    later = datetime.now(UTC) + timedelta(days=org.retention_days + 1)
    result = await tasks.purge_expired_session_data(db=db, storage=storage, now=later)
    assert result.recordings >= 1
    assert not await storage.exists(key[0])
    left = await db.scalars(select(Recording).where(Recording.session_id == session.id))
    assert left.all() == []

"""One storage interface for files (recordings today), over obstore: the local filesystem by
default, any S3-compatible store by configuration (``TROUPE_STORAGE_URL``).

Download links are short-lived signed URLs: an S3 presigned GET on S3, and for the local store
an API URL carrying an expiry and an HMAC over (key, expiry) that ``verify_local`` checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import LocalStore, MemoryStore, S3Store

from troupe_api.core.settings import Settings

LOCAL_DOWNLOAD_PATH = "/api/v1/files"
"""Route of the API's signed download endpoint for the local store."""


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: int  # epoch seconds


class Storage:
    """Put, read, delete and sign objects by key (``a/b/c.ext``; no leading slash)."""

    def __init__(
        self,
        store: LocalStore | S3Store | MemoryStore,
        *,
        signing_key: bytes,
        public_api_url: str,
    ) -> None:
        self.store = store
        self._key = signing_key
        self._api_url = public_api_url.rstrip("/")

    @property
    def presigns(self) -> bool:
        """True when the store signs its own URLs (S3); else the API serves signed downloads."""
        return isinstance(self.store, S3Store)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        attributes: Any = {"Content-Type": content_type}
        if isinstance(self.store, LocalStore):
            # The local filesystem keeps no attributes; the recording row has the type.
            await obstore.put_async(self.store, key, data)
        else:
            await obstore.put_async(self.store, key, data, attributes=attributes)

    async def read(self, key: str) -> bytes:
        result = await obstore.get_async(self.store, key)
        return bytes(await result.bytes_async())

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        result = await obstore.get_async(self.store, key)
        async for chunk in result.stream():
            yield bytes(chunk)

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self.store, key)
        except (FileNotFoundError, NotFoundError):
            return False
        return True

    async def delete(self, key: str) -> None:
        """Delete one object; a missing one is not an error (deletes are retried)."""
        try:
            await obstore.delete_async(self.store, key)
        except (FileNotFoundError, NotFoundError):
            return

    async def signed_url(self, key: str, *, ttl_s: int, now: float | None = None) -> SignedUrl:
        expires_at = int((now if now is not None else time.time()) + ttl_s)
        if isinstance(self.store, S3Store):
            url = await obstore.sign_async(self.store, "GET", key, timedelta(seconds=ttl_s))
            return SignedUrl(url=url, expires_at=expires_at)
        query = urlencode({"key": key, "expires": expires_at, "sig": self._sign(key, expires_at)})
        return SignedUrl(url=f"{self._api_url}{LOCAL_DOWNLOAD_PATH}?{query}", expires_at=expires_at)

    def _sign(self, key: str, expires_at: int) -> str:
        mac = hmac.new(self._key, f"{key}\n{expires_at}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def verify_local(
        self, key: str, expires_at: int, sig: str, *, now: float | None = None
    ) -> bool:
        """True when ``sig`` is this API's signature of (key, expiry) and the expiry is ahead."""
        if expires_at < (now if now is not None else time.time()):
            return False
        # Bytes: compare_digest refuses non-ASCII str (a forged link must be a 403, not a 500).
        return hmac.compare_digest(self._sign(key, expires_at).encode(), sig.encode())


def signing_key(settings: Settings) -> bytes:
    """A key for download URLs derived from the encryption key (its own purpose label, so a
    signature made here is useless anywhere else)."""
    return hmac.new(
        settings.encryption_key.encode(), b"troupe.storage.signed-url.v1", hashlib.sha256
    ).digest()


def build_store(settings: Settings) -> LocalStore | S3Store:
    url = settings.storage_url.strip()
    if url.startswith("s3://"):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        config: dict[str, Any] = {"region": settings.storage_s3_region}
        client_options: dict[str, Any] = {}
        if settings.storage_s3_endpoint:
            config["endpoint"] = settings.storage_s3_endpoint
            config["virtual_hosted_style_request"] = False
            client_options["allow_http"] = settings.storage_s3_endpoint.startswith("http://")
        if settings.storage_s3_access_key_id:
            config["access_key_id"] = settings.storage_s3_access_key_id
            config["secret_access_key"] = settings.storage_s3_secret_access_key
        return S3Store(
            bucket,
            prefix=prefix.strip("/") or None,
            config=config,  # type: ignore[arg-type]
            client_options=client_options,  # type: ignore[arg-type]
        )
    if url.startswith("file://"):
        root = Path(url.removeprefix("file://"))
    elif url:
        raise ValueError("TROUPE_STORAGE_URL must be empty, file:///path or s3://bucket[/prefix]")
    else:
        root = settings.data_dir / "storage"
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    return LocalStore(root, mkdir=True)


_storages: dict[tuple[str, ...], Storage] = {}


def get_storage(settings: Settings) -> Storage:
    """The storage these settings describe, built once per distinct configuration."""
    fingerprint = (
        settings.storage_url,
        settings.storage_s3_endpoint,
        settings.storage_s3_region,
        settings.storage_s3_access_key_id,
        settings.storage_s3_secret_access_key,
        str(settings.data_dir),
        settings.encryption_key,
        settings.api_url,
    )
    storage = _storages.get(fingerprint)
    if storage is None:
        storage = Storage(
            build_store(settings),
            signing_key=signing_key(settings),
            public_api_url=settings.api_url,
        )
        _storages[fingerprint] = storage
    return storage

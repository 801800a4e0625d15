"""The config cache is read first: the config the API primed when it started the session is
taken from Redis with no API call; it serves one job only (a restarted job or a late dispatch
asks the API); a change (invalidation) or a mismatched entry sends the runtime to the API."""

import asyncio
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from support.configs import session_config
from troupe_agent.api_client import ApiError
from troupe_agent.config_store import ConfigStore, ConfigUnavailable
from troupe_contracts import PROTOCOL_VERSION
from troupe_contracts.config import SessionConfig
from troupe_contracts.config_cache import START_TTL_S, dependencies, deps_key, start_key
from troupe_contracts.session import ModalityProfile, TokenMetadata


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[Any]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (scripts/install.sh installs it)")
    import redis.asyncio as aioredis

    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        "redis-server",
        *("--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)),
        stdout=subprocess.DEVNULL,
    )
    client = aioredis.from_url(f"redis://127.0.0.1:{port}")
    try:
        for _ in range(100):
            try:
                await client.ping()
                break
            except Exception:
                await asyncio.sleep(0.05)
        yield client
    finally:
        await client.aclose()
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 5)


class CountingApi:
    def __init__(self, config: SessionConfig | None = None, error: ApiError | None = None) -> None:
        self.config, self.error, self.calls = config, error, 0

    async def session_config(self, session_id: UUID) -> SessionConfig:
        self.calls += 1
        if self.error is not None:
            raise self.error
        assert self.config is not None
        return self.config.model_copy(update={"session_id": session_id})


def _metadata(config: SessionConfig) -> TokenMetadata:
    return TokenMetadata(
        protocol_version=PROTOCOL_VERSION,
        session_id=config.session_id,
        organization_id=config.organization_id,
        template_id=config.template_id,
        user_id="u1",
        modality_profile=ModalityProfile.AUDIO,
    )


async def _prime(redis: Any, config: SessionConfig) -> None:
    """What the API does when it starts a session (troupe_api.core.config_events)."""
    key = start_key(config.session_id)
    await redis.set(key, config.model_dump_json(), ex=START_TTL_S)
    for dep in dependencies(config):
        await redis.sadd(deps_key(dep), key)


def _templated() -> SessionConfig:
    return session_config().model_copy(update={"template_id": uuid4()})


async def test_a_primed_config_is_read_without_asking_the_api(redis: Any) -> None:
    config = _templated()
    await _prime(redis, config)
    api = CountingApi(error=ApiError("the API must not be asked", status_code=500))
    store = ConfigStore(api, redis)

    loaded = await store.load(_metadata(config))
    assert loaded == config
    assert api.calls == 0 and store.source == "start_cache"
    # Taken: one job only. The next load of this session (a restarted job) asks the API.
    assert await redis.exists(start_key(config.session_id)) == 0
    answering = CountingApi(config)
    again = ConfigStore(answering, redis)
    assert (await again.load(_metadata(config))).session_id == config.session_id
    assert answering.calls == 1 and again.source == "api"


async def test_a_late_dispatch_of_an_ended_session_is_refused_by_the_api(redis: Any) -> None:
    config = _templated()
    await _prime(redis, config)
    await ConfigStore(CountingApi(config), redis).load(_metadata(config))  # the first job
    ended = ConfigStore(CountingApi(error=ApiError("session_ended", status_code=409)), redis)
    with pytest.raises(ConfigUnavailable, match="refused"):
        await ended.load(_metadata(config))


async def test_an_invalidated_primed_config_is_not_used(redis: Any) -> None:
    config = _templated()
    await _prime(redis, config)
    store = ConfigStore(CountingApi(config), redis)
    assert await store.invalidate(str(config.agents[0].id)) >= 1  # an agent changed

    api = CountingApi(config)
    fresh = ConfigStore(api, redis)
    await fresh.load(_metadata(config))
    assert api.calls == 1 and fresh.source == "api"


async def test_a_primed_config_of_another_session_or_broken_goes_to_the_api(redis: Any) -> None:
    config = _templated()
    other = config.model_copy(update={"session_id": uuid4()})
    await redis.set(start_key(config.session_id), other.model_dump_json())
    api = CountingApi(config)
    store = ConfigStore(api, redis)
    await store.load(_metadata(config))
    assert api.calls == 1 and store.source == "api"

    await redis.set(start_key(config.session_id), b"{not json")
    api = CountingApi(config)
    store = ConfigStore(api, redis)
    await store.load(_metadata(config))
    assert api.calls == 1 and store.source == "api"


async def test_without_redis_the_api_is_asked() -> None:
    config = _templated()
    api = CountingApi(config)
    store = ConfigStore(api, None)
    assert await store.load(_metadata(config)) == config
    assert api.calls == 1 and store.source == "api"

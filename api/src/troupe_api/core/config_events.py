"""The runtime's session-config cache, from the API's side (keys in
``troupe_contracts.config_cache``).

- ``prime_session_config``: a started session's resolved config is written to its one-use
  ``start`` entry, so the runtime's first job reads it from Redis instead of asking the API.
- ``publish_invalidations``: after a change of agents or session templates commits, the
  cached entries built from them are deleted here and their ids go out on
  ``CONFIG_INVALIDATE_CHANNEL`` (runtimes delete what they list too). A Redis outage loses the
  hint (entries also expire), never the request."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.config import SessionConfig
from troupe_contracts.config_cache import (
    START_TTL_S,
    TEMPLATE_TTL_S,
    dependencies,
    deps_key,
    start_key,
)
from troupe_contracts.constants import CONFIG_INVALIDATE_CHANNEL

from troupe_api.core.logging import get_logger

log = get_logger(__name__)

_PRIMES = "troupe_config_primes"


async def prime_session_config(redis: Redis, config: SessionConfig) -> bool:
    """Cache a just-started session's config for its first runtime job; False on a Redis
    error (the runtime then asks the API, as on any miss)."""
    key = start_key(config.session_id)
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.set(key, config.model_dump_json(), ex=START_TTL_S)
            for dep in dependencies(config):
                pipe.sadd(deps_key(dep), key)
                pipe.expire(deps_key(dep), TEMPLATE_TTL_S)
            await pipe.execute()
    except RedisError as exc:
        log.warning("config_prime_failed", session_id=str(config.session_id), error=str(exc))
        return False
    return True


def defer_prime(db: AsyncSession, config: SessionConfig) -> None:
    """Prime ``config`` once the session's transaction committed (``flush_primes``)."""
    db.info.setdefault(_PRIMES, []).append(config)


async def flush_primes(db: AsyncSession, redis: Redis) -> int:
    """Write the configs ``defer_prime`` held; call after the commit. Returns how many."""
    configs: list[SessionConfig] = db.info.pop(_PRIMES, [])
    return sum([await prime_session_config(redis, config) for config in configs])


async def drop_cached(redis: Redis, config_id: uuid.UUID) -> int:
    """Delete every cached config built from this agent or template; returns how many."""
    members = await redis.smembers(deps_key(str(config_id)))
    keys = [k.decode() if isinstance(k, bytes) else str(k) for k in members]
    await redis.delete(*keys, deps_key(str(config_id)))
    return len(keys)


async def publish_invalidations(redis: Redis, ids: Iterable[uuid.UUID]) -> None:
    for config_id in dict.fromkeys(ids):
        try:
            await drop_cached(redis, config_id)
            await redis.publish(CONFIG_INVALIDATE_CHANNEL, str(config_id))
        except RedisError as exc:
            log.warning("config_invalidation_failed", config_id=str(config_id), error=str(exc))

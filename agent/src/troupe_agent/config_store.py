"""Loading a session's config: the Redis cache first, the API on a miss.

Keys and their lifetimes are in ``troupe_contracts.config_cache``. Order of reads:

1. The session's ``start`` entry, written by the API when it started the session, taken with
   ``GETDEL``: a hit needs no API call (the first job of every session, normally). It is one
   use only, so a restarted job or a late dispatch of an ended session asks the API (which
   refuses an ended session).
2. The API. Its answer is cached as the session's entry and the template's last config.
3. When the API is unreachable (transport errors, 5xx after retries): this session's cached
   config, else the template's last config re-addressed to this session (session id,
   organisation, modality and panels come from the dispatch metadata), else
   ``ConfigUnavailable``: the worker apologises and leaves (the default when neither answers).

A 4xx or a config that fails validation never falls back: it is a bug to surface, not an outage
to ride out. Invalidation: the API deletes the entries built from a changed agent or template
and publishes its id on ``CONFIG_INVALIDATE_CHANNEL``; every worker also subscribes
(``run_invalidation``) and deletes the keys listed under that id."""

import asyncio
import contextlib
from typing import Any, Protocol
from uuid import UUID

from pydantic import ValidationError
from troupe_contracts import CONFIG_INVALIDATE_CHANNEL
from troupe_contracts.config import SessionConfig
from troupe_contracts.config_cache import (
    CACHE_VERSION,
    PREFIX,
    SESSION_TTL_S,
    TEMPLATE_TTL_S,
    dependencies,
    deps_key,
    session_key,
    start_key,
    template_key,
)
from troupe_contracts.session import TokenMetadata

from troupe_agent.api_client import ApiError
from troupe_agent.logging import get_logger

log = get_logger(__name__)

__all__ = [
    "CACHE_VERSION",
    "PREFIX",
    "ConfigSource",
    "ConfigStore",
    "ConfigUnavailable",
    "deps_key",
    "session_key",
    "start_key",
    "template_key",
    "validate_config",
]


class ConfigUnavailable(RuntimeError):
    """No usable config: the user hears an apology and the job ends."""


class ConfigSource(Protocol):
    async def session_config(self, session_id: UUID) -> SessionConfig: ...


def validate_config(config: SessionConfig) -> None:
    """Checks the contract cannot express: the initial agent and every handoff target exist,
    slugs are unique. Raises ``ValueError``."""
    slugs = [a.slug for a in config.agents]
    if not slugs:
        raise ValueError("the session has no agents")
    if len(set(slugs)) != len(slugs):
        raise ValueError("agent slugs are not unique")
    if config.initial_agent not in slugs:
        raise ValueError(f"initial agent {config.initial_agent!r} is not among the agents")
    for agent in config.agents:
        for target in agent.handoffs:
            if target.agent not in slugs:
                raise ValueError(f"{agent.slug} hands off to unknown agent {target.agent!r}")


class ConfigStore:
    def __init__(self, api: ConfigSource, redis: Any | None) -> None:
        """``redis``: a ``redis.asyncio.Redis`` (or None to run without a cache)."""
        self._api = api
        self._redis = redis
        self.source: str | None = None
        """Where the last config came from: start_cache, api, session_cache or
        template_cache."""

    async def load(self, metadata: TokenMetadata) -> SessionConfig:
        primed = await self._primed(metadata)
        if primed is not None:
            self.source = "start_cache"
            await self._store(primed)
            return primed
        try:
            config = await self._api.session_config(metadata.session_id)
        except ApiError as e:
            if e.status_code is not None and e.status_code < 500:
                raise ConfigUnavailable(f"the API refused the config: {e}") from e
            log.warning("API unreachable; trying the config cache", error=str(e))
            cached = await self._fallback(metadata)
            if cached is None:
                raise ConfigUnavailable(f"the API is unreachable and nothing is cached: {e}") from e
            validate_config(cached)
            return cached
        except ValidationError as e:
            raise ConfigUnavailable(
                f"the API sent an invalid config: {e.error_count()} errors"
            ) from e
        try:
            validate_config(config)
        except ValueError as e:
            raise ConfigUnavailable(f"invalid config: {e}") from e
        self.source = "api"
        await self._store(config)
        return config

    async def _get(self, key: str) -> SessionConfig | None:
        if self._redis is None:
            return None
        try:
            raw = await self._redis.get(key)
        except Exception as e:
            log.warning("config cache unavailable", error=str(e))
            return None
        if raw is None:
            return None
        try:
            return SessionConfig.model_validate_json(raw)
        except ValidationError:
            log.warning("dropping an unreadable cached config", key=key)
            with contextlib.suppress(Exception):
                await self._redis.delete(key)
            return None

    async def _primed(self, metadata: TokenMetadata) -> SessionConfig | None:
        """The config the API cached when it started this session (taken: one use only)."""
        if self._redis is None:
            return None
        key = start_key(metadata.session_id)
        try:
            raw = await self._redis.getdel(key)
        except Exception as e:
            log.warning("config cache unavailable", error=str(e))
            return None
        if raw is None:
            return None
        try:
            config = SessionConfig.model_validate_json(raw)
            if (config.session_id, config.organization_id) != (
                metadata.session_id,
                metadata.organization_id,
            ):
                raise ValueError("the cached config is another session's")
            validate_config(config)
        except (ValidationError, ValueError) as e:
            log.warning("ignoring the cached start config; asking the API", error=str(e))
            return None
        return config

    async def _fallback(self, metadata: TokenMetadata) -> SessionConfig | None:
        config = await self._get(session_key(metadata.session_id))
        if config is not None:
            self.source = "session_cache"
            return config
        if metadata.template_id is None:
            return None
        config = await self._get(template_key(metadata.template_id))
        if config is None or config.organization_id != metadata.organization_id:
            return None
        self.source = "template_cache"
        return config.model_copy(
            update={
                "session_id": metadata.session_id,
                "modality_profile": metadata.modality_profile,
                "enabled_panels": list(metadata.enabled_panels),
            }
        )

    async def _store(self, config: SessionConfig) -> None:
        if self._redis is None:
            return
        payload = config.model_dump_json()
        keys = [(session_key(config.session_id), SESSION_TTL_S)]
        if config.template_id is not None:
            keys.append((template_key(config.template_id), TEMPLATE_TTL_S))
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, ttl in keys:
                    pipe.set(key, payload, ex=ttl)
                for dep in dependencies(config):
                    pipe.sadd(deps_key(dep), *[k for k, _ in keys])
                    pipe.expire(deps_key(dep), TEMPLATE_TTL_S)
                await pipe.execute()
        except Exception as e:
            log.warning("could not cache the session config", error=str(e))

    async def invalidate(self, dependency_id: str) -> int:
        """Delete every cached config built from this agent or template; returns how many."""
        if self._redis is None:
            return 0
        keys = await self._redis.smembers(deps_key(dependency_id))
        keys = [k.decode() if isinstance(k, bytes) else k for k in keys]
        if keys:
            await self._redis.delete(*keys)
        await self._redis.delete(deps_key(dependency_id))
        log.info("config cache invalidated", id=dependency_id, keys=len(keys))
        return len(keys)

    async def run_invalidation(self, ready: asyncio.Event | None = None) -> None:
        """Follow ``CONFIG_INVALIDATE_CHANNEL`` until cancelled."""
        if self._redis is None:
            return
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(CONFIG_INVALIDATE_CHANNEL)
        if ready is not None:
            ready.set()
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                data = message["data"]
                text = data.decode() if isinstance(data, bytes) else str(data)
                try:
                    await self.invalidate(text.strip())
                except Exception as e:
                    log.warning("config invalidation failed", error=str(e))
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(CONFIG_INVALIDATE_CHANNEL)
                await pubsub.aclose()

"""Tell agent runtimes a configuration changed: the id of the changed agent or session
template goes out on ``CONFIG_INVALIDATE_CHANNEL``. Publish only after the commit; a Redis
outage loses the hint (runtimes also expire their cache), never the request."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError
from troupe_contracts.constants import CONFIG_INVALIDATE_CHANNEL

from troupe_api.core.logging import get_logger

log = get_logger(__name__)


async def publish_invalidations(redis: Redis, ids: Iterable[uuid.UUID]) -> None:
    for config_id in dict.fromkeys(ids):
        try:
            await redis.publish(CONFIG_INVALIDATE_CHANNEL, str(config_id))
        except RedisError as exc:
            log.warning("config_invalidation_failed", config_id=str(config_id), error=str(exc))

"""Redis-backed rate limiting on the ``limits`` library (moving window), with the standard
``RateLimit-*`` headers and ``Retry-After`` on 429."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from troupe_api.core.errors import RateLimited
from troupe_api.core.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class RateLimitStatus:
    limit: int
    remaining: int
    reset_after_s: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after_s),
        }


class RateLimiter:
    def __init__(self, redis_url: str, *, prefix: str) -> None:
        uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
        self._storage = RedisStorage(uri, implementation="redispy", key_prefix=prefix)
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def hit(self, limit: str, *identifiers: str) -> RateLimitStatus | None:
        """Count one request; raise ``RateLimited`` when over ``limit`` (e.g. ``"10/minute"``).

        Fails open (returns None, logs) when Redis is unreachable: an outage of the limiter
        must not take session start down with it."""
        item: RateLimitItem = parse(limit)
        try:
            allowed = await self._limiter.hit(item, *identifiers)
            reset_at, remaining = await self._limiter.get_window_stats(item, *identifiers)
        except Exception:
            log.exception("rate_limiter_unavailable", scope=identifiers[0] if identifiers else "")
            return None
        status = RateLimitStatus(
            limit=item.amount,
            remaining=max(remaining, 0),
            reset_after_s=max(math.ceil(reset_at - time.time()), 0),
        )
        if not allowed:
            retry_after = max(status.reset_after_s, 1)
            raise RateLimited(
                details={"limit": limit, "retry_after_s": retry_after},
                headers={**status.headers(), "Retry-After": str(retry_after)},
            )
        return status

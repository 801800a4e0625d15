"""Readiness: really talk to every backing service, each under a short timeout, concurrently."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from livekit import api as lk
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from troupe_api.health.schemas import DependencyStatus, Readiness


async def _timed(check: Callable[[], Awaitable[object]], timeout_s: float) -> DependencyStatus:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), timeout=timeout_s)
    except TimeoutError:
        error: str | None = f"timed out after {timeout_s:g}s"
    except Exception as exc:  # any failure means "not ready"; the message says which
        error = f"{type(exc).__name__}: {exc}"[:300]
    else:
        error = None
    latency = round((time.perf_counter() - started) * 1000, 2)
    return DependencyStatus(status="error" if error else "ok", latency_ms=latency, error=error)


async def readiness(
    *, engine: AsyncEngine, redis: Redis, livekit: lk.LiveKitAPI, timeout_s: float
) -> Readiness:
    async def postgres() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def redis_ping() -> None:
        await redis.ping()

    async def livekit_rooms() -> None:
        await livekit.room.list_rooms(lk.ListRoomsRequest())

    results = await asyncio.gather(
        _timed(postgres, timeout_s), _timed(redis_ping, timeout_s), _timed(livekit_rooms, timeout_s)
    )
    checks = dict(zip(("postgres", "redis", "livekit"), results, strict=True))
    ok = all(c.status == "ok" for c in checks.values())
    return Readiness(status="ok" if ok else "error", checks=checks)

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from troupe_api.deps import RedisDep, SettingsDep
from troupe_api.health import service
from troupe_api.health.schemas import Liveness, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", name="liveness", response_model=Liveness)
async def liveness() -> Liveness:
    """The process is up. No I/O."""
    return Liveness()


@router.get(
    "/readyz",
    name="readiness",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A backing service is not ready."}},
)
async def readiness(
    request: Request, response: Response, settings: SettingsDep, redis: RedisDep
) -> Readiness:
    """PostgreSQL (SELECT 1), Redis (PING) and LiveKit (ListRooms), each with a short timeout."""
    result = await service.readiness(
        engine=request.app.state.engine,
        redis=redis,
        livekit=request.app.state.livekit,
        timeout_s=settings.readiness_timeout_s,
    )
    if result.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return result

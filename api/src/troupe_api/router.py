"""All routers, mounted under /api/v1 by the app factory."""

from fastapi import APIRouter

from troupe_api.health.router import router as health_router
from troupe_api.runtime.router import router as runtime_router
from troupe_api.sessions.router import router as sessions_router
from troupe_api.webhooks.router import router as webhooks_router

api_router = APIRouter()
api_router.include_router(health_router)
api_router.include_router(sessions_router)
api_router.include_router(runtime_router)
api_router.include_router(webhooks_router)

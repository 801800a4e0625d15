"""App factory: ``uvicorn troupe_api.main:app`` or ``troupe-api serve``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from redis.asyncio import Redis

from troupe_api.core.db import create_engine, create_session_factory
from troupe_api.core.error_handlers import install_error_handlers
from troupe_api.core.errors import TroupeError
from troupe_api.core.livekit import create_livekit_api
from troupe_api.core.logging import configure_logging, get_logger
from troupe_api.core.middleware import (
    REQUEST_ID_HEADER,
    BodySizeLimitMiddleware,
    CatchAllMiddleware,
    RequestContextMiddleware,
)
from troupe_api.core.ratelimit import RateLimiter
from troupe_api.core.schemas import ErrorResponse
from troupe_api.core.settings import Settings, get_settings
from troupe_api.deployments.cors import EmbedCorsMiddleware
from troupe_api.jobs.queue import SaqJobQueue, create_queue
from troupe_api.observability import install as install_observability
from troupe_api.router import api_router

API_PREFIX = "/api/v1"
log = get_logger(__name__)


def _route_id(route: APIRoute) -> str:
    """``{tag}-{name}`` so the generated TypeScript client has stable, readable names."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = create_engine(settings)
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    livekit = create_livekit_api(settings, timeout_s=settings.readiness_timeout_s)
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.redis = redis
    app.state.livekit = livekit
    app.state.limiter = RateLimiter(settings.redis_url, prefix=settings.rate_limit_prefix)
    saq_queue = create_queue(settings)
    app.state.jobs = SaqJobQueue(saq_queue)
    log.info("api_started", env=settings.env)
    try:
        yield
    finally:
        await livekit.aclose()
        with suppress(Exception):  # never connected when nothing was enqueued
            await saq_queue.disconnect()
        await redis.aclose()
        await engine.dispose()
        log.info("api_stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Troupe API",
        version="0.1.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=_route_id,
        responses={
            "4XX": {"model": ErrorResponse, "description": "Client error"},
            "5XX": {"model": ErrorResponse, "description": "Server error"},
        },
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(api_router, prefix=API_PREFIX)
    # add_middleware wraps: the last added is outermost.
    app.add_middleware(CatchAllMiddleware)
    # Bodies over their route's limit are refused before anything reads them.
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=[
            REQUEST_ID_HEADER,
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
            "Retry-After",
        ],
    )
    # Outside the static CORS layer: embed origins come from the deployments.
    app.add_middleware(EmbedCorsMiddleware, static_origins=settings.cors_origins)
    app.add_middleware(RequestContextMiddleware)
    install_observability(app)  # metrics, security headers, optional tracing/Sentry
    return app


def __getattr__(name: str) -> FastAPI:
    # `app` is built on first access so importing this module never reads settings.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)


__all__ = ["TroupeError", "create_app"]

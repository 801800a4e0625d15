"""Test harness: real PostgreSQL, Redis and LiveKit from the environment (see .env.example;
`make test` exports a generated env file). Each test runs inside one outer transaction that
is rolled back; the app's sessions join it through SAVEPOINTs, so their commits stay local."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from troupe_api.cli import migrate
from troupe_api.core.db import create_engine
from troupe_api.core.ratelimit import RateLimiter
from troupe_api.core.settings import Settings, get_settings
from troupe_api.jobs.queue import MemoryJobQueue
from troupe_api.main import create_app

_MISSING_ENV = "DATABASE_URL" not in os.environ
_HOW = (
    "api tests need DATABASE_URL, REDIS_URL and LIVEKIT_* in the environment "
    "(scripts/env.sh test DIR; scripts/services.sh up; set -a; . DIR/env; set +a)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Skip (loudly) only our own tests, so other suites in the same run still execute.
    if not _MISSING_ENV:
        return
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.skip(reason=_HOW))


@pytest.fixture(scope="session")
def settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(migrate, settings.database_url)
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def conn(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def session_factory(conn: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
async def db(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
async def running_app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def jobs() -> MemoryJobQueue:
    """What the app enqueued during the test (nothing reaches Redis; tests run the tasks)."""
    return MemoryJobQueue()


@pytest.fixture
async def app(
    running_app: FastAPI,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    jobs: MemoryJobQueue,
) -> AsyncIterator[FastAPI]:
    state = running_app.state
    saved = (state.session_factory, state.limiter, state.jobs)
    state.session_factory = session_factory
    # A fresh key space per test, so rate-limit counts never leak between tests.
    state.limiter = RateLimiter(settings.redis_url, prefix=f"troupe-test:{uuid.uuid4().hex}")
    state.jobs = jobs
    try:
        yield running_app
    finally:
        state.session_factory, state.limiter, state.jobs = saved
        running_app.dependency_overrides.clear()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def runtime_headers(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.runtime_token}"}

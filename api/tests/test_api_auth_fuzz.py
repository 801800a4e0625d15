"""Property tests of the identity endpoints with schemathesis: generated requests (valid and
invalid) never get a 5xx, and every error is the ``{"error": {...}}`` envelope.

Runs the app under uvicorn on 127.0.0.1 (its own event loop, real Postgres and Redis) so the
synchronous schemathesis client can drive it; examples are bounded and derandomized."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from live_server import serve
from sqlalchemy.ext.asyncio import AsyncEngine
from troupe_api.core.settings import Settings
from troupe_api.main import create_app

IDENTITY_PATHS = r"^/api/v1/(auth|me|organizations?|members|invitations|api-keys|audit-events)"


@pytest.fixture(scope="module")
def base_url(engine: AsyncEngine, settings: Settings) -> Iterator[str]:  # engine: migrated
    app_settings = settings.model_copy(
        update={"rate_limit_prefix": f"troupe-fuzz:{uuid.uuid4().hex}", "log_level": "WARNING"}
    )
    with serve(create_app(app_settings)) as url:
        yield url


# Settings() rather than get_settings(): collection must not replace the cached settings
# object the other tests' fixtures hold.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi()).include(
    path_regex=IDENTITY_PATHS
)


@schema.parametrize()
@hypothesis_settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_identity_endpoints_never_5xx_and_always_enveloped(
    case: schemathesis.Case, base_url: str
) -> None:
    response = case.call(base_url=base_url, timeout=10)
    assert response.status_code < 500, (case.path, response.status_code, response.text[:300])
    if response.status_code >= 400 and response.content:
        body = response.json()
        assert set(body) == {"error"}, body
        assert isinstance(body["error"]["code"], str) and body["error"]["message"]

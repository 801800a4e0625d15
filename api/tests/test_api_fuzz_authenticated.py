"""Fuzzing that reaches the routes: every operation of the Platform API, driven by schemathesis
as an organization admin, as a member and with an API key holding every scope, never answers
5xx, and every error is the ``{"error": {...}}`` envelope. Generated path ids are mostly
unknown (404), so each case whose path names an object this organization has (agent, template,
deployment, session, member) is sent a second time with the real id, to reach the handler's
logic, except DELETEs (which would remove the objects later cases need).

Runs the app under uvicorn on 127.0.0.1 (real Postgres and Redis); examples per operation are
few and derandomized, so the whole run stays within a couple of minutes."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from api_factories import bearer_for, make_published_template, make_session, make_user
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from live_server import serve
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from troupe_api.agents.models import Agent
from troupe_api.apikeys import service as apikeys
from troupe_api.apikeys.models import Scope
from troupe_api.core.db import create_engine
from troupe_api.core.settings import Settings
from troupe_api.main import create_app
from troupe_api.organizations.models import Role

ROLES = ("admin", "member", "api_key")
# Operations that would end the fuzzing principals' own credentials for the cases after them.
CREDENTIAL_ENDING = re.compile(r"^/api/v1/auth/(logout|logout-all)$")


@dataclass
class Principals:
    base_url: str
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]


async def _setup(settings: Settings) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    engine = create_engine(settings)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            org, template, deployment = await make_published_template(db)
            admin = await make_user(db, org, Role.ADMIN)
            member = await make_user(db, org, Role.MEMBER)
            session = await make_session(db, org, template, deployment)
            _, key = await apikeys.create(
                db=db,
                organization_id=org.id,
                created_by=admin.id,
                name="fuzz",
                scopes=list(Scope),
                expires_at=None,
            )
            headers = {
                "admin": await bearer_for(db, settings, admin),
                "member": await bearer_for(db, settings, member),
                "api_key": {"Authorization": f"Bearer {key}"},
            }
            agent_id = await db.scalar(select(Agent.id).where(Agent.organization_id == org.id))
            ids = {
                "template_id": str(template.id),
                "deployment_id": str(deployment.id),
                "embed_key": deployment.embed_key,
                "session_id": str(session.id),
                "user_id": str(member.id),
                "agent_id": str(agent_id),
            }
            await db.commit()
            return headers, ids
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def principals(engine: AsyncEngine, settings: Settings) -> Iterator[Principals]:  # migrated
    app_settings = settings.model_copy(
        update={
            "rate_limit_prefix": f"troupe-fuzz-auth:{uuid.uuid4().hex}",
            "log_level": "WARNING",
            "rate_limit_user": "100000/minute",
            "rate_limit_api_key": "100000/minute",
            "rate_limit_org": "100000/minute",
        }
    )
    headers, ids = asyncio.run(_setup(app_settings))
    with serve(create_app(app_settings)) as url:
        yield Principals(url, headers, ids)


# Settings() rather than get_settings(): collection must not replace the cached settings
# object the other tests' fixtures hold.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


def _check(case: schemathesis.Case, response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert status < 500, (case.method, case.path, case.path_parameters, status, text[:300])
    if status >= 400 and response.content:  # type: ignore[attr-defined]
        body = response.json()  # type: ignore[attr-defined]
        assert set(body) == {"error"}, (case.method, case.path, body)
        assert isinstance(body["error"]["code"], str) and body["error"]["message"]


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@hypothesis_settings(
    # One generated case per operation and caller keeps `make test` bounded on 2 cores; the
    # real-id call below adds a second, meaningful one.
    max_examples=1,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_as_admin_member_and_api_key_never_5xx(
    case: schemathesis.Case, role: str, principals: Principals
) -> None:
    if CREDENTIAL_ENDING.match(case.path):
        return
    headers = {**(case.headers or {}), **principals.headers[role]}
    _check(case, case.call(base_url=principals.base_url, headers=headers, timeout=15))
    params = case.path_parameters or {}
    known = {k: principals.ids[k] for k in params if k in principals.ids}
    if known and case.method.upper() != "DELETE":
        case.path_parameters = {**params, **known}
        _check(case, case.call(base_url=principals.base_url, headers=headers, timeout=15))

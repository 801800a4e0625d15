"""Test data through the same service functions the app uses."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents import service as agents
from troupe_api.agents.models import Agent
from troupe_api.auth import service as auth
from troupe_api.core.settings import Settings
from troupe_api.deployments import service as deployments
from troupe_api.deployments.models import Deployment
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Organization, Role
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session
from troupe_api.templates import service as templates
from troupe_api.templates.models import SessionTemplate
from troupe_api.users import service as users
from troupe_api.users.models import User

ORIGIN = "https://customer.example"


def _suffix() -> str:
    return uuid.uuid4().hex[:8]


async def make_org(db: AsyncSession, name: str = "Acme") -> Organization:
    return await organizations.create(db=db, name=name, slug=f"acme-{_suffix()}")


async def make_agent(db: AsyncSession, org: Organization, slug: str, **fields: Any) -> Agent:
    values: dict[str, Any] = {
        "name": slug.title(),
        "instructions": f"You are {slug}.",
        "greeting": f"Hi from {slug}",
        "stt": "local/whisper-tiny",
        "llm": "local/smollm2",
        "tts": "local/piper-joe",
        "voice": "joe",
        "config": {},
        **fields,
    }
    return await agents.upsert(db=db, organization_id=org.id, slug=slug, fields=values)


async def make_template(
    db: AsyncSession, org: Organization, agent_slugs: list[str], **fields: Any
) -> SessionTemplate:
    values: dict[str, Any] = {
        "initial_agent": agent_slugs[0],
        "agent_slugs": agent_slugs,
        "modality_profile": "audio_camera",
        "enabled_panels": ["notepad", "code"],
        "idle_timeout_s": 60,
        "max_duration_s": 600,
        **fields,
    }
    return await templates.upsert_by_name(
        db=db, organization_id=org.id, name=f"tpl-{_suffix()}", fields=values
    )


async def make_deployment(
    db: AsyncSession,
    org: Organization,
    template: SessionTemplate,
    origins: list[str] | None = None,
    enabled: bool = True,
) -> Deployment:
    deployment = await deployments.ensure(
        db=db,
        organization_id=org.id,
        template_id=template.id,
        name=f"dep-{_suffix()}",
        allowed_origins=origins if origins is not None else [ORIGIN],
    )
    deployment.enabled = enabled
    await db.flush()
    return deployment


async def make_published_template(
    db: AsyncSession,
) -> tuple[Organization, SessionTemplate, Deployment]:
    """An org with two agents handing off to each other, a template and a deployment."""
    org = await make_org(db)
    await make_agent(
        db, org, "ava", config={"handoffs": [{"agent": "max", "description": "to max"}]}
    )
    await make_agent(db, org, "max", config={"handoffs": [{"agent": "ava"}], "panels": ["code"]})
    template = await make_template(db, org, ["ava", "max"])
    deployment = await make_deployment(db, org, template)
    await db.commit()
    return org, template, deployment


# --- identity ---------------------------------------------------------------------------------

PASSWORD = "correct horse battery"
_PASSWORD_HASH: list[str] = []


async def make_session(
    db: AsyncSession,
    org: Organization,
    template: SessionTemplate | None,
    deployment: Deployment | None = None,
    *,
    participant_identity: str = "user-test",
    end_user_id: str | None = None,
) -> Session:
    """A session row as the public API creates it (no room, no agent job), committed."""
    session = await sessions.create(
        db=db,
        organization_id=org.id,
        template_id=template.id if template else None,
        deployment_id=deployment.id if deployment else None,
        end_user_id=end_user_id,
        participant_identity=participant_identity,
        metadata={},
    )
    await db.commit()
    return session


async def make_published_session(
    db: AsyncSession, *, participant_identity: str = "user-test", **template_fields: Any
) -> tuple[Organization, Session]:
    """A session of `make_published_template`'s template (with `template_fields` set on it)."""
    org, template, deployment = await make_published_template(db)
    for name, value in template_fields.items():
        setattr(template, name, value)
    session = await make_session(
        db, org, template, deployment, participant_identity=participant_identity
    )
    return org, session


async def make_user(
    db: AsyncSession,
    org: Organization | None = None,
    role: Role = Role.MEMBER,
    email: str | None = None,
) -> User:
    """A user (password ``PASSWORD``, hashed once per test run) and optionally a membership."""
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(users.hash_password(PASSWORD))
    user = User(
        email=email or f"user-{_suffix()}@example.com",
        password_hash=_PASSWORD_HASH[0],
        display_name="Test User",
    )
    db.add(user)
    await db.flush()
    if org is not None:
        await organizations.ensure_membership(
            db=db, organization_id=org.id, user_id=user.id, role=role
        )
    return user


async def bearer_for(db: AsyncSession, settings: Settings, user: User) -> dict[str, str]:
    """Authorization header with a fresh access token (a new refresh-token family)."""
    tokens = await auth.start_session(db=db, settings=settings, user_id=user.id)
    await db.commit()
    return {"Authorization": f"Bearer {tokens.access_token}"}

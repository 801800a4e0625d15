"""Test data through the same service functions the app uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents import service as agents
from troupe_api.agents.models import Agent
from troupe_api.auth import service as auth
from troupe_api.core.settings import Settings
from troupe_api.customer_webhooks.models import WebhookEndpoint
from troupe_api.deployments import service as deployments
from troupe_api.deployments.models import Deployment
from troupe_api.livekit_events.models import WebhookEvent
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
    **fields: Any,
) -> Session:
    """A session row as the public API creates it (no room, no agent job), with ``fields``
    (status, times, ...) set on it, committed."""
    session = await sessions.create(
        db=db,
        organization_id=org.id,
        template_id=template.id if template else None,
        deployment_id=deployment.id if deployment else None,
        end_user_id=end_user_id,
        participant_identity=participant_identity,
        metadata={},
    )
    for name, value in fields.items():
        setattr(session, name, value)
    await db.commit()
    return session


async def store_livekit_event(
    db: AsyncSession, session: Session, event_type: str, **fields: Any
) -> WebhookEvent:
    """A LiveKit event of ``session`` as the webhook receiver stores it (``fields``: the
    participant, track, time and payload), flushed."""
    event = WebhookEvent(
        event_id=f"EV_{uuid.uuid4().hex}",
        event_type=event_type,
        room_name=session.room_name,
        session_id=session.id,
        organization_id=session.organization_id,
        payload=fields.pop("payload", {}),
        **fields,
    )
    db.add(event)
    await db.flush()
    return event


async def make_webhook_endpoint(
    db: AsyncSession, org: Organization, events: list[str]
) -> WebhookEndpoint:
    """A customer webhook endpoint subscribed to ``events`` (deliveries are only recorded: its
    secret is a placeholder), flushed."""
    endpoint = WebhookEndpoint(
        organization_id=org.id,
        url="https://hooks.example.test/troupe",
        events=events,
        secret_encrypted="unused-here",
    )
    db.add(endpoint)
    await db.flush()
    return endpoint


# --- a runtime's session log ------------------------------------------------------------------

SAMPLE_LOG_T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _entry(seq: int, kind: str, s: float, **fields: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "kind": kind,
        "ts": (SAMPLE_LOG_T0 + timedelta(seconds=s)).isoformat(),
        **fields,
    }


SAMPLE_LOG = [
    _entry(0, "transition", 0.5, from_agent=None, to_agent="ava"),
    _entry(1, "message", 1, role="assistant", agent="ava", text="Hi"),
    _entry(2, "message", 3, role="user", text="Talk to max"),
    _entry(3, "turn_metrics", 3.5, agent="ava", e2e_latency_ms=800, llm_ttft_ms=300),
    _entry(4, "tool_call", 4, agent="ava", tool="lookup", error="boom"),
    _entry(
        5,
        "transition",
        5,
        from_agent="ava",
        to_agent="max",
        context_policy="summary",
        variables={"topic": "billing"},
        summary_method="extractive",
    ),
    _entry(6, "message", 6, role="assistant", agent="max", text="Max here"),
    _entry(7, "turn_metrics", 6.5, agent="max", e2e_latency_ms=1200, llm_ttft_ms=500),
    _entry(8, "tool_call", 7, agent="max", tool="lookup", result="ok"),
    _entry(
        9,
        "usage",
        9,
        provider="openai",
        model="gpt-4.1",
        llm_input_tokens=1_000_000,
        llm_output_tokens=100,
    ),
    _entry(10, "usage", 9, provider="deepgram", model="nova-2", stt_seconds=120.0),
]
"""A two-agent conversation (ava hands off to max) with metrics, tool calls and usage."""


async def post_sample_log(
    client: httpx.AsyncClient, runtime_headers: dict[str, str], session: Session
) -> None:
    """``SAMPLE_LOG`` as the runtime's final batch for ``session``."""
    r = await client.post(
        f"/api/v1/runtime/sessions/{session.id}/log",
        json={"entries": SAMPLE_LOG, "final": True, "close_reason": "user_left"},
        headers=runtime_headers,
    )
    assert r.status_code == 200, r.text


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
        email_verified_at=datetime.now(UTC),  # a registered user who opened the mailed link
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


async def admin_headers(db: AsyncSession, settings: Settings, org: Organization) -> dict[str, str]:
    """Authorization header of a new admin of ``org``."""
    return await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))

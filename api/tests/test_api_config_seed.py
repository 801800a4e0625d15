"""The seed in the configuration model: agent sets behind the templates, versions for the
agents, and templates that pass the same validation as dashboard edits."""

from __future__ import annotations

import uuid

import httpx
from api_factories import make_org
from config_helpers import caller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents.models import Agent, AgentVersion
from troupe_api.core.crypto import SecretBox, rotate_all
from troupe_api.core.settings import Settings
from troupe_api.models import Base
from troupe_api.organizations.models import Organization, Role
from troupe_api.seed import DEMO_TEMPLATE, HANDOFF_TEMPLATE, TEST_TEMPLATE, seed
from troupe_api.tools import service as tools
from troupe_api.tools.schemas import WebhookToolSpec


async def test_seeded_templates_use_agent_sets_and_validate(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    result = await seed(db=db, settings=settings)
    org_id = uuid.UUID(result.organization_id)
    agents = {
        a.slug: a for a in await db.scalars(select(Agent).where(Agent.organization_id == org_id))
    }
    versions = await db.scalars(
        select(AgentVersion.version).where(AgentVersion.agent_id == agents["ava"].id)
    )
    assert agents["ava"].version in set(versions)
    org = await db.get(Organization, org_id)
    assert org is not None
    admin = await caller(db, settings, Role.ADMIN, org=org)
    templates = (await client.get("/api/v1/session-templates", headers=admin.headers)).json()
    by_name = {t["name"]: t for t in templates["items"]}
    names = [DEMO_TEMPLATE] + (
        [TEST_TEMPLATE, HANDOFF_TEMPLATE] if settings.enable_test_providers else []
    )
    for name in names:
        template = by_name[name]
        assert template["agent_set_id"] is not None
        # A no-op edit runs the full validation.
        edit = await client.patch(
            f"/api/v1/session-templates/{template['id']}",
            json={"description": template["description"]},
            headers=admin.headers,
        )
        assert edit.status_code == 200, edit.text
    assert by_name[DEMO_TEMPLATE]["agents"] == ["ava", "max"]
    if settings.enable_test_providers:
        assert by_name[HANDOFF_TEMPLATE]["agents"] == ["test_front", "test_expert"]
    # Seeding again changes nothing.
    assert await seed(db=db, settings=settings) == result


async def test_rotate_secrets_reencrypts_with_the_current_key(
    db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db)
    old = SecretBox("the-retired-key-0123456789abcdef")
    tool, _ = await tools.save(
        db=db,
        organization_id=org.id,
        spec=WebhookToolSpec(
            name="hook", description="d", url="https://x.example/h", secret_headers={"K": "v"}
        ),
        box=old,
    )
    both = SecretBox(settings.encryption_key, ["the-retired-key-0123456789abcdef"])
    counts = await rotate_all(db=db, box=both, metadata=Base.metadata)
    assert counts["tools.secret_headers"] >= 1
    await db.refresh(tool)
    assert tool.secret_headers is not None
    assert SecretBox(settings.encryption_key).decrypt_json(tool.secret_headers) == {"K": "v"}

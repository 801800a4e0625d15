"""Plans and trials: a new self-registered organization starts on the trial plan for
TROUPE_TRIAL_DAYS; only platform operators (TROUPE_PLATFORM_ADMIN_EMAILS) set plans, through
/platform/organizations or ``troupe-api org``; an org admin cannot raise its own plan."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from api_factories import PASSWORD, bearer_for, make_org, make_user
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.audit.models import AuditEvent
from troupe_api.cli import add_org_parser, org_command
from troupe_api.core.errors import NotFound, ValidationFailed
from troupe_api.core.settings import Settings, get_settings
from troupe_api.organizations.models import Organization, Role

PLATFORM = "/api/v1/platform/organizations"


def _override(app: FastAPI, settings: Settings, **values: Any) -> Settings:
    changed = settings.model_copy(update=values)
    app.dependency_overrides[get_settings] = lambda: changed
    return changed


async def _register(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "organization_name": "Trial Co",
            "delivery": "body",
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _near(value: str | None, expected: datetime) -> bool:
    assert value is not None
    return abs(datetime.fromisoformat(value) - expected) < timedelta(minutes=5)


async def test_a_registered_organization_starts_on_the_trial_for_trial_days(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    _override(app, settings, trial_days=9)
    headers = await _register(client, "trial@example.com")
    usage = (await client.get("/api/v1/usage/settings", headers=headers)).json()
    assert usage["plan"] == "trial" and usage["trial_expired"] is False
    assert _near(usage["trial_ends_at"], datetime.now(UTC) + timedelta(days=9))
    assert usage["sessions_per_day"] == 1000

    # An organization the user creates next starts on the trial too.
    created = await client.post("/api/v1/organizations", json={"name": "Second"}, headers=headers)
    assert created.status_code == 201
    second = {**headers, "X-Troupe-Org": created.json()["id"]}
    usage2 = (await client.get("/api/v1/usage/settings", headers=second)).json()
    assert usage2["plan"] == "trial"

    # Trials off: the free plan, no end.
    _override(app, settings, trial_days=0)
    free = await _register(client, "free@example.com")
    usage3 = (await client.get("/api/v1/usage/settings", headers=free)).json()
    assert usage3["plan"] == "free" and usage3["trial_ends_at"] is None


async def test_org_admins_cannot_set_plans_and_platform_admins_can(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db)
    admin = await make_user(db, org, Role.ADMIN)
    operator = await make_user(db, email="ops@example.com")
    admin_h = await bearer_for(db, settings, admin)
    ops_h = await bearer_for(db, settings, operator)
    _override(app, settings, platform_admin_emails=["OPS@example.com"], trial_days=14)

    # The org's own admin: refused, and the plan is not writable through usage settings.
    refused = await client.put(
        f"{PLATFORM}/{org.slug}/plan", json={"plan": "enterprise"}, headers=admin_h
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "platform_admin_required"
    assert (await client.get(PLATFORM, headers=admin_h)).status_code == 403
    await client.patch("/api/v1/usage/settings", json={"plan": "enterprise"}, headers=admin_h)
    assert (await client.get("/api/v1/usage/settings", headers=admin_h)).json()["plan"] == "free"

    listed = await client.get(PLATFORM, headers=ops_h)
    assert listed.status_code == 200
    row = next(o for o in listed.json()["items"] if o["slug"] == org.slug)
    assert row["plan"] == "free" and row["members"] == 1
    assert {p["name"] for p in listed.json()["plans"]} >= {"free", "trial", "pro", "enterprise"}

    trial = await client.put(
        f"{PLATFORM}/{org.slug}/plan", json={"plan": "trial", "trial_days": 3}, headers=ops_h
    )
    assert trial.status_code == 200, trial.text
    assert _near(trial.json()["trial_ends_at"], datetime.now(UTC) + timedelta(days=3))
    usage = (await client.get("/api/v1/usage/settings", headers=admin_h)).json()
    assert usage["plan"] == "trial" and _near(
        usage["trial_ends_at"], datetime.now(UTC) + timedelta(days=3)
    )

    pro = await client.put(f"{PLATFORM}/{org.slug}/plan", json={"plan": "pro"}, headers=ops_h)
    assert pro.json()["plan"] == "pro" and pro.json()["trial_ends_at"] is None
    usage = (await client.get("/api/v1/usage/settings", headers=admin_h)).json()
    assert usage["plan"] == "pro" and usage["sessions_per_day"] == 20_000

    bad = await client.put(f"{PLATFORM}/{org.slug}/plan", json={"plan": "gold"}, headers=ops_h)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    days_on_pro = await client.put(
        f"{PLATFORM}/{org.slug}/plan", json={"plan": "pro", "trial_days": 3}, headers=ops_h
    )
    assert days_on_pro.status_code == 422
    missing = await client.put(f"{PLATFORM}/nope-000/plan", json={"plan": "pro"}, headers=ops_h)
    assert missing.status_code == 404

    events = (
        await db.scalars(
            select(AuditEvent).where(
                AuditEvent.organization_id == org.id,
                AuditEvent.action == "organization.plan_changed",
            )
        )
    ).all()
    assert [(e.details["from"], e.details["to"]) for e in events] == [
        ("free", "trial"),
        ("trial", "pro"),
    ]
    assert all(e.user_id == operator.id for e in events)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_org_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["org", *argv])


async def test_cli_lists_organizations_and_sets_plan_and_trial(
    db: AsyncSession, settings: Settings
) -> None:
    org = await make_org(db, name="Cli Co")
    config = settings.model_copy(update={"trial_days": 5})

    listing = await org_command(db, config, _args("list"))
    line = next(x for x in listing.splitlines() if x.startswith(org.slug))
    assert " free " in line and line.endswith("Cli Co")
    as_json = [
        json.loads(x) for x in (await org_command(db, config, _args("list", "--json"))).split("\n")
    ]
    assert any(r["slug"] == org.slug and r["plan"] == "free" for r in as_json)

    out = json.loads(await org_command(db, config, _args("set-plan", org.slug, "trial")))
    assert out["plan"] == "trial" and _near(
        out["trial_ends_at"], datetime.now(UTC) + timedelta(days=5)
    )
    out = json.loads(
        await org_command(db, config, _args("set-plan", org.slug, "trial", "--trial-days", "30"))
    )
    assert _near(out["trial_ends_at"], datetime.now(UTC) + timedelta(days=30))
    stored = await db.scalar(select(Organization).where(Organization.id == org.id))
    assert stored is not None and stored.plan == "trial"

    out = json.loads(await org_command(db, config, _args("set-plan", org.slug, "enterprise")))
    assert out["plan"] == "enterprise" and out["trial_ends_at"] is None

    with pytest.raises(ValidationFailed):
        await org_command(db, config, _args("set-plan", org.slug, "platinum"))
    with pytest.raises(NotFound):
        await org_command(db, config, _args("set-plan", "no-such-org", "pro"))

"""Idempotent demo data: Demo Org, its admin, two agents with handoffs, an agent set, a template and a
deployment whose embed key stays the same across runs (it is stored, never regenerated).
With test providers enabled, also a deterministic echo-agent template + deployment, and a
two-agent handoff template (scripted LLMs) + deployment for the multi-agent e2e test, and one
single-panel template per workspace panel (scripted agent ``test_<panel>``) for the panel e2e
tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.config import (
    ContextPolicy,
    HandoffTarget,
    HandoffVariable,
    RejectionRule,
    RuleCondition,
    RuleOp,
)
from troupe_contracts.providers import DEFAULT_OFFLINE, ProviderRole
from troupe_contracts.session import ModalityProfile, PanelType

from troupe_api.agent_sets import service as agent_sets
from troupe_api.agent_sets.models import AgentSet
from troupe_api.agent_sets.schemas import AgentSetSpec
from troupe_api.agents import service as agents
from troupe_api.agents.schemas import AgentSpec
from troupe_api.configuration import writes as config_ops
from troupe_api.core.settings import Settings
from troupe_api.deployments import service as deployments
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Role
from troupe_api.templates import service as templates
from troupe_api.templates.schemas import TemplateBody
from troupe_api.users import service as users

DEMO_ORG_NAME = "Demo Org"
DEMO_ORG_SLUG = "demo"
DEMO_TEMPLATE = "Demo: Ava and Max"
DEMO_DEPLOYMENT = "Demo embed"
TEST_TEMPLATE = "Test: echo agent"
TEST_DEPLOYMENT = "Test embed"
TEST_AGENT_GREETING = "Hello! I am the test agent."
HANDOFF_TEMPLATE = "Test: handoff"
HANDOFF_DEPLOYMENT = "Test handoff embed"
HANDOFF_FRONT_GREETING = "Hi, I am the front desk."
HANDOFF_EXPERT_GREETING = "Expert here, how can I help?"
PANEL_TEMPLATE_PREFIX = "Test: panel "
VISION_TEMPLATE = "Test: vision"
VISION_DEPLOYMENT = "Test vision embed"
PANEL_DEPLOYMENT_PREFIX = "Test panel embed "

_OFFLINE = {
    "stt": DEFAULT_OFFLINE[ProviderRole.STT],
    "llm": DEFAULT_OFFLINE[ProviderRole.LLM],
    "tts": DEFAULT_OFFLINE[ProviderRole.TTS],
    "voice": "joe",
}

DEMO_AGENTS: dict[str, dict[str, Any]] = {
    "ava": {
        "name": "Ava",
        "instructions": (
            "You are Ava, the friendly receptionist of Troupe's demo. Greet the user, find out "
            "what they need in one or two short questions, and answer simple questions yourself. "
            "When the user needs in-depth help with a technical topic, transfer them to Max. "
            "Keep every reply to one or two short spoken sentences."
        ),
        "greeting": "Hi, I'm Ava. How can I help you today?",
        **_OFFLINE,
        "config": {
            "handoffs": [
                {
                    "agent": "max",
                    "context_policy": "preserve",
                    "description": "Transfer to Max when the user needs in-depth technical help.",
                }
            ],
            "panels": ["notepad"],
        },
    },
    "max": {
        "name": "Max",
        "instructions": (
            "You are Max, a patient technical specialist. Help the user step by step, using the "
            "notepad or code editor when it makes things clearer. When the user is done or needs "
            "something else, transfer them back to Ava. Keep spoken replies short."
        ),
        "greeting": "Hi, Max here. Let's dig into it.",
        **_OFFLINE,
        "config": {
            "handoffs": [
                {
                    "agent": "ava",
                    "context_policy": "preserve",
                    "description": "Transfer back to Ava when the technical question is resolved.",
                }
            ],
            # Every panel, so the demo template (all panels enabled) passes template
            # validation: each enabled panel must be usable by at least one agent.
            "panels": ["notepad", "code", "whiteboard", "document", "slides"],
        },
    },
}

TEST_AGENT: dict[str, Any] = {
    "name": "Test Agent",
    "instructions": "You are a deterministic test agent.",
    "greeting": TEST_AGENT_GREETING,
    "stt": "local/whisper-tiny",
    "llm": "fake/echo",
    "tts": "local/piper-joe",
    "voice": "joe",
    "config": {"panels": [p.value for p in PanelType]},
}


# The scripted LLM's turns for these agents: tests/e2e/scripts/handoff.json (worker env
# TROUPE_FAKE_LLM_SCRIPT). Listed expert first: a handoff target must exist to validate.
HANDOFF_AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec(
        slug="test_expert",
        name="Test Expert",
        instructions=(
            "You are the deterministic expert of the handoff test. The user needs help with "
            "{{topic}}."
        ),
        greeting=HANDOFF_EXPERT_GREETING,
        stt="local/whisper-tiny",
        llm="fake/scripted",
        tts="local/piper-joe",
        voice="joe",
    ),
    AgentSpec(
        slug="test_front",
        name="Test Front Desk",
        instructions="You are the deterministic front desk of the handoff test.",
        greeting=HANDOFF_FRONT_GREETING,
        stt="local/whisper-tiny",
        llm="fake/scripted",
        tts="local/piper-joe",
        voice="joe",
        tools=["log_observation"],
        handoffs=[
            HandoffTarget(
                agent="test_expert",
                context_policy=ContextPolicy.SUMMARY,
                description="Transfer to the expert when the user asks for an expert.",
                variables=[
                    HandoffVariable(
                        name="topic", description="What the user needs help with", required=True
                    )
                ],
                # the script first passes "unknown" (refused), then a real topic
                reject_when=RejectionRule(
                    conditions=[RuleCondition(variable="topic", op=RuleOp.EQ, value="unknown")],
                    message="Ask the user what they need help with before transferring.",
                ),
            )
        ],
    ),
)


def panel_agent_spec(panel: PanelType) -> AgentSpec:
    """The scripted agent of one panel's e2e test (``test_<panel>``): its turns are in
    tests/e2e/scripts/handoff.json (worker env TROUPE_FAKE_LLM_SCRIPT). The whiteboard agent
    has vision on: ``read_whiteboard`` gives it the board as an image."""
    spec = AgentSpec(
        slug=f"test_{panel.value}",
        name=f"Test {panel.value.capitalize()}",
        instructions=f"You are the deterministic agent of the {panel.value} panel test.",
        greeting=f"Hi, let us use the {panel.value}.",
        stt="local/whisper-tiny",
        llm="fake/scripted",
        tts="local/piper-joe",
        voice="joe",
        panels=[panel.value],
    )
    if panel == PanelType.WHITEBOARD:
        spec.vision = spec.vision.model_copy(update={"enabled": True})
    return spec


# The vision e2e test's scripted agent (turns in tests/e2e/scripts/handoff.json): asks for the
# camera, reports the frame its LLM received, asks for the screen, relays the refusal, and
# sends the user a notes file.
VISION_AGENT = AgentSpec.model_validate(
    {
        "slug": "test_vision",
        "name": "Test Vision",
        "instructions": "You are the deterministic agent of the camera, screen and vision test.",
        "greeting": "Hi, I can look at your camera.",
        "stt": "local/whisper-tiny",
        "llm": "fake/scripted",
        "tts": "local/piper-joe",
        "voice": "joe",
        "tools": ["request_camera", "request_screen_share", "share_notes"],
        "modalities": ["camera", "screen"],
        "vision": {"enabled": True, "fps_speaking": 2.0, "fps_silent": 1.0, "max_size": 1024},
    }
)


@dataclass(frozen=True)
class SeedResult:
    organization_id: str
    email: str
    embed_key: str
    template_id: str
    test_embed_key: str | None = None
    test_template_id: str | None = None
    handoff_embed_key: str | None = None
    handoff_template_id: str | None = None
    panel_embed_keys: tuple[tuple[str, str], ...] = ()
    """(panel, embed key) of each single-panel test template."""
    vision_embed_key: str | None = None

    def demo_json(self) -> dict[str, str]:
        out = {"embed_key": self.embed_key, "template_id": self.template_id, "email": self.email}
        if self.test_embed_key and self.test_template_id:
            out["test_embed_key"] = self.test_embed_key
            out["test_template_id"] = self.test_template_id
        if self.handoff_embed_key and self.handoff_template_id:
            out["handoff_embed_key"] = self.handoff_embed_key
            out["handoff_template_id"] = self.handoff_template_id
        for panel, key in self.panel_embed_keys:
            out[f"panel_{panel}_embed_key"] = key
        if self.vision_embed_key:
            out["vision_embed_key"] = self.vision_embed_key
        return out


async def _agent(
    db: AsyncSession, settings: Settings, org_id: Any, slug: str, fields: dict[str, Any]
) -> None:
    problems = agents.provider_problems(
        stt=fields["stt"],
        llm=fields["llm"],
        tts=fields["tts"],
        allow_test_providers=settings.enable_test_providers,
    )
    if problems:
        raise ValueError(f"seed agent {slug!r}: {problems}")
    await agents.upsert(db=db, organization_id=org_id, slug=slug, fields=fields)


async def _agent_set(
    db: AsyncSession, org_id: Any, name: str, initial: str, members: list[str]
) -> AgentSet:
    spec = AgentSetSpec(name=name, initial_agent=initial, agents=members)
    existing = await agent_sets.get_by_name(db=db, organization_id=org_id, name=name)
    agent_set, _ = await agent_sets.save(
        db=db, organization_id=org_id, spec=spec, agent_set=existing
    )
    return agent_set


async def _test_template(
    db: AsyncSession,
    settings: Settings,
    org_id: Any,
    *,
    name: str,
    agents_to_save: Sequence[AgentSpec],
    members: list[str],
    initial_agent: str,
    description: str,
    modality_profile: ModalityProfile,
    enabled_panels: list[str],
    deployment_name: str,
) -> tuple[str, str]:
    """A test template written through the same validated operations as dashboard edits
    (agent, agent-set and template rules): its agents, an agent set of `members` named like the
    template, the template and its deployment. Returns (embed key, template id)."""
    for spec in agents_to_save:
        existing = await agents.get_by_slug(db=db, organization_id=org_id, slug=spec.slug)
        await config_ops.save_agent(
            db=db, settings=settings, organization_id=org_id, spec=spec, agent=existing
        )
    set_spec = AgentSetSpec(name=name, initial_agent=initial_agent, agents=members)
    await config_ops.save_agent_set(
        db=db,
        organization_id=org_id,
        spec=set_spec,
        agent_set=await agent_sets.get_by_name(db=db, organization_id=org_id, name=name),
    )
    agent_set = await agent_sets.get_by_name(db=db, organization_id=org_id, name=name)
    assert agent_set is not None
    template, _ = await config_ops.save_template(
        db=db,
        organization_id=org_id,
        body=TemplateBody(
            name=name,
            description=description,
            agent_set_id=agent_set.id,
            initial_agent=initial_agent,
            modality_profile=modality_profile.value,
            enabled_panels=enabled_panels,
            idle_timeout_s=120,
            max_duration_s=600,
        ),
        template=await templates.get_by_name(db=db, organization_id=org_id, name=name),
    )
    deployment = await deployments.ensure(
        db=db,
        organization_id=org_id,
        template_id=template.id,
        name=deployment_name,
        allowed_origins=settings.embed_origins,
    )
    return deployment.embed_key, str(template.id)


async def _handoff_template(db: AsyncSession, settings: Settings, org_id: Any) -> tuple[str, str]:
    """The two-agent handoff test template. Returns (embed key, template id)."""
    return await _test_template(
        db,
        settings,
        org_id,
        name=HANDOFF_TEMPLATE,
        agents_to_save=HANDOFF_AGENTS,
        members=[a.slug for a in reversed(HANDOFF_AGENTS)],
        initial_agent="test_front",
        description="Deterministic two-agent handoff for the whole-system tests.",
        modality_profile=ModalityProfile.AUDIO,
        enabled_panels=[],
        deployment_name=HANDOFF_DEPLOYMENT,
    )


async def _panel_template(
    db: AsyncSession, settings: Settings, org_id: Any, panel: PanelType
) -> str:
    """One panel's test template: its scripted agent alone, only that panel enabled. Returns the
    deployment's embed key."""
    spec = panel_agent_spec(panel)
    embed_key, _ = await _test_template(
        db,
        settings,
        org_id,
        name=f"{PANEL_TEMPLATE_PREFIX}{panel.value}",
        agents_to_save=[spec],
        members=[spec.slug],
        initial_agent=spec.slug,
        description=f"Deterministic {panel.value} panel session for the whole-system tests.",
        modality_profile=ModalityProfile.AUDIO,
        enabled_panels=[panel.value],
        deployment_name=f"{PANEL_DEPLOYMENT_PREFIX}{panel.value}",
    )
    return embed_key


async def _vision_template(db: AsyncSession, settings: Settings, org_id: Any) -> str:
    """The vision test template: ``test_vision`` alone, camera and screen share allowed.
    Returns the deployment's embed key."""
    embed_key, _ = await _test_template(
        db,
        settings,
        org_id,
        name=VISION_TEMPLATE,
        agents_to_save=[VISION_AGENT],
        members=[VISION_AGENT.slug],
        initial_agent=VISION_AGENT.slug,
        description="Deterministic camera / screen share / vision session for the e2e tests.",
        modality_profile=ModalityProfile.AUDIO_CAMERA_SCREEN,
        enabled_panels=[],
        deployment_name=VISION_DEPLOYMENT,
    )
    return embed_key


async def seed(*, db: AsyncSession, settings: Settings) -> SeedResult:
    org = await organizations.get_by_slug(db=db, slug=DEMO_ORG_SLUG)
    if org is None:
        org = await organizations.create(db=db, name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)

    if settings.demo_password:
        user = await users.get_by_email(db=db, email=settings.demo_email)
        if user is None:
            user = await users.create(
                db=db,
                email=settings.demo_email,
                password=settings.demo_password,
                display_name="Demo Admin",
                email_verified=True,
            )
        elif not users.verify_password(user.password_hash, settings.demo_password):
            await users.set_password(db=db, user=user, password=settings.demo_password)
        await users.mark_email_verified(db=db, user=user)
        await organizations.ensure_membership(
            db=db, organization_id=org.id, user_id=user.id, role=Role.ADMIN
        )

    for slug, fields in DEMO_AGENTS.items():
        await _agent(db, settings, org.id, slug, fields)
    all_panels = [p.value for p in PanelType]
    demo_set = await _agent_set(db, org.id, DEMO_TEMPLATE, "ava", ["ava", "max"])
    template = await templates.upsert_by_name(
        db=db,
        organization_id=org.id,
        name=DEMO_TEMPLATE,
        fields={
            "agent_set_id": demo_set.id,
            "initial_agent": "ava",
            "agent_slugs": [],
            "modality_profile": ModalityProfile.AUDIO_CAMERA_SCREEN.value,
            "enabled_panels": all_panels,
            "idle_timeout_s": 120,
            "max_duration_s": 1800,
        },
    )
    deployment = await deployments.ensure(
        db=db,
        organization_id=org.id,
        template_id=template.id,
        name=DEMO_DEPLOYMENT,
        allowed_origins=settings.embed_origins,
    )
    result = SeedResult(
        organization_id=str(org.id),
        email=settings.demo_email,
        embed_key=deployment.embed_key,
        template_id=str(template.id),
    )

    if settings.enable_test_providers:
        await _agent(db, settings, org.id, "test_agent", TEST_AGENT)
        test_set = await _agent_set(db, org.id, TEST_TEMPLATE, "test_agent", ["test_agent"])
        test_template = await templates.upsert_by_name(
            db=db,
            organization_id=org.id,
            name=TEST_TEMPLATE,
            fields={
                "agent_set_id": test_set.id,
                "initial_agent": "test_agent",
                "agent_slugs": [],
                "modality_profile": ModalityProfile.AUDIO_CAMERA_SCREEN.value,
                "enabled_panels": all_panels,
                "idle_timeout_s": 120,
                "max_duration_s": 600,
            },
        )
        test_deployment = await deployments.ensure(
            db=db,
            organization_id=org.id,
            template_id=test_template.id,
            name=TEST_DEPLOYMENT,
            allowed_origins=settings.embed_origins,
        )
        handoff_key, handoff_template_id = await _handoff_template(db, settings, org.id)
        panel_keys = tuple(
            [(p.value, await _panel_template(db, settings, org.id, p)) for p in PanelType]
        )
        result = dataclasses.replace(
            result,
            test_embed_key=test_deployment.embed_key,
            test_template_id=str(test_template.id),
            handoff_embed_key=handoff_key,
            handoff_template_id=handoff_template_id,
            panel_embed_keys=panel_keys,
            vision_embed_key=await _vision_template(db, settings, org.id),
        )
    await db.commit()
    return result

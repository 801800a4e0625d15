"""Validation rules across the configuration domains (agents, agent sets, tools, templates).

Rules are pure functions over an :class:`OrgView` (one organization's agents, tools and sets,
loaded once) and return every :class:`Problem` found, each with a stable code."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.config import (
    ContextPolicy,
    HandoffTarget,
    RuleCondition,
    RuleOp,
    VariableType,
    VideoSource,
)
from troupe_contracts.providers import PROVIDER_CATALOG, ProviderRole, provider_by_id
from troupe_contracts.session import ModalityProfile, PanelType

from troupe_api.agent_sets.models import AgentSet
from troupe_api.agents import service as agents
from troupe_api.agents.models import AgentVersion
from troupe_api.agents.schemas import AgentSpec
from troupe_api.core.config_errors import Problem
from troupe_api.tools import service as tools
from troupe_api.tools.builtin import BUILTIN_BY_NAME

PANELS = [p.value for p in PanelType]
MODALITIES = [m.value for m in VideoSource]
PROFILE_MODALITIES: dict[str, set[str]] = {
    ModalityProfile.AUDIO.value: set(),
    ModalityProfile.AUDIO_CAMERA.value: {"camera"},
    ModalityProfile.AUDIO_SCREEN.value: {"screen"},
    ModalityProfile.AUDIO_CAMERA_SCREEN.value: {"camera", "screen"},
}
ENVIRONMENTS = ("dev", "staging", "production")


@dataclass
class SetView:
    name: str
    initial_agent: str
    agents: list[str]


@dataclass
class OrgView:
    agents: dict[str, AgentSpec] = field(default_factory=dict)
    webhook_tools: set[str] = field(default_factory=set)
    sets: list[SetView] = field(default_factory=list)

    def tool_exists(self, name: str) -> bool:
        return name in BUILTIN_BY_NAME or name in self.webhook_tools


async def load_view(*, db: AsyncSession, organization_id: uuid.UUID) -> OrgView:
    agent_rows = await agents.list_all(db=db, organization_id=organization_id)
    tool_rows = await tools.list_all(db=db, organization_id=organization_id)
    set_rows = await db.scalars(select(AgentSet).where(AgentSet.organization_id == organization_id))
    return OrgView(
        agents={a.slug: agents.spec_of(a) for a in agent_rows},
        webhook_tools={t.name for t in tool_rows},
        sets=[SetView(s.name, s.initial_agent, list(s.agent_slugs)) for s in set_rows],
    )


def catalog_problems(
    *, stt: str, llm: str, tts: str, voice: str | None, allow_test_providers: bool
) -> list[Problem]:
    problems: list[Problem] = []
    for role, value in ((ProviderRole.STT, stt), (ProviderRole.LLM, llm), (ProviderRole.TTS, tts)):
        spec = provider_by_id(value)
        if spec is None:
            problems.append(
                Problem(
                    "provider_unknown",
                    f"{role.value} provider {value!r} is not in the catalog.",
                    role.value,
                )
            )
        elif spec.role != role:
            problems.append(
                Problem(
                    "provider_role_mismatch",
                    f"{value!r} is a {spec.role.value} provider, not a {role.value} provider.",
                    role.value,
                )
            )
        elif spec.test_only and not allow_test_providers:
            problems.append(
                Problem(
                    "provider_test_only",
                    f"{value!r} is a test-only provider; it needs TROUPE_ENABLE_TEST_PROVIDERS.",
                    role.value,
                )
            )
    tts_spec = provider_by_id(tts)
    if voice is not None and tts_spec is not None and tts_spec.role == ProviderRole.TTS:
        # a cloud provider's voices are its own list (GET /catalog/voices, fetched with the
        # organization's key): any voice id it may know is accepted; offline voices are fixed,
        # and so are those of a provider whose catalog lists them (OpenAI's documented voices)
        fixed = tts_spec.offline or (voice != "default" and "default" not in tts_spec.voices)
        if voice not in tts_spec.voices and fixed:
            offered = ", ".join(tts_spec.voices) or "none"
            problems.append(
                Problem(
                    "voice_unknown",
                    f"Voice {voice!r} is not offered by {tts!r} (voices: {offered}).",
                    "voice",
                )
            )
    return problems


def catalog(*, allow_test_providers: bool) -> list[Any]:
    return [p for p in PROVIDER_CATALOG if allow_test_providers or not p.test_only]


def _duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]


def agent_problems(spec: AgentSpec, view: OrgView, *, allow_test_providers: bool) -> list[Problem]:
    """Everything wrong with ``spec`` given the rest of its organization (``view``)."""
    problems = catalog_problems(
        stt=spec.stt,
        llm=spec.llm,
        tts=spec.tts,
        voice=spec.voice,
        allow_test_providers=allow_test_providers,
    )
    for i, name in enumerate(spec.tools):
        if not view.tool_exists(name):
            problems.append(
                Problem(
                    "tool_unknown", f"Tool {name!r} is not in the tool registry.", f"tools[{i}]"
                )
            )
    for name in _duplicates(spec.tools):
        problems.append(Problem("tool_duplicate", f"Tool {name!r} is listed twice.", "tools"))
    containing = [s for s in view.sets if spec.slug in s.agents]
    for i, handoff in enumerate(spec.handoffs):
        where = f"handoffs[{i}].agent"
        target = handoff.agent
        if target == spec.slug:
            problems.append(Problem("handoff_self", "An agent cannot hand off to itself.", where))
        elif target not in view.agents:
            problems.append(
                Problem(
                    "handoff_target_unknown",
                    f"Handoff target {target!r} is not an agent of this organization.",
                    where,
                )
            )
        else:
            problems += [
                Problem(
                    "handoff_target_not_in_set",
                    f"Handoff target {target!r} is not in agent set {s.name!r}, "
                    f"which {spec.slug!r} belongs to.",
                    where,
                )
                for s in containing
                if target not in s.agents
            ]
    for target in _duplicates(h.agent for h in spec.handoffs):
        problems.append(
            Problem("handoff_duplicate", f"Handoff target {target!r} is listed twice.", "handoffs")
        )
    for i, handoff in enumerate(spec.handoffs):
        problems += handoff_plan_problems(handoff, f"handoffs[{i}]")
    for i, modality in enumerate(spec.modalities):
        if modality not in MODALITIES:
            problems.append(
                Problem(
                    "modality_unknown",
                    f"{modality!r} is not a modality ({', '.join(MODALITIES)}).",
                    f"modalities[{i}]",
                )
            )
    for i, panel in enumerate(spec.panels):
        if panel not in PANELS:
            problems.append(
                Problem(
                    "panel_unknown",
                    f"{panel!r} is not a panel type ({', '.join(PANELS)}).",
                    f"panels[{i}]",
                )
            )
    return problems


MAX_HANDOFF_VARIABLES = 20
MAX_RULE_CONDITIONS = 10
_SCALAR_OPS = {RuleOp.EQ, RuleOp.NE}
_NUMBER_OPS = {RuleOp.LT, RuleOp.LTE, RuleOp.GT, RuleOp.GTE}
_LIST_OPS = {RuleOp.IN, RuleOp.NOT_IN}
_VALUE_FITS: dict[VariableType, Callable[[object], bool]] = {
    VariableType.STRING: lambda v: isinstance(v, str),
    VariableType.NUMBER: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    VariableType.INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
    VariableType.BOOLEAN: lambda v: isinstance(v, bool),
}


def _rule_value_problem(condition: RuleCondition, declared: VariableType | None) -> str | None:
    """Why ``condition.value`` does not suit its op (or the declared variable's type)."""
    op, value = condition.op, condition.value
    if op in (RuleOp.EXISTS, RuleOp.MISSING):
        return None if value is None else f"{op.value!r} takes no value"
    if op in _LIST_OPS:
        if not isinstance(value, list) or not value:
            return f"{op.value!r} needs a non-empty list of values"
        values: list[object] = list(value)
    elif op in _NUMBER_OPS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{op.value!r} compares numbers and needs a number"
        values = [value]
    else:
        if value is None or isinstance(value, list):
            return f"{op.value!r} needs one value"
        values = [value]
    if declared is not None and not all(_VALUE_FITS[declared](v) for v in values):
        return f"{condition.variable!r} is declared as {declared.value}; compare it with one"
    return None


def handoff_plan_problems(handoff: HandoffTarget, where: str) -> list[Problem]:
    """The context plan, variables and rejection rule of one handoff target."""
    problems: list[Problem] = []
    if handoff.context_policy == ContextPolicy.LAST_N and handoff.last_n is None:
        problems.append(
            Problem(
                "handoff_last_n_required",
                "The last_n plan needs last_n, the number of messages to pass.",
                f"{where}.last_n",
            )
        )
    if len(handoff.variables) > MAX_HANDOFF_VARIABLES:
        problems.append(
            Problem(
                "handoff_variables_too_many",
                f"A handoff declares at most {MAX_HANDOFF_VARIABLES} variables.",
                f"{where}.variables",
            )
        )
    for name in _duplicates(v.name for v in handoff.variables):
        problems.append(
            Problem(
                "handoff_variable_duplicate",
                f"Variable {name!r} is declared twice.",
                f"{where}.variables",
            )
        )
    rule = handoff.reject_when
    if rule is None:
        return problems
    if not rule.conditions:
        problems.append(
            Problem(
                "handoff_rule_empty",
                "A rejection rule needs at least one condition.",
                f"{where}.reject_when.conditions",
            )
        )
    elif len(rule.conditions) > MAX_RULE_CONDITIONS:
        problems.append(
            Problem(
                "handoff_rule_too_large",
                f"A rejection rule has at most {MAX_RULE_CONDITIONS} conditions.",
                f"{where}.reject_when.conditions",
            )
        )
    declared = {v.name: v.type for v in handoff.variables}
    for j, condition in enumerate(rule.conditions):
        if problem := _rule_value_problem(condition, declared.get(condition.variable)):
            problems.append(
                Problem(
                    "handoff_rule_value_invalid",
                    f"Condition on {condition.variable!r}: {problem}.",
                    f"{where}.reject_when.conditions[{j}].value",
                )
            )
    return problems


def set_problems(agent_set: SetView, view: OrgView) -> list[Problem]:
    problems: list[Problem] = []
    if not agent_set.agents:
        problems.append(Problem("set_empty", "An agent set needs at least one agent.", "agents"))
    for i, slug in enumerate(agent_set.agents):
        if slug not in view.agents:
            problems.append(
                Problem(
                    "set_agent_unknown",
                    f"Agent {slug!r} is not an agent of this organization.",
                    f"agents[{i}]",
                )
            )
    for slug in _duplicates(agent_set.agents):
        problems.append(
            Problem("set_agent_duplicate", f"Agent {slug!r} is listed twice.", "agents")
        )
    if agent_set.initial_agent not in agent_set.agents:
        problems.append(
            Problem(
                "set_initial_agent_not_member",
                f"The initial agent {agent_set.initial_agent!r} is not in the set.",
                "initial_agent",
            )
        )
    for slug in agent_set.agents:
        spec = view.agents.get(slug)
        for handoff in spec.handoffs if spec else []:
            if handoff.agent not in agent_set.agents:
                problems.append(
                    Problem(
                        "handoff_target_not_in_set",
                        f"Agent {slug!r} hands off to {handoff.agent!r}, which is not in the set.",
                        "agents",
                    )
                )
    return problems


@dataclass
class EffectiveTemplate:
    """A template's fields after applying one environment's override."""

    initial_agent: str
    modality_profile: str
    enabled_panels: list[str]
    idle_timeout_s: int
    max_duration_s: int
    record_audio: bool
    pinned_versions: dict[str, int]


OVERRIDABLE = (
    "initial_agent",
    "modality_profile",
    "enabled_panels",
    "idle_timeout_s",
    "max_duration_s",
    "record_audio",
    "pinned_versions",
)


def apply_override(base: EffectiveTemplate, override: dict[str, Any] | None) -> EffectiveTemplate:
    values = {k: getattr(base, k) for k in OVERRIDABLE}
    for key, value in (override or {}).items():
        if key == "pinned_versions":
            pins = dict(values["pinned_versions"])
            for slug, version in value.items():
                if version == "latest":
                    pins.pop(slug, None)
                else:
                    pins[slug] = version
            values["pinned_versions"] = pins
        elif key in values and value is not None:
            values[key] = value
    return EffectiveTemplate(**values)


def template_problems(
    template: EffectiveTemplate,
    members: list[str],
    specs: dict[str, AgentSpec],
    available_versions: dict[str, set[int]],
    *,
    prefix: str = "",
) -> list[Problem]:
    """``specs``: the spec each member runs (the pinned version's when pinned)."""
    problems: list[Problem] = []
    if template.initial_agent not in members:
        problems.append(
            Problem(
                "initial_agent_not_in_set",
                f"The initial agent {template.initial_agent!r} is not in the template's agent set.",
                f"{prefix}initial_agent",
            )
        )
    for slug, version in template.pinned_versions.items():
        if slug not in members:
            problems.append(
                Problem(
                    "pinned_agent_not_in_set",
                    f"Pinned agent {slug!r} is not in the template's agent set.",
                    f"{prefix}pinned_versions.{slug}",
                )
            )
        elif version not in available_versions.get(slug, set()):
            problems.append(
                Problem(
                    "pinned_version_unknown",
                    f"Agent {slug!r} has no version {version}.",
                    f"{prefix}pinned_versions.{slug}",
                )
            )
    allowed_media = PROFILE_MODALITIES.get(template.modality_profile)
    if allowed_media is None:
        problems.append(
            Problem(
                "modality_profile_unknown",
                f"{template.modality_profile!r} is not a modality profile "
                f"({', '.join(PROFILE_MODALITIES)}).",
                f"{prefix}modality_profile",
            )
        )
    else:
        for slug in members:
            for modality in specs[slug].modalities if slug in specs else []:
                if modality in MODALITIES and modality not in allowed_media:
                    problems.append(
                        Problem(
                            "modality_not_allowed",
                            f"Agent {slug!r} needs the {modality}, which modality profile "
                            f"{template.modality_profile!r} does not allow.",
                            f"{prefix}modality_profile",
                        )
                    )
    allowed_panels = {p for s in members if s in specs for p in specs[s].panels}
    for i, panel in enumerate(template.enabled_panels):
        where = f"{prefix}enabled_panels[{i}]"
        if panel not in PANELS:
            problems.append(
                Problem(
                    "panel_unknown", f"{panel!r} is not a panel type ({', '.join(PANELS)}).", where
                )
            )
        elif panel not in allowed_panels:
            problems.append(
                Problem(
                    "panel_not_allowed",
                    f"Panel {panel!r} is enabled but no agent of the set may use it.",
                    where,
                )
            )
    if not 10 <= template.idle_timeout_s <= 3600:
        problems.append(
            Problem(
                "idle_timeout_out_of_range",
                "idle_timeout_s must be 10..3600.",
                f"{prefix}idle_timeout_s",
            )
        )
    if not 30 <= template.max_duration_s <= 4 * 3600:
        problems.append(
            Problem(
                "max_duration_out_of_range",
                "max_duration_s must be 30..14400.",
                f"{prefix}max_duration_s",
            )
        )
    return problems


async def member_specs(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    members: list[str],
    pinned: dict[str, int],
    view: OrgView,
) -> tuple[dict[str, AgentSpec], dict[str, set[int]]]:
    """The spec each member runs (pinned snapshot or current) and its existing versions."""
    rows = await agents.list_by_slugs(db=db, organization_id=organization_id, slugs=members)
    ids = {a.slug: a.id for a in rows}
    versions: dict[str, set[int]] = {s: set() for s in ids}
    snapshots: dict[tuple[str, int], dict[str, Any]] = {}
    if ids:
        by_id = {v: k for k, v in ids.items()}
        for row in await db.scalars(
            select(AgentVersion).where(AgentVersion.agent_id.in_(list(ids.values())))
        ):
            slug = by_id[row.agent_id]
            versions[slug].add(row.version)
            snapshots[(slug, row.version)] = row.snapshot
    specs: dict[str, AgentSpec] = {}
    for slug in members:
        if slug not in view.agents:
            continue
        snapshot = snapshots.get((slug, pinned[slug])) if slug in pinned else None
        specs[slug] = AgentSpec.model_validate(snapshot) if snapshot else view.agents[slug]
    return specs, versions

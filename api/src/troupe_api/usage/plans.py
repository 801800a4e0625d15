"""Plans and the limits they put on an organization. Platform operators set
``organizations.plan`` and ``trial_ends_at`` (``troupe-api org set-plan`` or the
``/platform/organizations`` routes); an org admin may lower (never raise) its own limits.
A new self-registered organization starts on the trial plan for ``TROUPE_TRIAL_DAYS``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from troupe_api.core.errors import ValidationFailed
from troupe_api.organizations.models import Organization


@dataclass(frozen=True)
class Plan:
    name: str
    sessions_per_day: int | None
    concurrent_sessions: int | None
    max_duration_s: int | None
    expires_with_trial: bool = False


PLANS: dict[str, Plan] = {
    "free": Plan("free", sessions_per_day=500, concurrent_sessions=20, max_duration_s=3600),
    "trial": Plan(
        "trial",
        sessions_per_day=1000,
        concurrent_sessions=20,
        max_duration_s=3600,
        expires_with_trial=True,
    ),
    "pro": Plan("pro", sessions_per_day=20_000, concurrent_sessions=200, max_duration_s=4 * 3600),
    "enterprise": Plan(
        "enterprise", sessions_per_day=None, concurrent_sessions=None, max_duration_s=None
    ),
}
TRIAL_DAYS = 14  # the default of TROUPE_TRIAL_DAYS


def initial_plan(*, trial_days: int, now: datetime) -> tuple[str, datetime | None]:
    """The plan and trial end of a new self-registered organization: the trial plan for
    ``trial_days`` days, or the free plan when trials are off (0)."""
    if trial_days <= 0:
        return "free", None
    return "trial", now + timedelta(days=trial_days)


def set_plan(
    org: Organization, *, plan: str, trial_days: int | None, default_trial_days: int, now: datetime
) -> None:
    """Put ``org`` on ``plan``. The trial plan ends ``trial_days`` (default: the configured
    trial length) from now; any other plan has no trial end."""
    if plan not in PLANS:
        raise ValidationFailed(
            f"Unknown plan {plan!r}.", details={"plan": plan, "plans": sorted(PLANS)}
        )
    if trial_days is not None and not PLANS[plan].expires_with_trial:
        raise ValidationFailed(
            "Only the trial plan has trial days.", details={"plan": plan, "trial_days": trial_days}
        )
    if PLANS[plan].expires_with_trial:
        days = default_trial_days if trial_days is None else trial_days
        if days < 0 or days > 3650:
            raise ValidationFailed("trial_days must be between 0 and 3650.")
        org.trial_ends_at = now + timedelta(days=days)
    else:
        org.trial_ends_at = None
    org.plan = plan


def plan_of(org: Organization) -> Plan:
    return PLANS.get(org.plan, PLANS["free"])


def _capped(org_value: int | None, plan_value: int | None) -> int | None:
    if org_value is None:
        return plan_value
    return org_value if plan_value is None else min(org_value, plan_value)


@dataclass(frozen=True)
class Limits:
    plan: str
    sessions_per_day: int | None
    concurrent_sessions: int | None
    max_duration_s: int | None
    trial_ends_at: datetime | None
    trial_expired: bool


def limits_for(org: Organization, *, now: datetime) -> Limits:
    plan = plan_of(org)
    expired = plan.expires_with_trial and org.trial_ends_at is not None and org.trial_ends_at <= now
    return Limits(
        plan=plan.name,
        sessions_per_day=_capped(org.quota_sessions_per_day, plan.sessions_per_day),
        concurrent_sessions=_capped(org.quota_concurrent_sessions, plan.concurrent_sessions),
        max_duration_s=_capped(org.quota_max_duration_s, plan.max_duration_s),
        trial_ends_at=org.trial_ends_at,
        trial_expired=expired,
    )

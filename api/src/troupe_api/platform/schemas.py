from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class PlanRead(BaseModel):
    name: str
    sessions_per_day: int | None
    concurrent_sessions: int | None
    max_duration_s: int | None
    expires_with_trial: bool


class PlatformOrganizationRead(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    plan: str
    trial_ends_at: datetime | None
    trial_expired: bool
    members: int
    created_at: datetime


class PlatformOrganizationList(BaseModel):
    items: list[PlatformOrganizationRead]
    plans: list[PlanRead]


class PlanUpdate(BaseModel):
    plan: str = Field(min_length=1, max_length=32, description="free, trial, pro or enterprise")
    trial_days: int | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="Trial plan only: days from now until it ends (default TROUPE_TRIAL_DAYS).",
    )

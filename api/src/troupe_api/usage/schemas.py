from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class UsageQuantities(BaseModel):
    llm_input_tokens: int
    llm_output_tokens: int
    stt_seconds: float
    tts_characters: int
    tts_seconds: float
    vision_frames: int
    session_minutes: float


class UsageBucketRead(UsageQuantities):
    key: str = Field(description="day (YYYY-MM-DD, UTC), agent slug, provider/model or template id")
    sessions: int
    cost_micros: int
    cost_usd: str


class UsageReport(BaseModel):
    since: datetime
    until: datetime
    group_by: str
    currency: str = "USD"
    items: list[UsageBucketRead]
    totals: UsageBucketRead


class UsageAlertRead(BaseModel):
    id: int
    kind: str = Field(description="cost_per_month | sessions_per_day | sessions_spike | cost_spike")
    period: str
    value: float
    threshold: float
    details: dict[str, float]
    created_at: datetime


class UsageAlertList(BaseModel):
    items: list[UsageAlertRead]


class RecommendationRead(BaseModel):
    code: str
    agent: str
    message: str
    current: str
    suggested: str
    estimated_monthly_savings_micros: int
    estimated_monthly_savings_usd: str


class RecommendationList(BaseModel):
    items: list[RecommendationRead]


class UsageSettingsRead(BaseModel):
    plan: str
    trial_ends_at: datetime | None
    trial_expired: bool
    sessions_per_day: int | None = Field(description="effective limit (plan, lowered by org)")
    concurrent_sessions: int | None
    max_duration_s: int | None
    quota_sessions_per_day: int | None = Field(description="the org's own limit, if any")
    quota_concurrent_sessions: int | None
    quota_max_duration_s: int | None
    retention_days: int
    alert_cost_per_month_micros: int | None
    alert_sessions_per_day: int | None
    redact_pii: bool = Field(
        description="Emails, phone and card numbers in session logs are replaced by "
        "[EMAIL], [PHONE], [CARD] before they are stored."
    )


class UsageSettingsUpdate(BaseModel):
    """Org admins lower their limits (never above the plan), pick retention and alerts.
    Fields left out stay; null clears an org limit or alert."""

    quota_sessions_per_day: int | None = Field(default=None, ge=0)
    quota_concurrent_sessions: int | None = Field(default=None, ge=0)
    quota_max_duration_s: int | None = Field(default=None, ge=60)
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    alert_cost_per_month_micros: int | None = Field(default=None, ge=0)
    alert_sessions_per_day: int | None = Field(default=None, ge=1)
    redact_pii: bool | None = None


class PriceFields(BaseModel):
    llm_input_per_mtok_micros: int = Field(default=0, ge=0)
    llm_output_per_mtok_micros: int = Field(default=0, ge=0)
    stt_per_minute_micros: int = Field(default=0, ge=0)
    tts_per_kchar_micros: int = Field(default=0, ge=0)
    tts_per_minute_micros: int = Field(default=0, ge=0)
    vision_per_frame_micros: int = Field(default=0, ge=0)
    session_per_minute_micros: int = Field(default=0, ge=0)


class PriceWrite(PriceFields):
    provider: str = Field(min_length=1, max_length=64)
    model: str = Field(min_length=1, max_length=128, description="`*`: the provider's others")


class PriceRead(PriceWrite):
    id: uuid.UUID
    scope: str = Field(description="default | organization")


class PriceList(BaseModel):
    items: list[PriceRead]

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

EventType = Literal["session.started", "session.ended", "analysis.completed", "usage.alert"]
EVENT_TYPES: tuple[str, ...] = (
    "session.started",
    "session.ended",
    "analysis.completed",
    "usage.alert",
)


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the URL must be an absolute http(s) URL")
    return value


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EndpointCreate(_Schema):
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=2000)
    events: list[EventType] = Field(min_length=1)
    enabled: bool = True

    _url = field_validator("url")(_check_url)


class EndpointUpdate(_Schema):
    url: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=2000)
    events: list[EventType] | None = Field(default=None, min_length=1)
    enabled: bool | None = None
    rotate_secret: bool = Field(default=False, description="Issue a new signing secret.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)


class EndpointRead(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    secret: str | None = Field(
        default=None, description="The signing secret: only in the answer that created it."
    )
    created_at: datetime
    updated_at: datetime


class EndpointList(BaseModel):
    items: list[EndpointRead]


class DeliveryRead(BaseModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: str
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: int | None
    response_excerpt: str | None
    last_error: str | None
    next_retry_at: datetime | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    payload: dict[str, Any]


class DeliveryList(BaseModel):
    items: list[DeliveryRead]

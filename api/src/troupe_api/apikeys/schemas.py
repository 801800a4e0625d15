from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from troupe_api.apikeys.models import Scope


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(min_length=1)
    expires_at: datetime | None = None


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="Shown once: tk_<prefix>_<secret>. Use as a Bearer token.")


class ApiKeyList(BaseModel):
    items: list[ApiKeyRead]

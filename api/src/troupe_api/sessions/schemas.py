"""API-only shapes of the sessions domain. What the browser and runtime exchange with the API
(SessionStartRequest/Response, SessionRead, SessionLogBatch, LogEntry) comes from
``troupe_contracts`` and is used as-is."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel
from troupe_contracts.log import LogEntry
from troupe_contracts.session import SessionRead


class SessionLogIngestResult(BaseModel):
    accepted: int
    duplicate: int
    final: bool


class SessionLogRead(BaseModel):
    session_id: UUID
    complete: bool
    close_reason: str | None
    entries: list[LogEntry]


class SessionList(BaseModel):
    items: list[SessionRead]
    next_cursor: str | None

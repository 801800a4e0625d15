from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class DependencyStatus(BaseModel):
    status: Literal["ok", "error"]
    latency_ms: float
    error: str | None = None


class Readiness(BaseModel):
    status: Literal["ok", "error"]
    checks: dict[str, DependencyStatus]

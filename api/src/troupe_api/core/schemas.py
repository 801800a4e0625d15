"""Shapes shared by every domain's API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(description="Stable snake_case code clients may switch on.")
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody

"""The one error envelope every HTTP error of the API uses."""

from typing import Any

from pydantic import Field

from troupe_contracts.base import Contract


class ErrorBody(Contract):
    code: str = Field(description="Stable snake_case code clients switch on.")
    message: str = Field(description="Human-readable explanation.")
    details: Any = None


class ErrorEnvelope(Contract):
    """``{"error": {"code", "message", "details"}}``."""

    error: ErrorBody

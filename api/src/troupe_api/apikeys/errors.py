"""API key errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import NotFound


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    default_message = "API key not found."

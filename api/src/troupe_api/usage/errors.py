"""Usage and plan errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import NotFound


class PriceNotFound(NotFound):
    code = "price_not_found"
    default_message = "Price override not found."

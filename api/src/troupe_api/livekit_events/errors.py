"""Errors of LiveKit's incoming server events (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import BadRequest, Unauthorized


class WebhookSignatureInvalid(Unauthorized):
    code = "webhook_signature_invalid"
    default_message = "The webhook signature is missing or invalid."


class WebhookPayloadInvalid(BadRequest):
    code = "webhook_payload_invalid"
    default_message = "The webhook body is not a LiveKit event."


class WebhookEventStale(BadRequest):
    code = "webhook_event_stale"
    default_message = "The event's own time is outside the accepted window (a replay?)."

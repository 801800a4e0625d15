"""Customer webhook errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import NotFound


class WebhookEndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"
    default_message = "Webhook endpoint not found."


class WebhookDeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    default_message = "Webhook delivery not found."

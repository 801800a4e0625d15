"""Deployment and embed errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Forbidden, NotFound, Unauthorized


class EmbedKeyInvalid(Unauthorized):
    code = "embed_key_invalid"
    default_message = "The embed key is unknown or its deployment is disabled."


class OriginNotAllowed(Forbidden):
    code = "origin_not_allowed"
    default_message = "This origin may not start sessions with this embed key."


class ServerStartRequired(Forbidden):
    code = "server_start_required"
    default_message = (
        "This deployment starts sessions from its owner's backend only "
        "(POST /api/v1/sessions/server-start with an API key)."
    )


class DeploymentNotFound(NotFound):
    code = "deployment_not_found"
    default_message = "Deployment not found."

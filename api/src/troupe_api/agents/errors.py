"""Agent errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import BadRequest, Conflict, NotFound


class AgentNotFound(NotFound):
    code = "agent_not_found"
    default_message = "Agent not found."


class AgentVersionNotFound(NotFound):
    code = "agent_version_not_found"
    default_message = "Agent version not found."


class AgentSlugTaken(Conflict):
    code = "agent_slug_taken"
    default_message = "Another agent of this organization already has this slug."


class AgentInUse(Conflict):
    code = "agent_in_use"
    default_message = "The agent is still referenced by agent sets or other agents' handoffs."


class AgentTemplateUnknown(NotFound):
    code = "agent_template_unknown"
    default_message = "No starter agent template has this id."


class AvatarInvalid(BadRequest):
    code = "avatar_invalid"
    default_message = "The avatar must be a PNG, JPEG or WebP image."


class AvatarNotFound(NotFound):
    code = "avatar_not_found"
    default_message = "Avatar not found."

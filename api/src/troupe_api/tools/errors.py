"""Tool errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import BadRequest, Conflict, NotFound, ValidationFailed


class ToolNotFound(NotFound):
    code = "tool_not_found"
    default_message = "Tool not found."


class ToolNameTaken(Conflict):
    code = "tool_name_taken"
    default_message = "Another tool of this organization already has this name."


class ToolInUse(Conflict):
    code = "tool_in_use"
    default_message = "The tool is still assigned to agents."


class ToolReadOnly(Conflict):
    code = "tool_read_only"
    default_message = "Built-in, panel and handoff tools are generated and cannot be changed."


class ToolArgumentsInvalid(ValidationFailed):
    code = "tool_arguments_invalid"
    default_message = "The arguments do not match the tool's parameter schema."


class WebhookUrlForbidden(BadRequest):
    code = "webhook_url_forbidden"
    default_message = "The webhook host resolves to a private, loopback or link-local address."

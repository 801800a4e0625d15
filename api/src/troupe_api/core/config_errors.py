"""Errors of the configuration domains (agents, agent sets, tools, session templates).

Validation failures are one ``config_invalid`` (422) error whose ``details.problems`` lists
every :class:`Problem`, each with its own stable ``code``, a ``field`` path and a message, so a
form can mark all the wrong fields at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from troupe_api.core.errors import BadRequest, Conflict, NotFound, ValidationFailed


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConfigInvalid(ValidationFailed):
    code = "config_invalid"
    default_message = "The configuration is invalid."

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        message = (
            problems[0].message
            if len(problems) == 1
            else f"The configuration has {len(problems)} problems."
        )
        super().__init__(message, details={"problems": [p.as_dict() for p in problems]})


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


class AgentSetNotFound(NotFound):
    code = "agent_set_not_found"
    default_message = "Agent set not found."


class AgentSetNameTaken(Conflict):
    code = "agent_set_name_taken"
    default_message = "Another agent set of this organization already has this name."


class AgentSetInUse(Conflict):
    code = "agent_set_in_use"
    default_message = "The agent set is still used by session templates."


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


class SessionTemplateNotFound(NotFound):
    code = "session_template_not_found"
    default_message = "Session template not found."


class SessionTemplateNameTaken(Conflict):
    code = "session_template_name_taken"
    default_message = "Another session template of this organization already has this name."


class ShareNotFound(NotFound):
    code = "template_share_not_found"
    default_message = "Template share not found."


class ShareTargetInvalid(BadRequest):
    code = "share_target_invalid"
    default_message = "A template can be shared only with another existing organization."


class CloneConflict(Conflict):
    code = "clone_conflict"
    default_message = (
        "The target organization already has differing agents or tools of these names."
    )


class ImportInvalid(ValidationFailed):
    code = "import_invalid"
    default_message = "The import document is invalid."

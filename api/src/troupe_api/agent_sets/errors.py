"""Agent set errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Conflict, NotFound


class AgentSetNotFound(NotFound):
    code = "agent_set_not_found"
    default_message = "Agent set not found."


class AgentSetNameTaken(Conflict):
    code = "agent_set_name_taken"
    default_message = "Another agent set of this organization already has this name."


class AgentSetInUse(Conflict):
    code = "agent_set_in_use"
    default_message = "The agent set is still used by session templates."

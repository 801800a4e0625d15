"""Session template errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import BadRequest, Conflict, Forbidden, NotFound


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


class TemplateNotAllowed(Forbidden):
    code = "template_not_allowed"
    default_message = "This embed key does not start that template."


class TemplateNotFound(NotFound):
    code = "template_not_found"
    default_message = "Template not found."

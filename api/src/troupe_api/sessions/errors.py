"""Session errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Conflict, NotFound, TroupeError, Unauthorized


class SessionNotFound(NotFound):
    code = "session_not_found"
    default_message = "Session not found."


class SessionEnded(Conflict):
    code = "session_ended"
    default_message = "The session has ended; start a new one."


class SessionTokenInvalid(Unauthorized):
    code = "session_token_invalid"
    default_message = "A valid participant token for this session is required."


class SessionNotJoinable(Conflict):
    code = "session_not_joinable"
    default_message = "This session has no participant a token could be issued for."


class SessionConfigInvalid(Conflict):
    code = "session_config_invalid"
    default_message = "The session's template or agents do not form a valid configuration."


class SessionVariablesInvalid(TroupeError):
    """``details.problems``: ``{code, name, message}`` with code ``variable_unknown``,
    ``variable_type`` or ``variable_required``."""

    status_code = 422
    code = "session_variables_invalid"
    default_message = "The session's variables do not match the template's declared variables."

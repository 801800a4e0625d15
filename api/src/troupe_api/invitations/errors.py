"""Invitation errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Forbidden, NotFound


class InvitationInvalid(NotFound):
    code = "invitation_invalid"
    default_message = "The invitation is unknown, expired, revoked or already used."


class InvitationEmailMismatch(Forbidden):
    code = "invitation_email_mismatch"
    default_message = "The invitation was sent to another email address."

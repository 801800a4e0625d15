"""User errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Conflict, TroupeError


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = "An account with this email already exists."


class EmailChangeInvalid(TroupeError):
    status_code = 400
    code = "email_change_invalid"
    default_message = "This confirmation link is not valid or has expired; request a new one."


class PasswordResetInvalid(TroupeError):
    status_code = 400
    code = "password_reset_invalid"
    default_message = (
        "This password reset link is not valid, was used or has expired; ask for a new one."
    )


class EmailVerificationInvalid(TroupeError):
    status_code = 400
    code = "email_verification_invalid"
    default_message = (
        "This verification link is not valid, was used or has expired; ask for a new one."
    )


class EmailNotVerified(TroupeError):
    status_code = 403
    code = "email_not_verified"
    default_message = (
        "Verify your e-mail address first: open the link we sent you, or ask for a new one."
    )

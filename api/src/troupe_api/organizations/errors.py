"""Organization membership errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Conflict, NotFound


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = "An organization must keep at least one admin."


class MemberNotFound(NotFound):
    code = "member_not_found"
    default_message = "Member not found."


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = "That user is already a member."

"""Who is calling, in which organization, with which role: the one dependency the
configuration routers (agents, agent sets, tools, templates, import/export) are written against.

Re-exports the auth layer (``troupe_api.deps``): ``get_org_context`` authenticates the caller
(access-token cookie or bearer, or an API key), picks the organization from ``X-Troupe-Org``
(id or slug; default: the user's first membership) and its role. ``require_role`` also checks
an API key's scope, derived from the route's tag (``<family>:read`` for GET, ``:write`` else).
Routers only use ``CurrentOrg`` and ``require_role`` (or the ``*Org`` aliases).
"""

from __future__ import annotations

from troupe_api.deps import (
    ORG_HEADER,
    AdminOrg,
    CurrentOrg,
    MemberOrg,
    OrgContext,
    ViewerOrg,
    get_org_context,
    require_role,
)

__all__ = [
    "ORG_HEADER",
    "AdminOrg",
    "CurrentOrg",
    "MemberOrg",
    "OrgContext",
    "ViewerOrg",
    "get_org_context",
    "require_role",
]

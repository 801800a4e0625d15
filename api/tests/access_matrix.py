"""Expected outcome of every route for every kind of caller, walked by test_api_access_matrix.

Callers: ``anon`` (no credentials), ``viewer`` / ``member`` / ``admin`` of organization A,
``other`` (admin of organization B, acting in B). Path parameters name A's objects, so
``other`` must never see them (404), and no answer to ``anon`` or ``other`` may contain A's
identifiers. Values: an exact status code or a class such as ``"2xx"``.

A route missing here fails the test: add it with the outcomes its authorization intends.
"""

from __future__ import annotations

from typing import Any

Expected = int | str
ROLES = ("anon", "other", "viewer", "member", "admin")


def everyone(status: Expected) -> dict[str, Expected]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: Expected, anon: Expected = 401) -> dict[str, Expected]:
    return {"anon": anon, "other": status, "viewer": status, "member": status, "admin": status}


def by_role(
    *, viewer: Expected, member: Expected, admin: Expected, other: Expected, anon: Expected = 401
) -> dict[str, Expected]:
    return {"anon": anon, "other": other, "viewer": viewer, "member": member, "admin": admin}


# Readable by viewers and up of the owning org; other org: 404 (scoped lookup).
READ_OWNED = by_role(viewer=200, member=200, admin=200, other=404)
# Writable by members and up; viewers 403; other org: 404.
WRITE_OWNED = by_role(viewer=403, member="2xx", admin="2xx", other=404)
# Admin work in the caller's own org (``other`` acts in B, which it administers).
ADMIN_OWN_ORG = by_role(viewer=403, member=403, admin="2xx", other="2xx")
# Admin work on one of A's objects: B's admin gets 404.
ADMIN_OWNED = by_role(viewer=403, member=403, admin="2xx", other=404)

# route id -> {"expect": {...}, "body": {...}, "query": "..."}; "{role}" in a body is replaced.
MATRIX: dict[str, dict[str, Any]] = {
    # --- public -------------------------------------------------------------------------------
    "health-liveness": {"expect": everyone(200)},
    "health-readiness": {"expect": everyone(200)},
    "webhooks-livekit": {"expect": everyone(401)},
    "runtime-session_config": {"expect": everyone(401)},
    "runtime-ingest_log": {"expect": everyone(401), "body": {"entries": [], "final": False}},
    "runtime-upload_recording": {"expect": everyone(401), "query": "duration_ms=1"},
    "runtime-knowledge_search": {
        "expect": everyone(401),
        "body": {"query": "refunds", "knowledge_base_ids": []},
    },
    # The signature is the credential: an unsigned/expired link is refused for everyone.
    "files-download": {"expect": everyone(403), "query": "key=recordings/x.ogg&expires=1&sig=x"},
    # --- auth -----------------------------------------------------------------------------------
    "auth-register": {
        "expect": everyone(201),
        "body": {
            "email": "{role}-new@example.com",
            "password": "a long enough password",
            "organization_name": "New org",
        },
    },
    "auth-login": {
        "expect": everyone(401),
        "body": {"email": "{role}@nobody.example", "password": "x"},
    },
    "auth-refresh": {"expect": everyone(401), "body": {}},
    "auth-logout": {"expect": signed_in(204)},
    "auth-logout_all": {"expect": signed_in(204)},
    # The mailed token is the credential: a wrong one is refused for everyone.
    "auth-confirm_email": {"expect": everyone(400), "body": {"token": "tec_wrong"}},
    # Signed-in users only (the factories' users are verified: nothing is sent, 202).
    "auth-resend_email_verification": {"expect": signed_in(202)},
    "auth-confirm_email_verification": {"expect": everyone(400), "body": {"token": "tev_wrong"}},
    # Always 202 (no account enumeration); the wrong reset token is refused for everyone.
    "auth-request_password_reset": {
        "expect": everyone(202),
        "body": {"email": "{role}@nobody.example"},
    },
    "auth-confirm_password_reset": {
        "expect": everyone(400),
        "body": {"token": "tpr_wrong", "password": "a long enough password"},
    },
    "auth-oauth_providers": {"expect": everyone(200)},
    "auth-oauth_start": {"expect": everyone(404)},
    "auth-oauth_callback": {"expect": everyone(404), "query": "code=c&state=s"},
    # --- me -----------------------------------------------------------------------------------
    "me-read": {"expect": signed_in(200)},
    "me-update": {"expect": signed_in(200), "body": {"display_name": "Renamed"}},
    "me-change_password": {
        "expect": signed_in(204),
        "body": {"current_password": "correct horse battery", "new_password": "another password 1"},
    },
    "me-request_email_change": {
        "expect": signed_in(202),
        "body": {"email": "{role}-moved@example.com", "current_password": "correct horse battery"},
    },
    "me-cancel_email_change": {"expect": signed_in(204)},
    # --- organizations, members, invitations ---------------------------------------------------
    "organizations-create": {"expect": signed_in(201), "body": {"name": "Another org"}},
    "organizations-read_current": {"expect": signed_in(200)},
    "organizations-update_current": {"expect": ADMIN_OWN_ORG, "body": {"name": "Renamed org"}},
    "organizations-list_members": {"expect": signed_in(200)},
    # --- platform operators (TROUPE_PLATFORM_ADMIN_EMAILS): no org role is enough -----------
    "platform-list_organizations": {"expect": signed_in(403)},
    "platform-set_plan": {"expect": signed_in(403), "body": {"plan": "enterprise"}},
    "organizations-change_role": {"expect": ADMIN_OWNED, "body": {"role": "member"}},
    # The target is another member of A; removing someone else needs admin.
    "organizations-remove_member": {"expect": ADMIN_OWNED},
    "organizations-list_invitations": {"expect": ADMIN_OWN_ORG},
    "organizations-create_invitation": {
        "expect": ADMIN_OWN_ORG,
        "body": {"email": "{role}-invitee@example.com", "role": "viewer"},
    },
    "organizations-revoke_invitation": {"expect": ADMIN_OWNED},
    "organizations-accept_invitation": {"expect": signed_in(404), "body": {"token": "inv_unknown"}},
    # --- api keys, audit ------------------------------------------------------------------------
    "api-keys-list": {"expect": ADMIN_OWN_ORG},
    "api-keys-create": {
        "expect": ADMIN_OWN_ORG,
        "body": {"name": "ci", "scopes": ["sessions:read"]},
    },
    "api-keys-revoke": {"expect": ADMIN_OWNED},
    # Write-only provider keys: admins of the caller's own org (B's admin writes B's key).
    "provider-keys-list": {"expect": ADMIN_OWN_ORG},
    "provider-keys-put": {
        "expect": ADMIN_OWN_ORG,
        "body": {"api_key": "dg-{role}-0123456789abcdef"},
    },
    "provider-keys-delete": {"expect": ADMIN_OWN_ORG},
    "audit-list": {"expect": ADMIN_OWN_ORG},
    # --- sessions -------------------------------------------------------------------------------
    # Embed starts are public; this body is a dashboard start of A's template.
    "sessions-start": {"expect": WRITE_OWNED, "body": {"template_id": "{template_id}"}},
    "sessions-list": {"expect": signed_in(200)},
    # A server-side start of A's deployment: B's admin does not own the embed key (401).
    "sessions-server_start": {
        "expect": by_role(viewer=403, member="2xx", admin="2xx", other=401),
        "body": {"embed_key": "{embed_key}"},
    },
    # The same rules in every mode: a session id alone reads nothing.
    "sessions-read": {"expect": READ_OWNED},
    "sessions-read_log": {"expect": READ_OWNED},
    "sessions-refresh_token": {"expect": {**WRITE_OWNED, "member": 200, "admin": 200}},
    "sessions-summary": {"expect": READ_OWNED},
    "sessions-replay": {"expect": READ_OWNED},
    "sessions-recordings": {"expect": READ_OWNED},
    "sessions-export": {"expect": READ_OWNED, "query": "format=csv"},
    # A's session has no analysis (its template defines none): an empty state once readable.
    "sessions-analysis": {"expect": READ_OWNED},
    # --- customer webhook endpoints (A's endpoint and one of its deliveries) -----------------------
    "webhook-endpoints-list": {"expect": signed_in(200)},
    "webhook-endpoints-create": {
        "expect": {**ADMIN_OWN_ORG, "admin": 201, "other": 201},
        "body": {"url": "https://hooks.example/{role}", "events": ["session.ended"]},
    },
    "webhook-endpoints-get": {"expect": READ_OWNED},
    "webhook-endpoints-update": {"expect": ADMIN_OWNED, "body": {"enabled": False}},
    "webhook-endpoints-delete": {"expect": ADMIN_OWNED},
    "webhook-endpoints-list_deliveries": {"expect": READ_OWNED},
    "webhook-endpoints-redeliver": {"expect": ADMIN_OWNED},
    # --- simulations (A's scenario and a queued run of it) ---------------------------------------
    "simulations-list_scenarios": {"expect": signed_in(200)},
    "simulations-create_scenario": {
        # other: A's template is not found from B
        "expect": {**WRITE_OWNED, "member": 201, "admin": 201},
        "body": {"name": "{role} scenario", "template_id": "{template_id}"},
    },
    "simulations-get_scenario": {"expect": READ_OWNED},
    "simulations-update_scenario": {
        "expect": WRITE_OWNED,
        "body": {"name": "renamed", "template_id": "{template_id}"},
    },
    # The member deletes it; the admin, later, finds nothing.
    "simulations-delete_scenario": {
        "expect": by_role(viewer=403, member=204, admin=404, other=404)
    },
    "simulations-create_run": {"expect": WRITE_OWNED, "body": {"mode": "text"}},
    "simulations-list_runs": {"expect": signed_in(200)},
    "simulations-get_run": {"expect": READ_OWNED},
    "simulations-diff_run": {"expect": READ_OWNED},
    "runtime-claim_simulation_run": {"expect": everyone(401)},
    "runtime-post_simulation_result": {"expect": everyone(401), "body": {}},
    "runtime-template_simulations": {"expect": everyone(401)},
    # --- deployments, embed ----------------------------------------------------------------------
    "deployments-list": {"expect": READ_OWNED},
    "deployments-create": {
        "expect": {**WRITE_OWNED, "member": 201, "admin": 201},
        "body": {"name": "{role}-dep", "allowed_origins": ["https://site.example"]},
    },
    # A's deployment (the one whose embed key starts sessions).
    "deployments-get": {"expect": READ_OWNED},
    "deployments-update": {"expect": WRITE_OWNED, "body": {"enabled": False}},
    "deployments-rotate_key": {"expect": WRITE_OWNED},
    "deployments-delete": {"expect": by_role(viewer=403, member=204, admin=404, other=404)},
    # Public by design: A's real embed key shows what its start page may show (no ids).
    "embed-info": {"expect": everyone(200)},
    # --- usage ------------------------------------------------------------------------------------
    "usage-report": {"expect": signed_in(200)},
    "usage-alerts": {"expect": signed_in(200)},
    "usage-recommendations": {"expect": signed_in(200)},
    "usage-read_settings": {"expect": signed_in(200)},
    "usage-update_settings": {"expect": ADMIN_OWN_ORG, "body": {"retention_days": 14}},
    "usage-list_prices": {"expect": signed_in(200)},
    "usage-set_price": {
        "expect": ADMIN_OWN_ORG,
        "body": {"provider": "openai", "model": "gpt-4.1", "llm_input_per_mtok_micros": 1},
    },
    # A's own price row.
    "usage-delete_price": {"expect": ADMIN_OWNED},
}

# Knowledge bases: members manage, viewers read; B's admin sees its own (empty) list only.
MATRIX.update(
    {
        "knowledge-list": {"expect": signed_in(200)},
        "knowledge-create": {
            "expect": by_role(viewer=403, member=201, admin=201, other=201),
            "body": {"name": "{role} knowledge"},
        },
        "knowledge-get": {"expect": READ_OWNED},
        "knowledge-delete": {"expect": by_role(viewer=403, member=204, admin=404, other=404)},
        "knowledge-list_documents": {"expect": READ_OWNED},
        # Sent as JSON, not multipart: the file is missing (422) once the role is allowed.
        "knowledge-upload_document": {
            "expect": by_role(viewer=403, member=422, admin=422, other=422)
        },
        "knowledge-get_document": {"expect": READ_OWNED},
        "knowledge-delete_document": {
            "expect": by_role(viewer=403, member=204, admin=404, other=404)
        },
        "knowledge-list_chunks": {"expect": READ_OWNED},
        "knowledge-query": {"expect": READ_OWNED, "body": {"query": "refund policy"}},
    }
)

# Configuration routes (agents, agent sets, tools, templates, catalog, import/export).
from access_matrix_config import CONFIG_MATRIX  # noqa: E402

MATRIX.update(CONFIG_MATRIX)

"""Access matrix entries of the configuration routes (agents, agent sets, tools, session
templates, catalog, import/export); merged into ``access_matrix.MATRIX``.

Path ids name real objects of organization A (the world's: agents ``ava`` and ``max``, a legacy
template, and per route an agent ``zed``, an agent set, a tool or a share of the template), so
B's admin is refused real objects (404)."""

from __future__ import annotations

from typing import Any

from access_matrix import by_role, everyone, signed_in

NIL = "00000000-0000-0000-0000-000000000000"
# Members and admins of A change A's object; B's admin does not find it.
WRITE_A = by_role(viewer=403, member=200, admin=200, other=404)
# The member deletes it; the admin, later, finds nothing.
DELETE_A = by_role(viewer=403, member=204, admin=404, other=404)
CREATE = by_role(viewer=403, member=201, admin=201, other=201)
READ_A = by_role(viewer=200, member=200, admin=200, other=404)
CREATE_A = by_role(viewer=403, member=201, admin=201, other=404)
AGENT_BODY = {"name": "X", "instructions": "Be brief."}

CONFIG_MATRIX: dict[str, dict[str, Any]] = {
    "catalog-get": {"expect": everyone(200)},
    # Signed-in users of any organization; API keys are refused (dashboard feature).
    "catalog-voice_preview": {
        "expect": signed_in(200),
        "body": {"tts": "local/espeak", "voice": "en-us", "text": "Hi"},
    },
    # Which providers have a key for the caller's organization (the agent form).
    "catalog-availability": {"expect": signed_in(200)},
    # A TTS provider's voices (installed offline ones here): signed-in users of any organization.
    "catalog-voices": {"expect": signed_in(200), "query": "tts=local/piper-joe"},
    # --- agents ---------------------------------------------------------------------------------
    "agents-list": {"expect": signed_in(200)},
    "agents-list_starters": {"expect": signed_in(200)},
    "agents-create": {"expect": CREATE, "body": {"slug": "{role}_agent", **AGENT_BODY}},
    "agents-create_from_template": {
        "expect": CREATE,
        "body": {"template": "receptionist", "slug": "{role}_desk"},
    },
    "agents-get": {"expect": READ_A},
    "agents-replace": {"expect": WRITE_A, "body": AGENT_BODY},
    "agents-update": {"expect": WRITE_A, "body": {"name": "Y"}},
    "agents-set_tools": {"expect": WRITE_A, "body": {"tools": []}},
    "agents-delete": {"expect": DELETE_A},
    "agents-duplicate": {"expect": CREATE_A, "body": {"slug": "{role}_dup"}},
    "agents-list_versions": {"expect": READ_A},
    "agents-get_version": {"expect": READ_A},
    "agents-diff_versions": {"expect": READ_A, "query": "from=1"},
    "agents-rollback": {"expect": WRITE_A, "body": {"version": 1}},
    # A JSON body is not an image: the caller who may change the avatar gets avatar_invalid.
    "agents-set_avatar": {"expect": by_role(viewer=403, member=400, admin=400, other=404)},
    "agents-delete_avatar": {"expect": WRITE_A},
    # Public (the random token is the key); an unknown token: 404 for everyone.
    "avatars-get": {"expect": everyone(404)},
    # --- agent sets -----------------------------------------------------------------------------
    "agent-sets-list": {"expect": signed_in(200)},
    # B has no agents ava/max: config_invalid.
    "agent-sets-create": {
        "expect": by_role(viewer=403, member=201, admin=201, other=422),
        "body": {"name": "{role} set", "initial_agent": "ava", "agents": ["ava", "max"]},
    },
    "agent-sets-get": {"expect": READ_A},
    "agent-sets-graph": {"expect": READ_A},
    "agent-sets-update": {"expect": WRITE_A, "body": {"description": "d"}},
    "agent-sets-delete": {"expect": DELETE_A},
    # --- tools ----------------------------------------------------------------------------------
    "tools-list": {"expect": signed_in(200)},
    "tools-usage": {"expect": signed_in(200)},
    "tools-create": {
        "expect": CREATE,
        "body": {"name": "{role}_hook", "description": "d", "url": "https://hooks.invalid/x"},
    },
    "tools-get": {"expect": READ_A},
    "tools-tool_usage": {"expect": READ_A},
    "tools-update": {"expect": WRITE_A, "body": {"description": "d"}},
    "tools-delete": {"expect": DELETE_A},
    # A's tool exists; its host (.invalid) does not resolve, so the dry run is refused (400).
    "tools-dry_run": {
        "expect": by_role(viewer=403, member=400, admin=400, other=404),
        "body": {"arguments": {}},
    },
    # --- session templates (template_id is A's legacy template, without an agent set) -----------
    "templates-list": {"expect": signed_in(200)},
    "templates-list_shared": {"expect": signed_in(200)},
    "templates-create": {
        "expect": by_role(viewer=403, member=422, admin=422, other=422),
        "body": {"name": "{role} tpl", "agent_set_id": NIL},
    },
    "templates-get": {"expect": by_role(viewer=200, member=200, admin=200, other=404)},
    # --- analysis and experiment configuration of A's template -----------------------------------
    "templates-get_analysis_config": {"expect": READ_A},
    "templates-set_analysis_config": {
        "expect": by_role(viewer=403, member=200, admin=200, other=404),
        "body": {
            "schema": {"type": "object", "properties": {"resolved": {"type": "boolean"}}},
            "criteria": [{"field": "resolved", "equals": True}],
        },
    },
    "templates-get_experiment": {"expect": READ_A},
    # Both arms resolve to a runnable config (ava has a version 1).
    "templates-set_experiment": {
        "expect": by_role(viewer=403, member=200, admin=200, other=404),
        "body": {
            "arms": [
                {"name": "a", "weight": 70},
                {"name": "b", "weight": 30, "pinned_versions": {"ava": 1}},
            ]
        },
    },
    "templates-experiment_results": {"expect": READ_A},
    "templates-template_analytics": {"expect": READ_A},
    "templates-replace": {
        "expect": by_role(viewer=403, member=422, admin=422, other=404),
        "body": {"name": "{role} tpl", "agent_set_id": NIL},
    },
    "templates-update": {
        "expect": by_role(viewer=403, member=422, admin=422, other=404),
        "body": {"description": "d"},
    },
    # A's legacy template enables "notepad", which none of its agents may use: a clone is
    # validated like any template and refused (panel_not_allowed).
    "templates-clone": {"expect": by_role(viewer=403, member=422, admin=422, other=404)},
    # The member deletes it; the admin, later, finds nothing.
    "templates-delete": {"expect": by_role(viewer=403, member=204, admin=404, other=404)},
    "templates-list_shares": {"expect": by_role(viewer=403, member=403, admin=200, other=404)},
    "templates-share": {
        "expect": by_role(viewer=403, member=403, admin=400, other=404),
        "body": {"organization": "no-such-org"},
    },
    # A's share of its template with a third organization.
    "templates-revoke_share": {"expect": by_role(viewer=403, member=403, admin=200, other=404)},
    # --- import / export ------------------------------------------------------------------------
    "bulk-export": {"expect": signed_in(200)},
    "bulk-import": {"expect": by_role(viewer=403, member=200, admin=200, other=200), "body": {}},
}

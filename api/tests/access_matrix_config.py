"""Access matrix entries of the configuration routes (agents, agent sets, tools, session
templates, catalog, import/export); merged into ``access_matrix.MATRIX``.

Path ids other than ``template_id`` are random, so signed-in callers get 404 once their role
passes; organization A (the world's) has agents ``ava`` and ``max`` and a legacy template."""

from __future__ import annotations

from typing import Any

from access_matrix import by_role, everyone, signed_in

NIL = "00000000-0000-0000-0000-000000000000"
# Role check first (viewer 403), then the random id is not found.
WRITE_MISSING = by_role(viewer=403, member=404, admin=404, other=404)
CREATE = by_role(viewer=403, member=201, admin=201, other=201)
READ_A = by_role(viewer=200, member=200, admin=200, other=404)
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
    # --- agents ---------------------------------------------------------------------------------
    "agents-list": {"expect": signed_in(200)},
    "agents-list_starters": {"expect": signed_in(200)},
    "agents-create": {"expect": CREATE, "body": {"slug": "{role}_agent", **AGENT_BODY}},
    "agents-create_from_template": {
        "expect": CREATE,
        "body": {"template": "receptionist", "slug": "{role}_desk"},
    },
    "agents-get": {"expect": signed_in(404)},
    "agents-replace": {"expect": WRITE_MISSING, "body": AGENT_BODY},
    "agents-update": {"expect": WRITE_MISSING, "body": {"name": "Y"}},
    "agents-set_tools": {"expect": WRITE_MISSING, "body": {"tools": []}},
    "agents-delete": {"expect": WRITE_MISSING},
    "agents-duplicate": {"expect": WRITE_MISSING, "body": {"slug": "dup"}},
    "agents-list_versions": {"expect": signed_in(404)},
    # {version} is filled with a non-integer: request validation after authentication.
    "agents-get_version": {"expect": signed_in(422)},
    "agents-diff_versions": {"expect": signed_in(404), "query": "from=1"},
    "agents-rollback": {"expect": WRITE_MISSING, "body": {"version": 1}},
    # --- agent sets -----------------------------------------------------------------------------
    "agent-sets-list": {"expect": signed_in(200)},
    # B has no agents ava/max: config_invalid.
    "agent-sets-create": {
        "expect": by_role(viewer=403, member=201, admin=201, other=422),
        "body": {"name": "{role} set", "initial_agent": "ava", "agents": ["ava", "max"]},
    },
    "agent-sets-get": {"expect": signed_in(404)},
    "agent-sets-graph": {"expect": signed_in(404)},
    "agent-sets-update": {"expect": WRITE_MISSING, "body": {"description": "d"}},
    "agent-sets-delete": {"expect": WRITE_MISSING},
    # --- tools ----------------------------------------------------------------------------------
    "tools-list": {"expect": signed_in(200)},
    "tools-usage": {"expect": signed_in(200)},
    "tools-create": {
        "expect": CREATE,
        "body": {"name": "{role}_hook", "description": "d", "url": "https://hooks.invalid/x"},
    },
    "tools-get": {"expect": signed_in(404)},
    "tools-tool_usage": {"expect": signed_in(404)},
    "tools-update": {"expect": WRITE_MISSING, "body": {"description": "d"}},
    "tools-delete": {"expect": WRITE_MISSING},
    "tools-dry_run": {"expect": WRITE_MISSING, "body": {"arguments": {}}},
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
    "templates-revoke_share": {"expect": by_role(viewer=403, member=403, admin=404, other=404)},
    # --- import / export ------------------------------------------------------------------------
    "bulk-export": {"expect": signed_in(200)},
    "bulk-import": {"expect": by_role(viewer=403, member=200, admin=200, other=200), "body": {}},
}

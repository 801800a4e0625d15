"""Tool registry: generated tools, webhook CRUD and validation, secrets encrypted at rest and
masked, key rotation, SSRF-guarded dry run against a local server, usage statistics."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from config_helpers import caller, create_agent, problems
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.crypto import SecretBox
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Role
from troupe_api.sessions import service as sessions
from troupe_api.tools.models import Tool

T = "/api/v1/tools"
SECRET = "sk-live-very-secret-value"
PARAMS = {
    "type": "object",
    "properties": {"order_id": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
    "required": ["order_id"],
}


def hook(
    name: str = "lookup_order", url: str = "https://hooks.example.com/orders", **kw: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "description": "Look up an order by id.",
        "url": url,
        "method": "POST",
        "headers": {"X-Shop": "demo"},
        "secret_headers": {"Authorization": f"Bearer {SECRET}"},
        "parameters": PARAMS,
        "timeout_s": 5,
        **kw,
    }


class _Recorder(BaseHTTPRequestHandler):
    calls: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        _Recorder.calls.append({"headers": dict(self.headers), "body": body})
        payload = json.dumps({"status": "shipped", "order_id": body.get("order_id")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_webhook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        thread.join()


async def test_registry_lists_builtin_panel_handoff_and_webhook_tools(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "max")
    created = await client.post(T, json=hook(), headers=me.headers)
    assert created.status_code == 201, created.text
    await create_agent(
        client,
        me,
        "ava",
        tools=["lookup_order", "show_toast"],
        panels=["code"],
        handoffs=[{"agent": "max", "description": "Tech help."}],
    )
    items = (await client.get(T, headers=me.headers)).json()["items"]
    by_kind: dict[str, list[str]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item["name"])
    assert set(by_kind["builtin"]) == {
        "request_screen_share",
        "request_camera",
        "send_ui_action",
        "search_knowledge_base",
        "log_observation",
        "open_url",
        "show_toast",
        "share_notes",
        "end_session",
    }
    assert {"open_code", "control_code", "read_code", "close_code"} <= set(by_kind["panel"])
    assert len(by_kind["panel"]) == 20
    assert by_kind["handoff"] == ["transfer_to_max"]
    assert by_kind["webhook"] == ["lookup_order"]
    tools = {i["name"]: i for i in items}
    assert tools["lookup_order"]["agents"] == ["ava"]
    assert tools["show_toast"]["agents"] == ["ava"] and tools["show_toast"]["read_only"]
    assert tools["open_code"]["agents"] == ["ava"]
    assert tools["transfer_to_max"]["description"] == "Tech help."
    assert tools["transfer_to_max"]["handoff_from"] == "ava"
    only = (await client.get(f"{T}?kind=handoff", headers=me.headers)).json()["items"]
    assert [t["name"] for t in only] == ["transfer_to_max"]


async def test_webhook_validation(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    bad = await client.post(
        T,
        json=hook(
            name="show_toast",
            url="ftp://files.example.com/x",
            parameters={"type": "object", "properties": {"x": {"type": "banana"}}},
            headers={"Bad Header": "v", "Authorization": "dup"},
        ),
        headers=me.headers,
    )
    codes = problems(bad)
    assert codes[0] == (
        "tool_name_reserved",
        "name",
        "'show_toast' is the name of a built-in or generated tool.",
    )
    assert codes[1] == ("webhook_url_invalid", "url", "The URL must be an absolute http(s) URL.")
    assert codes[2][0:2] == ("tool_parameters_invalid", "parameters")
    assert codes[2][2].startswith("parameters is not a valid JSON Schema (Draft 2020-12): ")
    assert codes[3] == (
        "tool_header_invalid",
        "headers",
        "'Bad Header' is not a valid header name.",
    )
    assert codes[4] == (
        "tool_header_duplicate",
        "secret_headers",
        "Header 'Authorization' is both a plain and a secret header.",
    )
    not_object = await client.post(T, json=hook(parameters={"type": "string"}), headers=me.headers)
    assert problems(not_object) == [
        (
            "tool_parameters_not_object",
            "parameters",
            'parameters must describe an object: {"type": "object", ...}.',
        )
    ]
    handoff_name = await client.post(T, json=hook(name="transfer_to_x"), headers=me.headers)
    assert problems(handoff_name)[0][0] == "tool_name_reserved"
    assert (await client.post(T, json=hook(), headers=me.headers)).status_code == 201
    again = await client.post(T, json=hook(), headers=me.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "tool_name_taken"


async def test_secrets_encrypted_at_rest_masked_in_reads_and_rotatable(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    created = (await client.post(T, json=hook(), headers=me.headers)).json()
    assert created["secret_headers"] == {"Authorization": "********"}
    assert created["headers"] == {"X-Shop": "demo"}
    for url in (f"{T}/{created['id']}", T, "/api/v1/export"):
        text = (await client.get(url, headers=me.headers)).text
        assert SECRET not in text, url

    row = await db.scalar(select(Tool).where(Tool.id == uuid.UUID(created["id"])))
    assert row is not None and row.secret_headers is not None
    assert SECRET not in row.secret_headers and SECRET not in json.dumps(row.headers)
    box = SecretBox.from_settings(settings)
    assert box.decrypt_json(row.secret_headers) == {"Authorization": f"Bearer {SECRET}"}

    # Sending the mask back keeps the stored value; a new value replaces it.
    kept = await client.patch(
        f"{T}/{created['id']}",
        json={"description": "Changed.", "secret_headers": {"Authorization": "********"}},
        headers=me.headers,
    )
    assert kept.status_code == 200, kept.text
    await db.refresh(row)
    assert row.secret_headers is not None
    assert box.decrypt_json(row.secret_headers) == {"Authorization": f"Bearer {SECRET}"}

    # Rotation: a token of the old key still decrypts with the old key listed as previous.
    old = SecretBox("an-old-key-that-was-retired-long-ago")
    token = old.encrypt_json({"k": "v"})
    rotated_box = SecretBox(settings.encryption_key, ["an-old-key-that-was-retired-long-ago"])
    assert rotated_box.decrypt_json(token) == {"k": "v"}
    rotated = rotated_box.rotate(token)
    assert SecretBox(settings.encryption_key).decrypt_json(rotated) == {"k": "v"}

    export = await client.get("/api/v1/export?include_secrets=true", headers=me.headers)
    assert export.json()["tools"][0]["secret_headers"] == {"Authorization": f"Bearer {SECRET}"}


async def test_dry_run_validates_arguments_and_calls_allowed_local_server(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, local_webhook: str
) -> None:
    me = await caller(db, settings)
    saved = list(settings.webhook_allowed_hosts)
    settings.webhook_allowed_hosts = ["127.0.0.1"]
    try:
        tool = (await client.post(T, json=hook(url=local_webhook), headers=me.headers)).json()
    finally:
        settings.webhook_allowed_hosts = saved
    url = f"{T}/{tool['id']}/dry-run"

    invalid = await client.post(url, json={"arguments": {"qty": 0}}, headers=me.headers)
    assert invalid.status_code == 422
    error = invalid.json()["error"]
    assert error["code"] == "tool_arguments_invalid"
    assert error["details"]["errors"] == [
        {"path": "", "message": "'order_id' is a required property"},
        {"path": "qty", "message": "0 is less than the minimum of 1"},
    ]

    refused = await client.post(url, json={"arguments": {"order_id": "A1"}}, headers=me.headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "webhook_url_forbidden"
    assert refused.json()["error"]["details"] == {"host": "127.0.0.1", "addresses": ["127.0.0.1"]}
    assert _Recorder.calls == []

    settings.webhook_allowed_hosts = ["127.0.0.1"]
    try:
        ok = await client.post(url, json={"arguments": {"order_id": "A1"}}, headers=me.headers)
    finally:
        settings.webhook_allowed_hosts = saved
    assert ok.status_code == 200, ok.text
    result = ok.json()
    assert result["ok"] is True and result["status_code"] == 200
    assert json.loads(result["response_body"]) == {"status": "shipped", "order_id": "A1"}
    assert _Recorder.calls[0]["body"] == {"order_id": "A1"}
    assert _Recorder.calls[0]["headers"]["Authorization"] == f"Bearer {SECRET}"
    assert _Recorder.calls[0]["headers"]["X-Shop"] == "demo"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:9/x",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://[::1]:8080/x",
        "http://0.0.0.0/x",
        "http://127.0.0.1:8000/api/v1/",
        "http://100.64.0.1/x",
        "http://[::ffff:169.254.169.254]/x",
        "http://[64:ff9b::a9fe:a9fe]/x",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
async def test_internal_addresses_are_refused_at_create_update_and_dry_run(
    url: str, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    created = await client.post(T, json=hook(url=url), headers=me.headers)
    assert created.status_code == 400, created.text
    assert created.json()["error"]["code"] == "webhook_url_forbidden"
    tool = (await client.post(T, json=hook(), headers=me.headers)).json()
    moved = await client.patch(f"{T}/{tool['id']}", json={"url": url}, headers=me.headers)
    assert moved.status_code == 400 and moved.json()["error"]["code"] == "webhook_url_forbidden"
    # A URL stored before this check (or imported) is refused when called.
    row = await db.get(Tool, uuid.UUID(tool["id"]))
    assert row is not None
    row.url = url
    await db.flush()
    response = await client.post(
        f"{T}/{tool['id']}/dry-run", json={"arguments": {"order_id": "1"}}, headers=me.headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "webhook_url_forbidden"


async def test_a_new_origin_drops_the_secrets_unless_an_admin_moves_it(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    admin = await caller(db, settings)
    member = await caller(db, settings, Role.MEMBER, org=admin.org)
    tool = (await client.post(T, json=hook(), headers=admin.headers)).json()
    box = SecretBox.from_settings(settings)

    async def stored() -> dict[str, str]:
        row = await db.get(Tool, uuid.UUID(tool["id"]))
        assert row is not None
        await db.refresh(row)
        return box.decrypt_json(row.secret_headers) if row.secret_headers else {}

    # Same origin, other path: the member keeps the secrets.
    same = await client.patch(
        f"{T}/{tool['id']}",
        json={"url": "https://hooks.example.com/v2/orders"},
        headers=member.headers,
    )
    assert same.status_code == 200, same.text
    assert await stored() == {"Authorization": f"Bearer {SECRET}"}
    # Another origin by a member: the stored secrets do not follow (even sent back masked).
    moved = await client.patch(
        f"{T}/{tool['id']}",
        json={
            "url": "https://collector.example.net/orders",
            "secret_headers": {"Authorization": "********"},
        },
        headers=member.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["secret_headers"] == {}
    assert await stored() == {}
    # A new value given with the move is the member's own: kept.
    given = await client.patch(
        f"{T}/{tool['id']}",
        json={"url": "https://hooks.example.com/orders", "secret_headers": {"X-Key": "mine"}},
        headers=member.headers,
    )
    assert given.status_code == 200 and await stored() == {"X-Key": "mine"}
    # An admin may move a tool with its secrets.
    by_admin = await client.patch(
        f"{T}/{tool['id']}",
        json={"url": "https://other.example.org/orders"},
        headers=admin.headers,
    )
    assert by_admin.status_code == 200 and await stored() == {"X-Key": "mine"}


async def test_tool_in_use_and_usage_statistics(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    me = await caller(db, settings)
    tool = (await client.post(T, json=hook(), headers=me.headers)).json()
    await create_agent(client, me, "ava", tools=["lookup_order"])
    in_use = await client.delete(f"{T}/{tool['id']}", headers=me.headers)
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "tool_in_use"
    assert in_use.json()["error"]["details"] == {"agents": ["ava"]}
    rename = await client.patch(f"{T}/{tool['id']}", json={"name": "renamed"}, headers=me.headers)
    assert rename.status_code == 409

    session = await sessions.create(
        db=db,
        organization_id=me.org.id,
        template_id=None,
        deployment_id=None,
        end_user_id=None,
        participant_identity="user-u",
        metadata={},
    )
    await db.commit()
    ts = datetime.now(UTC).isoformat()
    entries = [
        {
            "kind": "tool_call",
            "seq": 0,
            "ts": ts,
            "agent": "ava",
            "tool": "lookup_order",
            "latency_ms": 100.0,
        },
        {
            "kind": "tool_call",
            "seq": 1,
            "ts": ts,
            "agent": "ava",
            "tool": "lookup_order",
            "error": "boom",
            "latency_ms": 300.0,
        },
        {"kind": "tool_call", "seq": 2, "ts": ts, "agent": "ava", "tool": "show_toast"},
        {"kind": "message", "seq": 3, "ts": ts, "role": "user", "text": "hi"},
    ]
    ingested = await client.post(
        f"/api/v1/runtime/sessions/{session.id}/log",
        json={"entries": entries},
        headers=runtime_headers,
    )
    assert ingested.status_code == 200, ingested.text

    one = (await client.get(f"{T}/{tool['id']}/usage", headers=me.headers)).json()
    assert one["name"] == "lookup_order" and one["calls"] == 2 and one["errors"] == 1
    assert one["avg_latency_ms"] == 200.0 and one["last_called_at"] is not None
    every = (await client.get(f"{T}/usage", headers=me.headers)).json()["items"]
    assert [(u["name"], u["calls"]) for u in every] == [("lookup_order", 2), ("show_toast", 1)]
    other = await caller(db, settings)
    assert (await client.get(f"{T}/usage", headers=other.headers)).json()["items"] == []

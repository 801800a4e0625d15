"""Webhook tools: storage with encrypted secret headers, validation, SSRF-guarded dry runs
and usage counts from session logs."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts import address_policy
from troupe_contracts.config import ToolConfig, ToolKind

from troupe_api.core.config_errors import Problem
from troupe_api.core.crypto import SecretBox
from troupe_api.sessions.models import SessionLogEntry
from troupe_api.tools.builtin import is_reserved_name
from troupe_api.tools.errors import ToolArgumentsInvalid, WebhookUrlForbidden
from troupe_api.tools.models import Tool
from troupe_api.tools.schemas import SECRET_MASK, DryRunResult, ToolUsage, WebhookToolSpec

MAX_RESPONSE_CHARS = 4096
CREATE_RESOLVE_TIMEOUT_S = 3.0
_HEADER_NAME = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


async def list_all(*, db: AsyncSession, organization_id: uuid.UUID) -> list[Tool]:
    rows = await db.scalars(
        select(Tool).where(Tool.organization_id == organization_id).order_by(Tool.name)
    )
    return list(rows)


async def get(*, db: AsyncSession, organization_id: uuid.UUID, tool_id: uuid.UUID) -> Tool | None:
    return await db.scalar(
        select(Tool).where(Tool.organization_id == organization_id, Tool.id == tool_id)
    )


async def get_by_name(*, db: AsyncSession, organization_id: uuid.UUID, name: str) -> Tool | None:
    return await db.scalar(
        select(Tool).where(Tool.organization_id == organization_id, Tool.name == name)
    )


def spec_problems(spec: WebhookToolSpec) -> list[Problem]:
    problems: list[Problem] = []
    if is_reserved_name(spec.name):
        problems.append(
            Problem(
                "tool_name_reserved",
                f"{spec.name!r} is the name of a built-in or generated tool.",
                "name",
            )
        )
    parts = urlsplit(spec.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(
            Problem("webhook_url_invalid", "The URL must be an absolute http(s) URL.", "url")
        )
    try:
        Draft202012Validator.check_schema(spec.parameters)
    except SchemaError as exc:
        problems.append(
            Problem(
                "tool_parameters_invalid",
                f"parameters is not a valid JSON Schema (Draft 2020-12): {exc.message}",
                "parameters",
            )
        )
    else:
        if spec.parameters.get("type") != "object":
            problems.append(
                Problem(
                    "tool_parameters_not_object",
                    'parameters must describe an object: {"type": "object", ...}.',
                    "parameters",
                )
            )
    for where, headers in (("headers", spec.headers), ("secret_headers", spec.secret_headers)):
        for name in headers:
            if not name or not set(name) <= _HEADER_NAME:
                problems.append(
                    Problem("tool_header_invalid", f"{name!r} is not a valid header name.", where)
                )
    lower = {h.lower() for h in spec.headers}
    for name in spec.secret_headers:
        if name.lower() in lower:
            problems.append(
                Problem(
                    "tool_header_duplicate",
                    f"Header {name!r} is both a plain and a secret header.",
                    "secret_headers",
                )
            )
    return problems


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL: where its secret headers go."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower().rstrip("."), port


def secrets_for_origin(
    spec: WebhookToolSpec, tool: Tool | None, *, may_move_secrets: bool
) -> WebhookToolSpec:
    """A tool whose URL moves to another origin loses its stored secrets (the masked values
    that mean "keep"), unless the caller may read them anyway (an admin): otherwise a member,
    who may not export secrets, could send them to a server of theirs. Values given in the
    request itself are kept."""
    if tool is None or may_move_secrets or origin(spec.url) == origin(tool.url):
        return spec
    kept = {k: v for k, v in spec.secret_headers.items() if v != SECRET_MASK}
    return spec.model_copy(update={"secret_headers": kept})


def secret_values(tool: Tool, box: SecretBox) -> dict[str, str]:
    return box.decrypt_json(tool.secret_headers) if tool.secret_headers else {}


def spec_of(tool: Tool, *, masked: bool = True, box: SecretBox | None = None) -> WebhookToolSpec:
    """The tool as a document. Secret values are masked unless ``masked=False`` (secret
    export), which needs ``box``."""
    if masked or box is None:
        secrets = dict.fromkeys(tool.secret_header_names or [], SECRET_MASK)
    else:
        secrets = secret_values(tool, box)
    return WebhookToolSpec(
        name=tool.name,
        description=tool.description,
        url=tool.url,
        method=tool.method,
        headers=dict(tool.headers or {}),
        secret_headers=secrets,
        parameters=dict(tool.parameters or {}),
        timeout_s=tool.timeout_s,
    )


async def save(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    spec: WebhookToolSpec,
    box: SecretBox,
    tool: Tool | None = None,
) -> tuple[Tool, bool]:
    """Create or update a webhook tool; a secret value equal to the mask keeps the stored one
    (so a form can send back what it read). Returns (tool, changed)."""
    previous = secret_values(tool, box) if tool is not None else {}
    secrets = {
        name: (previous.get(name, "") if value == SECRET_MASK else value)
        for name, value in spec.secret_headers.items()
    }
    values: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "url": spec.url,
        "method": spec.method,
        "headers": dict(spec.headers),
        "parameters": spec.parameters,
        "timeout_s": spec.timeout_s,
    }
    if tool is None:
        tool = Tool(organization_id=organization_id, kind="webhook", **values)
        tool.secret_header_names = sorted(secrets)
        tool.secret_headers = box.encrypt_json(secrets) if secrets else None
        db.add(tool)
        await db.flush()
        return tool, True
    changed = secrets != previous or any(getattr(tool, k) != v for k, v in values.items())
    if changed:
        for key, value in values.items():
            setattr(tool, key, value)
        tool.secret_header_names = sorted(secrets)
        tool.secret_headers = box.encrypt_json(secrets) if secrets else None
        await db.flush()
    return tool, changed


def tool_config(tool: Tool, box: SecretBox) -> ToolConfig:
    """What the runtime gets: plain and decrypted secret headers together."""
    return ToolConfig(
        name=tool.name,
        kind=ToolKind.WEBHOOK,
        description=tool.description,
        parameters=tool.parameters,
        url=tool.url,
        method=tool.method,
        headers={**(tool.headers or {}), **secret_values(tool, box)},
        timeout_s=tool.timeout_s,
    )


# --- dry run -----------------------------------------------------------------------------------


def argument_errors(parameters: dict[str, Any], arguments: dict[str, Any]) -> list[dict[str, str]]:
    validator = Draft202012Validator(parameters)
    return [
        {"path": "/".join(str(p) for p in err.absolute_path), "message": err.message}
        for err in sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
    ]


def _forbidden(exc: address_policy.AddressRefused) -> WebhookUrlForbidden:
    return WebhookUrlForbidden(exc.message, details={"host": exc.host, "addresses": exc.addresses})


async def check_webhook_url(url: str, allowed_hosts: list[str]) -> None:
    """At create/update: refuse a URL the shared address policy refuses, as far as can be told
    now (a refused IP literal or metadata name, or a name resolving to a refused address). A
    name that does not resolve yet is accepted: the call-time check decides then."""
    try:
        address_policy.check_url(url, allowed_hosts)
        await asyncio.wait_for(address_policy.resolve(url, allowed_hosts), CREATE_RESOLVE_TIMEOUT_S)
    except address_policy.AddressRefused as exc:
        raise _forbidden(exc) from exc
    except (address_policy.HostUnresolved, TimeoutError):
        return


async def check_webhook_host(url: str, allowed_hosts: list[str]) -> address_policy.Target:
    """Resolve the URL's host once under the shared address policy (see
    ``troupe_contracts.address_policy``); the target is pinned to the address checked."""
    try:
        return await address_policy.resolve(url, allowed_hosts)
    except address_policy.AddressRefused as exc:
        raise _forbidden(exc) from exc
    except address_policy.HostUnresolved as exc:
        raise WebhookUrlForbidden(
            f"The webhook host {exc.host!r} does not resolve.", details={"host": exc.host}
        ) from exc


def pinned_request(target: address_policy.Target, headers: dict[str, str]) -> dict[str, Any]:
    """httpx request arguments that connect to the checked address only."""
    extensions: dict[str, Any] = {}
    if target.tls_server_name:
        extensions["sni_hostname"] = target.tls_server_name
    return {
        "url": target.pinned_url(),
        "headers": {**headers, "Host": target.host_header},
        "extensions": extensions,
    }


async def dry_run(
    *, tool: Tool, arguments: dict[str, Any], box: SecretBox, allowed_hosts: list[str]
) -> DryRunResult:
    """Validate ``arguments`` against the schema, then call the webhook once."""
    errors = argument_errors(tool.parameters, arguments)
    if errors:
        raise ToolArgumentsInvalid(details={"errors": errors})
    target = await check_webhook_host(tool.url, allowed_hosts)
    config = tool_config(tool, box)
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=tool.timeout_s, follow_redirects=False) as client:
            if tool.method in ("GET", "DELETE"):
                response = await client.request(
                    tool.method,
                    params={k: str(v) for k, v in arguments.items()},
                    **pinned_request(target, config.headers),
                )
            else:
                response = await client.request(
                    tool.method, json=arguments, **pinned_request(target, config.headers)
                )
    except httpx.HTTPError as exc:
        return DryRunResult(
            ok=False,
            latency_ms=(time.perf_counter() - started) * 1000,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
    return DryRunResult(
        ok=response.is_success,
        status_code=response.status_code,
        response_body=response.text[:MAX_RESPONSE_CHARS],
        latency_ms=(time.perf_counter() - started) * 1000,
        error=None if response.is_success else f"HTTP {response.status_code}",
    )


# --- usage -------------------------------------------------------------------------------------


async def usage(
    *, db: AsyncSession, organization_id: uuid.UUID, names: list[str] | None = None
) -> list[ToolUsage]:
    """Calls per tool name from the session logs' ``tool_call`` entries."""
    tool = SessionLogEntry.payload["tool"].astext
    error = SessionLogEntry.payload["error"].astext
    latency = cast(SessionLogEntry.payload["latency_ms"].astext, Float)
    query = (
        select(
            tool,
            func.count(),
            func.count(error),
            func.avg(latency),
            func.max(SessionLogEntry.ts),
        )
        .where(
            SessionLogEntry.organization_id == organization_id,
            SessionLogEntry.kind == "tool_call",
        )
        .group_by(tool)
        .order_by(tool)
    )
    if names is not None:
        query = query.where(tool.in_(names))
    rows = (await db.execute(query)).all()
    found = {
        row[0]: ToolUsage(
            name=row[0],
            calls=row[1],
            errors=row[2],
            avg_latency_ms=float(row[3]) if row[3] is not None else None,
            last_called_at=row[4],
        )
        for row in rows
    }
    for name in names or []:
        found.setdefault(
            name, ToolUsage(name=name, calls=0, errors=0, avg_latency_ms=None, last_called_at=None)
        )
    return [found[k] for k in sorted(found)]

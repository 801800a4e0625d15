"""Custom webhook tools (``ToolConfig`` of kind ``webhook``): the model's arguments are checked
against the tool's JSON Schema, then sent to the configured URL (GET: query string; other
methods: JSON body) with the configured headers and timeout. Idempotent methods are retried on
transport errors and 5xx; POST/PATCH never are (the endpoint may have acted already). The
response body comes back to the model, truncated; every failure is a ``ToolError`` it can
react to (retry with other arguments, tell the user, try something else). The URL's host must
pass the address policy the API applies too (``troupe_contracts.address_policy``: no loopback,
private, link-local or metadata addresses unless in ``TROUPE_WEBHOOK_ALLOWED_HOSTS``), checked
at every call and pinned for its connections."""

import asyncio
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from livekit.agents import RunContext, ToolError, function_tool, llm
from troupe_contracts import address_policy
from troupe_contracts.address_policy import Target
from troupe_contracts.config import ToolConfig

from troupe_agent.logging import get_logger
from troupe_agent.tools.base import truncate

if TYPE_CHECKING:
    from troupe_agent.runtime import SessionRuntime

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
MAX_ATTEMPTS = 3
RETRY_BACKOFF_S = 0.2
MAX_RESULT_CHARS = 4000
log = get_logger(__name__)


class BadToolConfig(ValueError):
    """A webhook tool whose own config is unusable (no URL, invalid JSON Schema)."""


def validator_for(config: ToolConfig) -> Draft202012Validator:
    try:
        Draft202012Validator.check_schema(config.parameters)
    except SchemaError as e:
        raise BadToolConfig(f"tool {config.name}: invalid JSON Schema: {e.message}") from e
    return Draft202012Validator(config.parameters)


def validation_error(validator: Draft202012Validator, arguments: dict[str, Any]) -> str | None:
    errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
    if not errors:
        return None
    parts = []
    for err in errors[:3]:
        where = "/".join(map(str, err.path)) or "arguments"
        parts.append(f"{where}: {err.message}")
    return "; ".join(parts)


async def pinned_target(config: ToolConfig, allowed_hosts: Iterable[str]) -> Target:
    """The tool's URL checked under the shared address policy, pinned to the checked address."""
    assert config.url is not None
    try:
        return await address_policy.resolve(config.url, allowed_hosts)
    except address_policy.AddressRefused as e:
        log.warning("webhook_refused", tool=config.name, host=e.host, addresses=e.addresses)
        raise ToolError(
            f"The {config.name} service's address is not allowed (private or internal)."
        ) from e
    except address_policy.HostUnresolved as e:
        raise ToolError(f"The {config.name} service's host name does not resolve.") from e


async def call_webhook(
    client: httpx.AsyncClient,
    config: ToolConfig,
    arguments: dict[str, Any],
    allowed_hosts: Iterable[str] = (),
) -> str:
    """Call the tool's endpoint. Its host is resolved once and checked (``address_policy``);
    every attempt connects to that address, and redirects are never followed."""
    target = await pinned_target(config, allowed_hosts)
    method = config.method.upper()
    request: dict[str, Any] = {
        "headers": {**config.headers, "Host": target.host_header},
        "timeout": config.timeout_s,
        "follow_redirects": False,
    }
    if target.tls_server_name:
        request["extensions"] = {"sni_hostname": target.tls_server_name}
    if method in ("GET", "HEAD", "DELETE"):
        request["params"] = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in arguments.items()
        }
    else:
        request["json"] = arguments
    attempts = MAX_ATTEMPTS if method in IDEMPOTENT_METHODS else 1
    response: httpx.Response | None = None
    for attempt in range(1, attempts + 1):
        try:
            response = await client.request(method, target.pinned_url(), **request)
        except httpx.TimeoutException as e:
            if attempt == attempts:
                raise ToolError(
                    f"The {config.name} service did not answer within {config.timeout_s:g} s."
                ) from e
        except httpx.TransportError as e:
            if attempt == attempts:
                raise ToolError(
                    f"The {config.name} service could not be reached ({type(e).__name__})."
                ) from e
        else:
            if response.status_code < 500 or attempt == attempts:
                break
        await asyncio.sleep(RETRY_BACKOFF_S * attempt)
    assert response is not None
    body = truncate(response.text.strip(), MAX_RESULT_CHARS)
    if response.status_code >= 400:
        raise ToolError(
            f"The {config.name} service answered HTTP {response.status_code}"
            + (f": {truncate(body, 300)}" if body else ".")
        )
    return body or f"The {config.name} service accepted the request (no content)."


def webhook_tool(rt: "SessionRuntime", config: ToolConfig) -> llm.Tool:
    if not config.url or not config.url.startswith(("http://", "https://")):
        raise BadToolConfig(f"tool {config.name}: a webhook tool needs an http(s) url")
    validator = validator_for(config)

    async def tool(raw_arguments: dict[str, object], ctx: RunContext[Any]) -> str:
        arguments = dict(raw_arguments)

        async def body() -> str:
            if problem := validation_error(validator, arguments):
                raise ToolError(
                    f"Invalid arguments for {config.name}: {problem}. Fix them and call again."
                )
            return await call_webhook(rt.http_client(), config, arguments, rt.webhook_allowed_hosts)

        return await rt.tools.run(ctx, config.name, arguments, body)

    return function_tool(
        tool,
        raw_schema={
            "name": config.name,
            "description": config.description,
            "parameters": config.parameters,
        },
    )

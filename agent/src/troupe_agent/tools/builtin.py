"""Builtin tools, enabled per agent by a ``ToolConfig`` of kind ``builtin`` with one of the
names of ``BUILTIN_TOOLS``. The model reads each one's name, description and argument schema
from ``troupe_contracts.builtin_tools`` (the API's registry shows the same definition); here
each is only its behaviour, a function of the run context and those arguments."""

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

from jsonschema import Draft202012Validator
from livekit.agents import RunContext, ToolError, function_tool, llm
from pydantic import ValidationError
from troupe_contracts import VISION_UNSUPPORTED_NOTE
from troupe_contracts.builtin_tools import BUILTIN_TOOLS_BY_NAME, BuiltinTool
from troupe_contracts.knowledge import KnowledgeSearchRequest
from troupe_contracts.rpc import BrowserMethod, MediaRequest, MediaResult, OpenUrl, Toast, UiAction

from troupe_agent.browser import CONSENT_RPC_TIMEOUT_S
from troupe_agent.state import StateFull
from troupe_agent.tools.base import current_agent_slug
from troupe_agent.tools.webhook import validation_error
from troupe_agent.uploads import send_file

if TYPE_CHECKING:
    from troupe_agent.runtime import SessionRuntime

ToolBuilder = Callable[["SessionRuntime"], llm.Tool]


def builtin_tool(name: str, run: Callable[..., Awaitable[str | None]]) -> llm.Tool:
    """The LLM's tool for the built-in ``name``: the contract's name, description and argument
    schema; ``run(ctx, **arguments)`` once the arguments match the schema (a ``null`` argument
    counts as left out). Raises ``TypeError`` when ``run``'s keyword arguments are not the
    contract's, so a drift fails when the tool is built, not when the model calls it."""
    spec = BUILTIN_TOOLS_BY_NAME[name]
    _check_signature(spec, run)
    validator = Draft202012Validator(spec.parameters)

    async def tool(raw_arguments: dict[str, object], ctx: RunContext[Any]) -> str | None:
        arguments = {k: v for k, v in raw_arguments.items() if v is not None}
        if problem := validation_error(validator, arguments):
            # livekit-agents' own wording for a call it cannot bind (see recovery.py)
            raise ToolError(f"Error parsing arguments for `{name}`: {problem}")
        return await run(ctx, **arguments)

    return function_tool(
        tool,
        raw_schema={
            "name": spec.name,
            "description": spec.description,
            "parameters": spec.parameters,
        },
    )


def _check_signature(spec: BuiltinTool, run: Callable[..., Any]) -> None:
    params = list(inspect.signature(run).parameters.values())[1:]  # after the run context
    properties: dict[str, Any] = spec.parameters.get("properties", {})
    required = set(spec.parameters.get("required", []))
    ours = {p.name for p in params}
    mandatory = {p.name for p in params if p.default is inspect.Parameter.empty}
    defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    theirs = {k: v["default"] for k, v in properties.items() if "default" in v}
    if (
        ours != set(properties)
        or mandatory != required
        or any(defaults[k] != v for k, v in theirs.items() if k in defaults)
    ):
        raise TypeError(f"built-in tool {spec.name}: its arguments differ from the contract's")


def _invalid(e: ValidationError) -> ToolError:
    first = e.errors()[0]
    where = ".".join(map(str, first["loc"])) or "arguments"
    return ToolError(f"Invalid {where}: {first['msg']}.")


def _media_tool(rt: "SessionRuntime", source: Literal["camera", "screen"]) -> llm.Tool:
    method = (
        BrowserMethod.REQUEST_CAMERA if source == "camera" else BrowserMethod.REQUEST_SCREEN_SHARE
    )
    what = "camera" if source == "camera" else "screen share"
    name = "request_camera" if source == "camera" else "request_screen_share"

    async def request(ctx: RunContext[Any], reason: str) -> str:
        async def body() -> str:
            data = await rt.browser.call(
                method, MediaRequest(reason=reason[:300]), timeout_s=CONSENT_RPC_TIMEOUT_S
            )
            try:
                granted = MediaResult.model_validate(data).granted
            except ValidationError:
                granted = bool(isinstance(data, dict) and data.get("granted"))
            if not granted:
                raise ToolError(f"The user declined to turn on the {what}.")
            agent = ctx.session.current_agent
            if getattr(agent, "vision_unsupported", False):
                return (
                    f"The user turned on the {what}, but you cannot see it: "
                    f"{VISION_UNSUPPORTED_NOTE}. Tell the user so."
                )
            return f"The user turned on the {what}; you will see it from the next turn on."

        return await rt.tools.run(ctx, name, {"reason": reason}, body)

    return builtin_tool(name, request)


def request_camera(rt: "SessionRuntime") -> llm.Tool:
    return _media_tool(rt, "camera")


def request_screen_share(rt: "SessionRuntime") -> llm.Tool:
    return _media_tool(rt, "screen")


def send_ui_action(rt: "SessionRuntime") -> llm.Tool:
    async def tool(ctx: RunContext[Any], action: str, params: dict[str, Any] | None = None) -> str:
        async def body() -> str:
            try:
                payload = UiAction(action=action, params=params or {})
            except ValidationError as e:
                raise _invalid(e) from e
            await rt.browser.call(BrowserMethod.SEND_UI_ACTION, payload)
            return f"Done: {action}."

        return await rt.tools.run(ctx, "send_ui_action", {"action": action, "params": params}, body)

    return builtin_tool("send_ui_action", tool)


def open_url(rt: "SessionRuntime") -> llm.Tool:
    async def tool(ctx: RunContext[Any], url: str, new_tab: bool = True) -> str:
        async def body() -> str:
            try:
                payload = OpenUrl(url=url, new_tab=new_tab)
            except ValidationError as e:
                raise _invalid(e) from e
            await rt.browser.call(BrowserMethod.OPEN_URL, payload)
            return f"Opened {url} for the user."

        return await rt.tools.run(ctx, "open_url", {"url": url, "new_tab": new_tab}, body)

    return builtin_tool("open_url", tool)


def show_toast(rt: "SessionRuntime") -> llm.Tool:
    async def tool(
        ctx: RunContext[Any],
        message: str,
        level: Literal["info", "success", "warning", "error"] = "info",
    ) -> str:
        async def body() -> str:
            try:
                payload = Toast(message=message, level=level)
            except ValidationError as e:
                raise _invalid(e) from e
            await rt.browser.call(BrowserMethod.SHOW_TOAST, payload)
            return "The notification is shown."

        return await rt.tools.run(ctx, "show_toast", {"message": message, "level": level}, body)

    return builtin_tool("show_toast", tool)


def log_observation(rt: "SessionRuntime") -> llm.Tool:
    async def tool(ctx: RunContext[Any], observation: str, category: str = "note") -> str:
        async def body() -> str:
            if not observation.strip():
                raise ToolError("The observation is empty.")
            return "Recorded."  # the ToolCallEntry written by rt.tools holds the observation

        return await rt.tools.run(
            ctx, "log_observation", {"observation": observation, "category": category}, body
        )

    return builtin_tool("log_observation", tool)


def search_knowledge_base(rt: "SessionRuntime") -> llm.Tool:
    """The older name of ``search_knowledge`` (kept for agents configured with it): searches the
    calling agent's knowledge bases through the API, never a folder shared by every tenant."""

    async def tool(ctx: RunContext[Any], query: str) -> str:
        async def body() -> str:
            agent = current_agent_slug(ctx)
            bases = next((list(a.knowledge_bases) for a in rt.config.agents if a.slug == agent), [])
            if not bases or rt.knowledge_search is None:
                return "No knowledge base is attached to you. Say so rather than guessing."
            result = await rt.knowledge_search.search_knowledge(
                rt.config.session_id,
                KnowledgeSearchRequest(query=query[:2000], knowledge_base_ids=bases, limit=3),
            )
            if not result.chunks:
                return "Nothing in the knowledge base matches. Say so rather than guessing."
            return "\n\n".join(
                f"[{i}] ({c.source}) {c.text}" for i, c in enumerate(result.chunks, 1)
            )

        return await rt.tools.run(ctx, "search_knowledge_base", {"query": query}, body)

    return builtin_tool("search_knowledge_base", tool)


def memory_tools(rt: "SessionRuntime") -> list[llm.Tool]:
    """``remember`` / ``recall``: notes shared by every agent of the session."""

    async def remember(ctx: RunContext[Any], key: str, value: str) -> str:
        """Save a short fact about the user or their request so that you and the other agents
        of this conversation can use it later, for example key "order number", value "A-1234".

        Args:
            key: A short name for the fact.
            value: The fact itself, in a few words.
        """

        async def body() -> str:
            try:
                k = rt.state.remember(key, value)
            except (ValueError, StateFull) as e:
                raise ToolError(f"Could not save it: {e}.") from e
            return f"Saved {k}."

        return await rt.tools.run(ctx, "remember", {"key": key, "value": value}, body)

    async def recall(ctx: RunContext[Any], key: str = "") -> str:
        """Read a fact saved earlier with remember, by its key; with no key, list every saved
        fact.

        Args:
            key: The name the fact was saved under, or empty for all of them.
        """

        async def body() -> str:
            if not key.strip():
                return rt.state.summary() or "Nothing has been saved yet."
            value = rt.state.recall(key)
            if value is None:
                known = ", ".join(rt.state.notes) or "none"
                return f"Nothing is saved under {key!r}. Saved keys: {known}."
            return value

        return await rt.tools.run(ctx, "recall", {"key": key}, body)

    return [function_tool(remember), function_tool(recall)]


NOTES_MAX_CHARS = 50_000
"""Longest document ``share_notes`` sends (about 50 KB of Markdown)."""


def notes_file_name(title: str) -> str:
    """``Meeting notes!`` -> ``meeting-notes.md``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'notes'}.md"


def share_notes(rt: "SessionRuntime") -> llm.Tool:
    async def tool(ctx: RunContext[Any], title: str, content: str) -> str:
        async def body() -> str:
            if not content.strip():
                raise ToolError("The document is empty; write its content first.")
            if len(content) > NOTES_MAX_CHARS:
                raise ToolError(f"The document is too long: at most {NOTES_MAX_CHARS} characters.")
            if rt.files is None:
                raise ToolError("Files cannot be sent in this session.")
            user = rt.client.user_identity
            if not user:
                raise ToolError("No user is connected, so the file cannot be sent now.")
            heading = title.strip()
            text = (
                content
                if content.lstrip().startswith("#") or not heading
                else f"# {heading}\n\n{content}"
            )
            data = text.encode("utf-8")
            name = notes_file_name(heading)
            await send_file(rt.files, data, name=name, mime_type="text/markdown", destination=user)
            return f"The user received {name} ({len(data)} bytes) as a download."

        return await rt.tools.run(ctx, "share_notes", {"title": title, "chars": len(content)}, body)

    return builtin_tool("share_notes", tool)


def end_session(rt: "SessionRuntime") -> llm.Tool:
    async def tool(ctx: RunContext[Any], goodbye: str) -> None:
        async def body() -> str:
            if rt.end_session is None:
                raise ToolError("The call cannot be ended from here; say goodbye instead.")
            rt.end_session(goodbye)
            return "The call is ending."

        await rt.tools.run(ctx, "end_session", {"goodbye": goodbye}, body)
        # no output: the agent says nothing more; the goodbye is the last thing the user hears

    return builtin_tool("end_session", tool)


BUILTIN_TOOLS: dict[str, ToolBuilder] = {
    "request_camera": request_camera,
    "request_screen_share": request_screen_share,
    "send_ui_action": send_ui_action,
    "open_url": open_url,
    "show_toast": show_toast,
    "log_observation": log_observation,
    "search_knowledge_base": search_knowledge_base,
    "share_notes": share_notes,
    "end_session": end_session,
}

"""Panel tools: ``open_<panel>``, ``control_<panel>``, ``read_<panel>``, ``close_<panel>``.

Generated for each panel the agent may use (``AgentConfig.panels``) that the session enables
(``SessionConfig.enabled_panels``). The browser's ``ClientHello`` says which panels it really
renders: once it has said hello, a panel it did not announce is refused with a ``ToolError``
(and left out of agents built afterwards)."""

import json
from typing import TYPE_CHECKING, Any

from livekit.agents import RunContext, ToolError, function_tool, llm
from pydantic import ValidationError
from troupe_contracts.panels import PanelCommandAdapter, WhiteboardState
from troupe_contracts.rpc import (
    BrowserMethod,
    ControlPanel,
    OpenPanel,
    PanelRef,
    PanelStateData,
    ReadPanel,
    panel_tool_names,
)
from troupe_contracts.session import PanelType

from troupe_agent.browser import ClientState
from troupe_agent.logging import get_logger
from troupe_agent.vision import fit_jpeg, jpeg_content

if TYPE_CHECKING:
    from troupe_agent.runtime import SessionRuntime

log = get_logger(__name__)

IMAGE_ATTACHED = (
    " A picture of the {panel} is attached right after this as an image: look at it for "
    "what the shapes and text do not say."
)

PANEL_PURPOSE: dict[PanelType, str] = {
    PanelType.SLIDES: "a slide deck you present",
    PanelType.NOTEPAD: "a notepad you and the user both write in",
    PanelType.CODE: "a code editor you and the user both see",
    PanelType.WHITEBOARD: "a whiteboard you can draw shapes and text on",
    PanelType.DOCUMENT: "a document viewer (PDF and pages) you can navigate and highlight in",
}


def _command_schema(panel: PanelType) -> dict[str, Any]:
    """JSON Schema of the commands of one panel: the ``PanelCommand`` variants whose ``op``
    starts with ``<panel>.``."""
    full = PanelCommandAdapter.json_schema()
    defs: dict[str, Any] = full.get("$defs", {})
    variants = [
        ref
        for ref in full.get("oneOf", full.get("anyOf", []))
        if _ops(defs[ref["$ref"].split("/")[-1]])
        and all(op.startswith(f"{panel.value}.") for op in _ops(defs[ref["$ref"].split("/")[-1]]))
    ]
    used: dict[str, Any] = {}
    pending = [ref["$ref"].split("/")[-1] for ref in variants]
    while pending:
        def_name = pending.pop()
        if def_name in used:
            continue
        used[def_name] = defs[def_name]
        pending.extend(r.split("/")[-1] for r in _refs(defs[def_name]))
    return {
        "type": "object",
        "properties": {"command": {"anyOf": variants}},
        "required": ["command"],
        "$defs": used,
    }


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _ops(schema: dict[str, Any]) -> list[str]:
    op = schema.get("properties", {}).get("op", {})
    if "const" in op:
        return [op["const"]]
    return list(op.get("enum", []))


def _ensure_available(client: ClientState, panel: PanelType) -> None:
    if client.has_panel(panel) is False:
        raise ToolError(f"The user's browser has no {panel.value} panel; do without it.")


def panel_tools(rt: "SessionRuntime", panel: PanelType) -> list[llm.Tool]:
    name = panel.value
    purpose = PANEL_PURPOSE[panel]

    async def open_panel(ctx: RunContext[Any], title: str = "") -> str:
        async def body() -> str:
            _ensure_available(rt.client, panel)
            await rt.browser.call(
                BrowserMethod.OPEN_PANEL, OpenPanel(panel=panel, title=title[:120] or None)
            )
            return f"The {name} panel is open."

        return await rt.tools.run(ctx, f"open_{name}", {"title": title}, body)

    open_panel.__doc__ = (
        f"Open the {name} panel on the user's screen: {purpose}.\n\nArgs:\n"
        "    title: Optional title shown above the panel.\n"
    )

    async def control_panel(raw_arguments: dict[str, object], ctx: RunContext[Any]) -> str:
        async def body() -> str:
            _ensure_available(rt.client, panel)
            try:
                command = PanelCommandAdapter.validate_python(raw_arguments.get("command"))
            except ValidationError as e:
                first = e.errors()[0]
                raise ToolError(
                    f"Invalid {name} command at {'.'.join(map(str, first['loc'])) or 'command'}: "
                    f"{first['msg']}."
                ) from e
            if not command.op.startswith(f"{name}."):
                raise ToolError(f"{command.op} is not a {name} command.")
            await rt.browser.call(
                BrowserMethod.CONTROL_PANEL, ControlPanel(panel=panel, command=command)
            )
            return f"Done: {command.op}."

        return await rt.tools.run(ctx, f"control_{name}", dict(raw_arguments), body)

    async def read_panel(ctx: RunContext[Any]) -> str:
        async def body() -> str:
            _ensure_available(rt.client, panel)
            agent = ctx.session.current_agent
            # Only the whiteboard has a picture worth more than its state; only an agent whose
            # LLM takes images gets it (as an image, never as base64 text).
            want_image = panel == PanelType.WHITEBOARD and bool(getattr(agent, "can_see", False))
            data = await rt.browser.call(
                BrowserMethod.READ_PANEL, ReadPanel(panel=panel, image=want_image)
            )
            try:
                answer = PanelStateData.model_validate(data)
            except ValidationError as e:
                raise ToolError(f"The {name} panel sent a state that could not be read.") from e
            state = answer.state
            if isinstance(state, WhiteboardState):
                state = state.model_copy(update={"png_base64": None})
            text = state.model_dump_json(exclude_none=True) + rt.pointers.describe(panel)
            if want_image and answer.image is not None:
                try:
                    png = await rt.panel_images.wait(answer.image.stream_id)
                    vision = agent.config.vision  # type: ignore[attr-defined]
                    jpeg, width, height = fit_jpeg(png, vision.max_size)
                except Exception as e:
                    log.warning("panel picture not usable", panel=name, error=str(e))
                    return text + f" (The picture of the {name} could not be received.)"
                rt.pending_images.append(jpeg_content(jpeg, vision.detail))
                log.info("panel picture for the LLM", panel=name, width=width, height=height)
                return text + IMAGE_ATTACHED.format(panel=name)
            return text

        return await rt.tools.run(ctx, f"read_{name}", {}, body)

    read_panel.__doc__ = f"Read what the {name} panel shows right now, as JSON" + (
        " (plus a picture of the board when you can see images)."
        if panel == PanelType.WHITEBOARD
        else "."
    )

    async def close_panel(ctx: RunContext[Any]) -> str:
        async def body() -> str:
            await rt.browser.call(BrowserMethod.CLOSE_PANEL, PanelRef(panel=panel))
            return f"The {name} panel is closed."

        return await rt.tools.run(ctx, f"close_{name}", {}, body)

    close_panel.__doc__ = f"Close the {name} panel on the user's screen."

    open_name, control_name, read_name, close_name = panel_tool_names(panel)
    control = function_tool(
        control_panel,
        raw_schema={
            "name": control_name,
            "description": (
                f"Send one command to the {name} panel ({purpose}). Open the panel first. "
                "The command's 'op' field selects what to do."
            ),
            "parameters": _command_schema(panel),
        },
    )
    return [
        function_tool(open_panel, name=open_name),
        control,
        function_tool(read_panel, name=read_name),
        function_tool(close_panel, name=close_name),
    ]


def allowed_panels(
    agent_panels: list[PanelType], enabled: list[PanelType], client: ClientState
) -> list[PanelType]:
    return [p for p in agent_panels if p in enabled and client.has_panel(p) is not False]


def schema_text(panel: PanelType) -> str:
    return json.dumps(_command_schema(panel))

"""Tools that exist without being stored: the built-ins every agent may be given, the four
panel tools generated per panel type, and the handoff tool generated per handoff target.
Descriptions are written for the LLM (they become its tool descriptions)."""

from __future__ import annotations

from typing import Any

from troupe_contracts import PANEL_TOOL_VERBS
from troupe_contracts.config import HandoffTarget, ToolConfig, ToolKind
from troupe_contracts.rpc import panel_tool_names
from troupe_contracts.session import PanelType

HANDOFF_TOOL_PREFIX = "transfer_to_"
PANEL_TOOL_ACTIONS = PANEL_TOOL_VERBS


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


_REASON = {"type": "string", "description": "Why, in one sentence the user will see."}

BUILTIN_TOOLS: tuple[ToolConfig, ...] = (
    ToolConfig(
        name="request_screen_share",
        kind=ToolKind.BUILTIN,
        description="Ask the user to share their screen so you can see what they see.",
        parameters=_object({"reason": _REASON}, ["reason"]),
    ),
    ToolConfig(
        name="request_camera",
        kind=ToolKind.BUILTIN,
        description="Ask the user to turn on their camera so you can see them or an object.",
        parameters=_object({"reason": _REASON}, ["reason"]),
    ),
    ToolConfig(
        name="send_ui_action",
        kind=ToolKind.BUILTIN,
        description="Trigger an action in the host application's user interface.",
        parameters=_object(
            {
                "action": {"type": "string", "description": "The action's name."},
                "data": {"type": "object", "description": "Action arguments."},
            },
            ["action"],
        ),
    ),
    ToolConfig(
        name="search_knowledge_base",
        kind=ToolKind.BUILTIN,
        description="Search the organization's knowledge base and return the best passages.",
        parameters=_object(
            {
                "query": {"type": "string", "description": "What to look for."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 10},
            },
            ["query"],
        ),
    ),
    ToolConfig(
        name="log_observation",
        kind=ToolKind.BUILTIN,
        description="Record a noteworthy observation about the conversation in the session log.",
        parameters=_object(
            {
                "observation": {"type": "string"},
                "category": {"type": "string"},
            },
            ["observation"],
        ),
    ),
    ToolConfig(
        name="end_session",
        kind=ToolKind.BUILTIN,
        description=(
            "End the call after a short spoken goodbye, when the user says goodbye or wants "
            "nothing else."
        ),
        parameters=_object(
            {"goodbye": {"type": "string", "description": "One short closing sentence."}},
            ["goodbye"],
        ),
    ),
    ToolConfig(
        name="open_url",
        kind=ToolKind.BUILTIN,
        description="Open a web page for the user in a new browser tab.",
        parameters=_object(
            {"url": {"type": "string", "format": "uri"}, "reason": _REASON}, ["url"]
        ),
    ),
    ToolConfig(
        name="share_notes",
        kind=ToolKind.BUILTIN,
        description=(
            "Send the user a Markdown document you write (summary, notes, steps); it appears "
            "in their page as a file to download."
        ),
        parameters=_object(
            {
                "title": {"type": "string", "description": "Short title; names the file."},
                "content": {"type": "string", "maxLength": 50000},
            },
            ["title", "content"],
        ),
    ),
    ToolConfig(
        name="show_toast",
        kind=ToolKind.BUILTIN,
        description="Show the user a short notification message on screen.",
        parameters=_object(
            {
                "message": {"type": "string", "maxLength": 200},
                "level": {"type": "string", "enum": ["info", "success", "warning", "error"]},
            },
            ["message"],
        ),
    ),
)
BUILTIN_BY_NAME = {t.name: t for t in BUILTIN_TOOLS}

_PANEL_DESCRIPTIONS = {
    "open": "Open the {panel} panel on the user's screen.",
    "control": "Change the {panel} panel: send it a command with arguments.",
    "read": "Read the current content and state of the {panel} panel.",
    "close": "Close the {panel} panel.",
}
_PANEL_PARAMETERS: dict[str, dict[str, Any]] = {
    "open": _object({"content": {"type": "string", "description": "Initial content."}}),
    "control": _object(
        {
            "command": {"type": "string", "description": "The panel command."},
            "args": {"type": "object", "description": "Command arguments."},
        },
        ["command"],
    ),
    "read": _object({}),
    "close": _object({}),
}


def panel_tools(panel: PanelType | str) -> list[ToolConfig]:
    """open_<panel>, control_<panel>, read_<panel>, close_<panel>."""
    panel_type = PanelType(panel)
    return [
        ToolConfig(
            name=tool_name,
            kind=ToolKind.PANEL,
            description=_PANEL_DESCRIPTIONS[action].format(panel=panel_type.value),
            parameters=_PANEL_PARAMETERS[action],
        )
        for action, tool_name in zip(PANEL_TOOL_ACTIONS, panel_tool_names(panel_type), strict=True)
    ]


PANEL_TOOL_NAMES = frozenset(t.name for p in PanelType for t in panel_tools(p))


def handoff_tool_name(target_slug: str) -> str:
    return f"{HANDOFF_TOOL_PREFIX}{target_slug}"


def handoff_tool_description(target: HandoffTarget) -> str:
    return target.description or f"Transfer the conversation to the {target.agent} agent."


def is_reserved_name(name: str) -> bool:
    """Names a webhook tool may not take: they belong to generated or built-in tools."""
    return (
        name in BUILTIN_BY_NAME or name in PANEL_TOOL_NAMES or name.startswith(HANDOFF_TOOL_PREFIX)
    )

"""Tools that exist without being stored: the built-ins every agent may be given (defined once
in ``troupe_contracts.builtin_tools``, which the runtime reads too), the four panel tools
generated per panel type, and the handoff tool generated per handoff target."""

from __future__ import annotations

from typing import Any

from troupe_contracts import PANEL_TOOL_VERBS, builtin_tools
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


BUILTIN_TOOLS: tuple[ToolConfig, ...] = tuple(
    ToolConfig(
        name=spec.name,
        kind=ToolKind.BUILTIN,
        description=spec.description,
        parameters=spec.parameters,
    )
    for spec in builtin_tools.BUILTIN_TOOLS
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

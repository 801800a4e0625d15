"""Function tools of an agent, built from its ``ToolConfig``s (see ``build_tools``)."""

import re
from typing import TYPE_CHECKING

from livekit.agents import llm
from troupe_contracts import PANEL_TOOL_VERBS
from troupe_contracts.config import AgentConfig, ToolKind
from troupe_contracts.session import PanelType

from troupe_agent.logging import get_logger
from troupe_agent.tools.builtin import BUILTIN_TOOLS, memory_tools
from troupe_agent.tools.knowledge_search import search_knowledge_tool
from troupe_agent.tools.panels import allowed_panels, panel_tools
from troupe_agent.tools.webhook import BadToolConfig, webhook_tool

if TYPE_CHECKING:
    from troupe_agent.runtime import SessionRuntime

log = get_logger(__name__)

__all__ = ["BUILTIN_TOOLS", "BadToolConfig", "build_tools"]


_PANEL_TOOL = re.compile(rf"^(?:(?:{'|'.join(PANEL_TOOL_VERBS)}|panel)_)?(?P<panel>[a-z]+)$")


def panel_of_tool(name: str) -> PanelType:
    """The panel a panel-kind tool name refers to: the API's registry names them
    ``open_<panel>`` / ``control_<panel>`` / ``read_<panel>`` / ``close_<panel>``; any of them
    (or the bare panel type) enables all four tools of that panel."""
    m = _PANEL_TOOL.match(name)
    try:
        return PanelType(m["panel"] if m else name)
    except ValueError as e:
        raise BadToolConfig(f"unknown panel tool {name!r}") from e


def build_tools(config: AgentConfig, rt: "SessionRuntime") -> list[llm.Tool]:
    """The agent's own tools (handoff tools are added by the factory).

    Panel tools come from ``config.panels`` enabled for the session; a ``ToolConfig`` of kind
    ``panel`` whose name is a panel type also enables that panel. ``remember``/``recall`` are
    added when the session has more than one agent. Raises ``BadToolConfig`` on an unknown
    builtin or an unusable webhook, so a broken config fails at session start."""
    tools: list[llm.Tool] = []
    panels: list[PanelType] = list(config.panels)
    for tool in config.tools:
        if tool.kind == ToolKind.BUILTIN:
            builder = BUILTIN_TOOLS.get(tool.name)
            if builder is None:
                raise BadToolConfig(f"unknown builtin tool {tool.name!r}")
            tools.append(builder(rt))
        elif tool.kind == ToolKind.WEBHOOK:
            tools.append(webhook_tool(rt, tool))
        elif tool.kind == ToolKind.PANEL:
            panel = panel_of_tool(tool.name)
            if panel not in panels:
                panels.append(panel)
    for panel in allowed_panels(panels, rt.config.enabled_panels, rt.client):
        tools.extend(panel_tools(rt, panel))
    if config.knowledge_bases:
        tools.append(search_knowledge_tool(rt, list(config.knowledge_bases)))
    if len(rt.config.agents) > 1:
        tools.extend(memory_tools(rt))
    return tools

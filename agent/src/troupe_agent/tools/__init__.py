"""Function tools of an agent, built from its ``ToolConfig``s (see ``build_tools``)."""

from typing import TYPE_CHECKING

from livekit.agents import llm
from troupe_contracts.config import AgentConfig, ToolKind
from troupe_contracts.session import PanelType

from troupe_agent.logging import get_logger
from troupe_agent.tools.builtin import BUILTIN_TOOLS, memory_tools
from troupe_agent.tools.panels import allowed_panels, panel_tools
from troupe_agent.tools.webhook import BadToolConfig, webhook_tool

if TYPE_CHECKING:
    from troupe_agent.runtime import SessionRuntime

log = get_logger(__name__)

__all__ = ["BUILTIN_TOOLS", "BadToolConfig", "build_tools"]


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
            try:
                panel = PanelType(tool.name.removeprefix("panel_"))
            except ValueError as e:
                raise BadToolConfig(f"unknown panel tool {tool.name!r}") from e
            if panel not in panels:
                panels.append(panel)
    for panel in allowed_panels(panels, rt.config.enabled_panels, rt.client):
        tools.extend(panel_tools(rt, panel))
    if len(rt.config.agents) > 1:
        tools.extend(memory_tools(rt))
    return tools

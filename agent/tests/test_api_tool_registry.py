"""Every tool the API's registry can put in a session config must be buildable by the runtime
(the two sides name panel tools `open_<panel>` etc.; a mismatch once stopped every session)."""

from pathlib import Path
from uuid import uuid4

import pytest
from support.runtime import make_runtime
from troupe_agent.tools import BadToolConfig, build_tools, panel_of_tool
from troupe_api.tools.builtin import BUILTIN_TOOLS, panel_tools
from troupe_contracts.config import AgentConfig, SessionConfig, ToolConfig, ToolKind
from troupe_contracts.session import ModalityProfile, PanelType


def _config(tools: list[ToolConfig]) -> SessionConfig:
    agent = AgentConfig(
        id=uuid4(),
        slug="a",
        name="A",
        instructions="x",
        stt="local/whisper-tiny",
        llm="fake/echo",
        tts="local/piper-joe",
        tools=tools,
    )
    return SessionConfig(
        session_id=uuid4(),
        organization_id=uuid4(),
        template_id=None,
        initial_agent="a",
        agents=[agent],
        modality_profile=ModalityProfile.AUDIO_CAMERA_SCREEN,
        enabled_panels=list(PanelType),
    )


def test_every_api_builtin_and_panel_tool_builds(tmp_path: Path) -> None:
    tools = list(BUILTIN_TOOLS) + [t for p in PanelType for t in panel_tools(p)]
    cfg = _config(tools)
    built = build_tools(cfg.agents[0], make_runtime(cfg, tmp_path))
    names = {t.info.name for t in built}  # type: ignore[union-attr]
    assert {t.name for t in BUILTIN_TOOLS} <= names


@pytest.mark.parametrize(
    "name",
    ["open_slides", "control_code", "read_notepad", "close_document", "panel_whiteboard", "slides"],
)
def test_panel_tool_names_map_to_panels(name: str) -> None:
    assert panel_of_tool(name) in set(PanelType)


def test_unknown_panel_tool_is_refused() -> None:
    with pytest.raises(BadToolConfig):
        panel_of_tool("open_spreadsheet")
    with pytest.raises(BadToolConfig):
        build_tools(
            _config([ToolConfig(name="open_nope", kind=ToolKind.PANEL, description="x")]).agents[0],
            None,  # type: ignore[arg-type]
        )

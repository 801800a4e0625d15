"""Every tool the API's registry can put in a session config must be buildable by the runtime
(the two sides name panel tools `open_<panel>` etc.; a mismatch once stopped every session), and
the built-ins read the same in both: the dashboard shows the text and schema the LLM gets."""

from pathlib import Path
from uuid import uuid4

import pytest
from support.runtime import make_runtime
from troupe_agent.tools import BUILTIN_TOOLS as RUNTIME_BUILTINS
from troupe_agent.tools import BadToolConfig, build_tools, panel_of_tool
from troupe_agent.tools.builtin import builtin_tool
from troupe_api.tools.builtin import BUILTIN_BY_NAME, BUILTIN_TOOLS, panel_tools
from troupe_contracts import builtin_tools
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


@pytest.mark.parametrize("spec", builtin_tools.BUILTIN_TOOLS, ids=lambda s: s.name)
def test_the_llm_and_the_dashboard_read_the_contracts_builtin(
    spec: builtin_tools.BuiltinTool, tmp_path: Path
) -> None:
    runtime_tool = RUNTIME_BUILTINS[spec.name](make_runtime(_config([]), tmp_path))
    assert runtime_tool.info.raw_schema == {  # type: ignore[union-attr]
        "name": spec.name,
        "description": spec.description,
        "parameters": spec.parameters,
    }
    api_tool = BUILTIN_BY_NAME[spec.name]
    assert (api_tool.description, api_tool.parameters) == (spec.description, spec.parameters)


def test_the_runtime_and_the_api_have_exactly_the_contracts_builtins() -> None:
    names = {t.name for t in builtin_tools.BUILTIN_TOOLS}
    assert set(RUNTIME_BUILTINS) == names == set(BUILTIN_BY_NAME)


def test_a_runtime_builtin_whose_arguments_drift_from_the_contract_does_not_build() -> None:
    async def open_url(ctx: object, url: str, in_new_tab: bool = True) -> str:
        return url

    with pytest.raises(TypeError, match="open_url"):
        builtin_tool("open_url", open_url)


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

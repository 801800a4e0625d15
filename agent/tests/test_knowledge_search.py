"""The built-in ``search_knowledge`` tool: present only for agents with knowledge bases, asks
the API (here a recording fake of its runtime endpoint) with the agent's knowledge bases, gives
the model the ranked chunks, and leaves what was retrieved in the session log."""

from pathlib import Path
from uuid import UUID, uuid4

from livekit.agents import llm
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import make_runtime
from troupe_agent.agents import AgentFactory
from troupe_agent.providers.fake import ScriptedLLM, ScriptedToolCall, ScriptedTurn
from troupe_agent.runtime import SessionRuntime
from troupe_agent.session import build_session
from troupe_agent.tools import build_tools
from troupe_contracts.config import SessionConfig, ToolConfig, ToolKind
from troupe_contracts.knowledge import (
    KnowledgeChunkHit,
    KnowledgeSearchRequest,
    KnowledgeSearchResult,
)
from troupe_contracts.log import ToolCallEntry


class FakeKnowledgeApi:
    """Answers like ``POST /runtime/sessions/{id}/knowledge/search`` over one passage."""

    def __init__(self) -> None:
        self.requests: list[tuple[UUID, KnowledgeSearchRequest]] = []

    async def search_knowledge(
        self, session_id: UUID, request: KnowledgeSearchRequest
    ) -> KnowledgeSearchResult:
        self.requests.append((session_id, request))
        hit = KnowledgeChunkHit(
            chunk_id=uuid4(),
            document_id=uuid4(),
            knowledge_base_id=request.knowledge_base_ids[0],
            source="handbook.md",
            heading_path="Handbook > Refunds",
            text="Customers can ask for a full refund within 45 days of purchase.",
            score=0.03,
        )
        return KnowledgeSearchResult(query=request.query, chunks=[hit])


def _tool_then_reply(tool: str, query: str, reply: str) -> ScriptedLLM:
    """A model that calls ``tool`` with ``query``, then answers ``reply``."""
    return ScriptedLLM(
        [
            ScriptedTurn(tool_calls=(ScriptedToolCall(tool, {"query": query}),)),
            ScriptedTurn(text=reply),
        ]
    )


async def _one_turn(
    config: SessionConfig,
    tmp_path: Path,
    api: FakeKnowledgeApi,
    script: ScriptedLLM,
    user_input: str,
) -> SessionRuntime:
    """A session of ``config`` where the user says ``user_input`` once; its (closed) runtime."""
    rt = make_runtime(config, tmp_path, knowledge_search=api)
    factory = AgentFactory(config, FakeProviders(llm=script), runtime=rt)  # type: ignore[arg-type]
    async with build_session(None, userdata=rt.state) as session:
        await session.start(factory.build_initial())
        await session.run(user_input=user_input)
    await rt.aclose()
    return rt


async def _user_turn_completed(
    config: SessionConfig, tmp_path: Path, api: FakeKnowledgeApi, text: str
) -> tuple[SessionRuntime, llm.ChatContext]:
    """The hook livekit runs when a spoken user turn ends, before the reply is generated, on the
    initial agent; the (closed) runtime and the turn's chat context."""
    rt = make_runtime(config, tmp_path, knowledge_search=api)
    factory = AgentFactory(config, FakeProviders(llm=ScriptedLLM([])), runtime=rt)  # type: ignore[arg-type]
    turn_ctx = llm.ChatContext()
    message = turn_ctx.add_message(role="user", content=text)
    await factory.build_initial().on_user_turn_completed(turn_ctx, message)
    await rt.aclose()
    return rt, turn_ctx


async def test_agent_with_knowledge_searches_its_bases_and_the_log_keeps_the_chunks(
    tmp_path: Path,
) -> None:
    base = uuid4()
    api = FakeKnowledgeApi()
    script = _tool_then_reply(
        "search_knowledge", "refund window", "You can get a refund within 45 days."
    )
    config = session_config(agent_config("host", greeting="Hello.", knowledge_bases=[base]))
    rt = await _one_turn(config, tmp_path, api, script, "How long do I have to return it?")

    assert [(sid, r.query, r.knowledge_base_ids) for sid, r in api.requests] == [
        (config.session_id, "refund window", [base])
    ]
    outputs = [i for i in script.calls[-1].items if isinstance(i, llm.FunctionCallOutput)]
    result = KnowledgeSearchResult.model_validate_json(outputs[0].output)
    assert "45 days" in result.chunks[0].text
    entry = next(e for e in rt.sink.entries if isinstance(e, ToolCallEntry))
    assert entry.tool == "search_knowledge" and entry.error is None
    logged = KnowledgeSearchResult.model_validate_json(entry.result or "")
    assert logged.chunks[0].source == "handbook.md"


def test_only_agents_with_knowledge_bases_get_the_tool(tmp_path: Path) -> None:
    with_kb = agent_config("host", knowledge_bases=[uuid4()])
    without = agent_config("other")
    rt = make_runtime(session_config(with_kb, without), tmp_path)
    names = lambda cfg: {t.info.name for t in build_tools(cfg, rt)}  # noqa: E731
    assert "search_knowledge" in names(with_kb)
    assert "search_knowledge" not in names(without)


async def test_automatic_retrieval_adds_passages_before_the_reply_and_logs_them(
    tmp_path: Path,
) -> None:
    base = uuid4()
    api = FakeKnowledgeApi()
    config = session_config(
        agent_config("host", greeting="Hello.", knowledge_bases=[base], knowledge_auto_tokens=200)
    )
    rt, turn_ctx = await _user_turn_completed(
        config, tmp_path, api, "How long do I have to return it?"
    )

    # Searched with the user's words, without the model calling a tool ...
    assert [r.query for _, r in api.requests] == ["How long do I have to return it?"]
    added = [m.text_content or "" for m in turn_ctx.items if isinstance(m, llm.ChatMessage)]
    assert any("full refund within 45 days" in text for text in added[1:])
    # ... and the log says what was retrieved for this turn.
    entry = next(e for e in rt.sink.entries if isinstance(e, ToolCallEntry))
    assert entry.tool == "search_knowledge:auto"
    logged = KnowledgeSearchResult.model_validate_json(entry.result or "")
    assert logged.chunks[0].source == "handbook.md"


async def test_no_automatic_retrieval_when_the_budget_is_zero(tmp_path: Path) -> None:
    api = FakeKnowledgeApi()
    config = session_config(agent_config("host", greeting="Hello.", knowledge_bases=[uuid4()]))
    _, turn_ctx = await _user_turn_completed(config, tmp_path, api, "Hello there")
    assert api.requests == [] and len(turn_ctx.items) == 1


async def test_the_older_search_knowledge_base_tool_searches_the_agents_bases(
    tmp_path: Path,
) -> None:
    base = uuid4()
    api = FakeKnowledgeApi()
    script = _tool_then_reply("search_knowledge_base", "refunds", "45 days.")
    builtin = ToolConfig(name="search_knowledge_base", kind=ToolKind.BUILTIN, description="")
    config = session_config(
        agent_config("host", greeting="Hello.", tools=[builtin], knowledge_bases=[base])
    )
    await _one_turn(config, tmp_path, api, script, "refund?")
    assert [(r.query, r.knowledge_base_ids) for _, r in api.requests] == [("refunds", [base])]
    outputs = [i for i in script.calls[-1].items if isinstance(i, llm.FunctionCallOutput)]
    assert outputs[0].output.startswith("[1] (handbook.md) Customers can ask for a full refund")

"""``search_knowledge``: the built-in tool of every agent with knowledge bases attached
(``AgentConfig.knowledge_bases``). It asks the API, which searches only the session
organization's knowledge bases (hybrid: vector + full text), and hands the model the ranked
chunks as ``KnowledgeSearchResult`` JSON; the session log's tool call keeps the same JSON, so the
replay shows what was retrieved on each turn, chunk ids included."""

from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from livekit.agents import RunContext, ToolError, function_tool, llm
from troupe_contracts.knowledge import (
    SEARCH_KNOWLEDGE_TOOL,
    KnowledgeChunkHit,
    KnowledgeSearchRequest,
    KnowledgeSearchResult,
)

from troupe_agent.tools.base import MAX_LOGGED_RESULT, truncate

if TYPE_CHECKING:
    from troupe_agent.runtime import SessionRuntime

SEARCH_LIMIT = 4


class KnowledgeSearcher(Protocol):
    async def search_knowledge(
        self, session_id: UUID, request: KnowledgeSearchRequest
    ) -> KnowledgeSearchResult: ...


def search_knowledge_tool(rt: "SessionRuntime", knowledge_bases: list[UUID]) -> llm.Tool:
    async def tool(ctx: RunContext[Any], query: str) -> str:
        """Search the documents your organisation gave you (policies, products, procedures,
        FAQs) for passages that answer a question. Use it before answering any such question,
        and answer from the passages it returns; if it returns none, say you don't know.

        Args:
            query: The user's question, or a few keywords.
        """

        async def body() -> str:
            searcher = rt.knowledge_search
            if searcher is None:
                raise ToolError("The knowledge base is not reachable right now.")
            if not query.strip():
                raise ToolError("The query is empty.")
            request = KnowledgeSearchRequest(
                query=query[:2000], knowledge_base_ids=knowledge_bases, limit=SEARCH_LIMIT
            )
            result = await searcher.search_knowledge(rt.config.session_id, request)
            return result.model_dump_json()

        return await rt.tools.run(ctx, SEARCH_KNOWLEDGE_TOOL, {"query": query}, body)

    return function_tool(tool, name=SEARCH_KNOWLEDGE_TOOL)


AUTO_RETRIEVAL_LIMIT = 3
CHARS_PER_TOKEN = 4
AUTO_RETRIEVAL_TOOL = f"{SEARCH_KNOWLEDGE_TOOL}:auto"
"""The tool name the session log records automatic retrievals under."""


async def auto_retrieve(rt: "SessionRuntime", agent: str, query: str, budget_tokens: int) -> str:
    """The passages for ``query`` that fit ``budget_tokens``, as context for the next reply
    ("" when nothing matched or the search failed: a reply is never blocked on it). Logged as
    a ``search_knowledge:auto`` tool call with the chunks that were used."""
    searcher = rt.knowledge_search
    bases = next((list(a.knowledge_bases) for a in rt.config.agents if a.slug == agent), [])
    if searcher is None or not bases or not query.strip() or budget_tokens <= 0:
        return ""
    started = rt.clock()
    request = KnowledgeSearchRequest(
        query=query[:2000], knowledge_base_ids=bases, limit=AUTO_RETRIEVAL_LIMIT
    )
    try:
        result = await searcher.search_knowledge(rt.config.session_id, request)
    except Exception as e:  # the API is down or slow: answer without the passages
        _log(rt, agent, query, None, f"{type(e).__name__}: {e}", None)
        return ""
    budget = budget_tokens * CHARS_PER_TOKEN
    used: list[KnowledgeChunkHit] = []
    for chunk in result.chunks:
        if sum(len(c.text) for c in used) + len(chunk.text) > budget:
            break
        used.append(chunk)
    # The log keeps which chunks were used (ids for links) and the start of each text.
    logged = KnowledgeSearchResult(
        query=result.query,
        chunks=[c.model_copy(update={"text": c.text[:300]}) for c in used],
    )
    latency_ms = (rt.clock() - started) * 1000
    _log(rt, agent, query, logged.model_dump_json(), None, latency_ms)
    if not used:
        return ""
    passages = "\n\n".join(f"[{c.source}] {c.text}" for c in used)
    return (
        "Passages from the organisation's documents that may answer the user's last message "
        "(use them if relevant; do not mention this note):\n\n" + passages
    )


def _log(
    rt: "SessionRuntime",
    agent: str,
    query: str,
    result: str | None,
    error: str | None,
    latency_ms: float | None,
) -> None:
    if rt.sink is not None:
        rt.sink.tool_call(
            agent=agent,
            tool=AUTO_RETRIEVAL_TOOL,
            arguments={"query": query},
            result=truncate(result, MAX_LOGGED_RESULT) if result is not None else None,
            error=error,
            latency_ms=latency_ms,
        )

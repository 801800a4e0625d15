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
    KnowledgeSearchRequest,
    KnowledgeSearchResult,
)

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

"""Knowledge-base search between the agent runtime and the API
(``POST /api/v1/runtime/sessions/{session_id}/knowledge/search``), and the result the
built-in ``search_knowledge`` tool gives the LLM (also stored in the session log's tool call)."""

from uuid import UUID

from pydantic import Field

from troupe_contracts.base import Contract

SEARCH_KNOWLEDGE_TOOL = "search_knowledge"
"""Name of the built-in tool an agent with knowledge bases gets."""


class KnowledgeSearchRequest(Contract):
    query: str = Field(min_length=1, max_length=2000)
    knowledge_base_ids: list[UUID] = Field(
        description="The agent's attached knowledge bases; the API ignores any that are not "
        "the session organization's."
    )
    limit: int = Field(default=5, ge=1, le=20)


class KnowledgeChunkHit(Contract):
    chunk_id: UUID
    document_id: UUID
    knowledge_base_id: UUID
    source: str = Field(description="The document's file name.")
    heading_path: str = ""
    page: int | None = None
    text: str
    score: float


class KnowledgeSearchResult(Contract):
    query: str
    chunks: list[KnowledgeChunkHit] = Field(default_factory=list)

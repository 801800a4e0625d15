from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KnowledgeBaseCreate(_Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    embedding_model: str | None = Field(
        default=None,
        max_length=128,
        description="all-MiniLM-L6-v2 (offline, the default), openai/<model> (e.g. "
        "openai/text-embedding-3-small, with the organization's OpenAI key) or "
        "openai-compatible/<model> (the organization's OpenAI-compatible server). Checked "
        "with one embedding call when the knowledge base is created.",
    )


class KnowledgeBaseRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    embedding_model: str
    documents: int = 0
    created_at: datetime


class KnowledgeBaseList(BaseModel):
    items: list[KnowledgeBaseRead]


class DocumentRead(BaseModel):
    id: uuid.UUID
    knowledge_base_id: uuid.UUID
    filename: str
    detected_type: str | None
    size_bytes: int
    sha256: str
    status: Literal["queued", "parsed", "chunked", "embedded", "error"]
    error_code: str | None
    error_message: str | None
    pages: int
    chunk_count: int
    created_at: datetime
    updated_at: datetime


class DocumentUploadResult(DocumentRead):
    duplicate: bool = False


class DocumentList(BaseModel):
    items: list[DocumentRead]


class ChunkRead(BaseModel):
    id: uuid.UUID
    position: int
    heading_path: str
    text: str
    page: int | None
    embedding_model: str | None


class ChunkList(BaseModel):
    items: list[ChunkRead]


class KnowledgeQuery(_Schema):
    query: str = Field(min_length=1, max_length=2000)
    limit: int = Field(default=5, ge=1, le=20)
    mode: Literal["hybrid", "vector", "keyword"] = "hybrid"


class KnowledgeHit(BaseModel):
    chunk_id: uuid.UUID
    document_id: uuid.UUID
    knowledge_base_id: uuid.UUID
    filename: str
    heading_path: str
    text: str
    page: int | None
    score: float
    vector_rank: int | None
    keyword_rank: int | None


class KnowledgeQueryResult(BaseModel):
    items: list[KnowledgeHit]

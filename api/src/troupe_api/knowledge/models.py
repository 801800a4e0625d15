"""Knowledge bases: an organization's documents, split into chunks that carry a PostgreSQL
full-text vector and a pgvector embedding (with the name of the model that made it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from troupe_api.core.db import Base, Timestamps, UUIDPrimaryKey
from troupe_api.knowledge.embedding import EMBEDDING_DIM

TEXT_SEARCH_CONFIG = "english"
INDEXED_DIM = EMBEDDING_DIM
"""The offline model's size (the default knowledge base's vectors)."""
HNSW_INDEX = "ix_knowledge_chunks_embedding_384_hnsw"

INDEXED_DIMS: dict[int, str] = {
    384: "vector",
    768: "vector",
    1024: "vector",
    1536: "vector",
    3072: "halfvec",
}
"""Vector sizes searched through a partial HNSW index, and the type the index casts to: the
offline model (384; OpenAI's text-embedding-3 asked for 384), and the sizes of the common
cloud and self-hosted models (768: nomic-embed-text, bge-base; 1024: bge-large, bge-m3,
mxbai-embed-large; 1536: text-embedding-3-small, ada-002). pgvector's HNSW indexes ``vector``
up to 2,000 dimensions, so 3,072 (text-embedding-3-large) is indexed as ``halfvec`` (up to
4,000; half precision only for the index's candidate order). Other sizes are compared exactly."""


def hnsw_index_name(dim: int) -> str:
    return f"ix_knowledge_chunks_embedding_{dim}_hnsw"


def _hnsw_index(dim: int, kind: str) -> Index:
    # Approximate nearest neighbours for vectors of one size (migrations 0018 and 0025): the
    # search casts to the same type and size and repeats the predicate so the planner uses it.
    return Index(
        hnsw_index_name(dim),
        text(f"(embedding::{kind}({dim})) {kind}_cosine_ops"),
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_where=text(f"vector_dims(embedding) = {dim}"),
    )


class Vector(UserDefinedType[list[float]]):
    """pgvector's ``vector(dim)`` (``vector`` of any size without ``dim``), sent and read in its
    text form (``[1,2,3]``)."""

    cache_ok = True

    def __init__(self, dim: int | None = None) -> None:
        self.dim = dim

    def get_col_spec(self, **kw: Any) -> str:
        return f"vector({self.dim})" if self.dim else "vector"

    def bind_processor(self, dialect: Any) -> Any:
        def process(value: Any) -> str | None:
            if value is None:
                return None
            return "[" + ",".join(f"{float(x):.7g}" for x in value) + "]"

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        def process(value: Any) -> list[float] | None:
            if value is None:
                return None
            return [float(x) for x in str(value).strip("[]").split(",") if x]

        return process


class DocumentStatus(StrEnum):
    QUEUED = "queued"
    PARSED = "parsed"
    CHUNKED = "chunked"
    EMBEDDED = "embedded"
    ERROR = "error"


class KnowledgeBase(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "knowledge_bases"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    embedding_model: Mapped[str] = mapped_column(String(128))


class KnowledgeDocument(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "knowledge_documents"
    __table_args__ = (
        UniqueConstraint("knowledge_base_id", "sha256"),
        CheckConstraint(
            "status IN ('queued', 'parsed', 'chunked', 'embedded', 'error')", name="status"
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    knowledge_base_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_bases.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    declared_type: Mapped[str] = mapped_column(String(128))
    detected_type: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(512), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.QUEUED.value)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chunk_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class KnowledgeChunk(UUIDPrimaryKey, Base):
    __tablename__ = "knowledge_chunks"
    __table_args__ = (
        UniqueConstraint("document_id", "position"),
        Index("ix_knowledge_chunks_tsv", "tsv", postgresql_using="gin"),
        *(_hnsw_index(dim, kind) for dim, kind in INDEXED_DIMS.items()),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    knowledge_base_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_bases.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    heading_path: Mapped[str] = mapped_column(Text, default="", server_default="")
    text: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    tsv: Mapped[Any] = mapped_column(
        TSVECTOR,
        Computed(
            f"to_tsvector('{TEXT_SEARCH_CONFIG}'::regconfig, heading_path || ' ' || text)",
            persisted=True,
        ),
    )
    embedding: Mapped[list[float] | None] = mapped_column(Vector())
    embedding_model: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

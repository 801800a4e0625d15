"""knowledge chunks: HNSW indexes for 768, 1024, 1536 and 3072-dimension embeddings

Revision ID: 0025_knowledge_hnsw_sizes
Revises: 0024_agent_avatar
Create Date: 2026-12-06 21:00:00.000000

Migration 0018 indexed only 384-dimension vectors (the offline model); a knowledge base on an
organization's own embedding model of another size was compared exactly, chunk by chunk. Each
common size now has its own partial HNSW index on ``embedding::vector(N)`` (pgvector 0.8:
``vector`` HNSW indexes up to 2,000 dimensions), and 3,072 (OpenAI's text-embedding-3-large)
one on ``embedding::halfvec(3072)`` (``halfvec`` indexes up to 4,000). The search casts to the
knowledge base's size and type and repeats the predicate, so the planner picks the matching
index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025_knowledge_hnsw_sizes"
down_revision: str | None = "0024_agent_avatar"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIZES = {768: "vector", 1024: "vector", 1536: "vector", 3072: "halfvec"}


def upgrade() -> None:
    for dim, kind in SIZES.items():
        op.execute(
            f"CREATE INDEX ix_knowledge_chunks_embedding_{dim}_hnsw ON knowledge_chunks "
            f"USING hnsw ((embedding::{kind}({dim})) {kind}_cosine_ops) "
            "WITH (m = 16, ef_construction = 64) "
            f"WHERE vector_dims(embedding) = {dim}"
        )


def downgrade() -> None:
    for dim in SIZES:
        op.execute(f"DROP INDEX IF EXISTS ix_knowledge_chunks_embedding_{dim}_hnsw")

"""knowledge chunks: embeddings of any dimension, an HNSW index for the 384-dimension ones

Revision ID: 0018_knowledge_hnsw
Revises: 0013_session_variables
Create Date: 2026-12-06 06:30:00.000000

The embedding column loses its fixed size (``vector`` instead of ``vector(384)``) so an
organization's own embedding model (OpenAI or an OpenAI-compatible server) can store vectors of
its size. Searches of 384-dimension vectors (the offline MiniLM model, OpenAI asked for 384)
use an HNSW index on ``embedding::vector(384)`` (partial: only rows of that size); other sizes
are compared exactly within the knowledge base. The embedding stays inline when it fits
(``MAIN``: a 3,072-dimension vector no longer has to fit the page).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_knowledge_hnsw"
down_revision: str | None = "0013_session_variables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_knowledge_chunks_embedding_384_hnsw"


def upgrade() -> None:
    op.execute("ALTER TABLE knowledge_chunks ALTER COLUMN embedding TYPE vector")
    op.execute("ALTER TABLE knowledge_chunks ALTER COLUMN embedding SET STORAGE MAIN")
    op.execute(
        f"CREATE INDEX {INDEX} ON knowledge_chunks "
        "USING hnsw ((embedding::vector(384)) vector_cosine_ops) "
        "WITH (m = 16, ef_construction = 64) "
        "WHERE vector_dims(embedding) = 384"
    )


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute("DELETE FROM knowledge_chunks WHERE vector_dims(embedding) <> 384")
    op.execute("ALTER TABLE knowledge_chunks ALTER COLUMN embedding TYPE vector(384)")
    op.execute("ALTER TABLE knowledge_chunks ALTER COLUMN embedding SET STORAGE PLAIN")

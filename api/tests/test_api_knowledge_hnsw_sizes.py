"""Vectors of an organization's own embedding model are searched through an HNSW index of their
size (migration 0025): 1536 dimensions (OpenAI's text-embedding-3-small) through a ``vector``
index, 3072 (text-embedding-3-large) through a ``halfvec`` one; the per-organization filter
keeps working (pgvector's iterative scan) and the answer is the exact search's."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pytest
from api_factories import make_org
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.knowledge import service
from troupe_api.knowledge.models import (
    INDEXED_DIMS,
    KnowledgeBase,
    KnowledgeChunk,
    KnowledgeDocument,
    hnsw_index_name,
)
from troupe_api.organizations.models import Organization

pytestmark = pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")


def _unit(rng: np.random.Generator, n: int, dim: int, near: np.ndarray | None = None) -> Any:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    if near is not None:
        v = near + 0.05 * v
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class FixedEmbedder:
    def __init__(self, name: str, vector: np.ndarray) -> None:
        self.name = name
        self.vector = vector

    def embed(self, texts: list[str]) -> Any:
        return np.stack([self.vector for _ in texts])


async def _base(
    db: AsyncSession, org: Organization, vectors: np.ndarray, name: str, model: str
) -> KnowledgeBase:
    base = KnowledgeBase(organization_id=org.id, name=name, embedding_model=model)
    db.add(base)
    await db.flush()
    doc = KnowledgeDocument(
        organization_id=org.id,
        knowledge_base_id=base.id,
        filename=f"{name}.txt",
        declared_type="text/plain",
        detected_type="text",
        size_bytes=1,
        sha256=uuid.uuid4().hex * 2,
        storage_key=f"test/{uuid.uuid4()}",
        status="embedded",
    )
    db.add(doc)
    await db.flush()
    db.add_all(
        KnowledgeChunk(
            organization_id=org.id,
            knowledge_base_id=base.id,
            document_id=doc.id,
            position=i,
            text=f"{name} passage {i}",
            embedding=v.tolist(),
            embedding_model=model,
        )
        for i, v in enumerate(vectors)
    )
    await db.flush()
    return base


def test_the_common_sizes_are_indexed_and_3072_as_halfvec() -> None:
    assert INDEXED_DIMS == {
        384: "vector",
        768: "vector",
        1024: "vector",
        1536: "vector",
        3072: "halfvec",
    }
    # The search casts to the index's own expression.
    sql = service._search_sql(use_vector=True, use_keyword=False, dim=3072, exact=False).text
    assert "c.embedding::halfvec(3072) <=> CAST(:qvec AS halfvec(3072))" in sql
    assert "vector_dims(c.embedding) = 3072" in sql
    exact = service._search_sql(use_vector=True, use_keyword=False, dim=3072, exact=True).text
    assert "halfvec" not in exact
    # An unusual size is still compared exactly.
    odd = service._search_sql(use_vector=True, use_keyword=False, dim=576, exact=False).text
    assert "c.embedding <=> CAST(:qvec AS vector)" in odd


async def test_indexes_of_each_size_exist(db: AsyncSession) -> None:
    rows = await db.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'knowledge_chunks'")
    )
    defs = {name: definition for name, definition in rows}
    for dim, kind in INDEXED_DIMS.items():
        definition = defs[hnsw_index_name(dim)]
        assert "USING hnsw" in definition and f"{kind}_cosine_ops" in definition, definition
        assert f"vector_dims(embedding) = {dim}" in definition, definition


@pytest.mark.parametrize(
    ("dim", "model"),
    [(1536, "openai/text-embedding-3-small@1536"), (3072, "openai/text-embedding-3-large@3072")],
)
async def test_a_large_vector_search_reads_its_size_index_and_matches_the_exact_search(
    db: AsyncSession, dim: int, model: str
) -> None:
    rng = np.random.default_rng(dim)
    query = _unit(rng, 1, dim)[0]
    other, mine = await make_org(db, "Other"), await make_org(db, "Mine")
    # Another organization owns the 400 vectors nearest the query (same model and size); ours
    # are 400 others. A 384-dimension base of ours is there too and must not be read.
    await _base(db, other, _unit(rng, 400, dim, near=query), "theirs", model)
    base = await _base(db, mine, _unit(rng, 400, dim), "ours", model)
    await _base(db, mine, _unit(rng, 50, 384), "small", "all-MiniLM-L6-v2")
    await db.execute(text("ANALYZE knowledge_chunks"))

    embedder = FixedEmbedder(model, query)

    async def plan(*, exact: bool) -> str:
        sql, params = await service.search_statement(
            db=db,
            organization_id=mine.id,
            bases=[base.id],
            query="anything",
            mode="vector",
            model=embedder,
            model_name=model,
            exact=exact,
        )
        return "\n".join(r[0] for r in await db.execute(text("EXPLAIN " + sql.text), params))

    async def search(*, exact: bool) -> list[Any]:
        return await service.search(
            db=db,
            organization_id=mine.id,
            base_ids=[base.id],
            query="anything",
            mode="vector",
            embedder=embedder,
            exact=exact,
        )

    index_plan = await plan(exact=False)
    assert hnsw_index_name(dim) in index_plan, index_plan
    exact_plan = await plan(exact=True)
    assert "hnsw" not in exact_plan, exact_plan

    hits = await search(exact=False)
    exact = await search(exact=True)
    assert len(hits) == 5 and all(h.knowledge_base_id == base.id for h in hits)
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in exact]

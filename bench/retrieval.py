"""Knowledge-base retrieval bench: quality (recall@5, MRR@10 for keyword-only, vector-only and
hybrid search), speed (search p95 with 10,000 chunks in the knowledge base) and ingestion
throughput, on the real pieces: PostgreSQL with pgvector, the API's ingestion and search code
(``troupe_api.knowledge``) and the offline embedding model.

The evaluation set is ``bench/retrieval_eval/``: three self-written documents (Markdown and
HTML) and ``questions.json``, each question with a phrase of the passage that answers it. A
question counts as found at rank r when the r-th chunk returned contains that phrase.

It creates a throw-away database on the server of ``DATABASE_URL`` (which needs pgvector: see
scripts/install.sh), migrates it, runs, and drops it.

    DATABASE_URL=postgresql+asyncpg://... uv run python bench/retrieval.py
    ... --distractors 10000 --repeat 3 --out bench/results/retrieval-<date>.json

Speed: the 10,000-chunk figure fills the knowledge base with distractor chunks (sentences of
the evaluation documents shuffled into new paragraphs, with random unit vectors as embeddings:
the search does the same work whatever the vectors say) and times every question in hybrid
mode, with the query's embedding (the model on this CPU, never from the query cache) and without
it (the database alone), reading the nearest neighbours through the HNSW index and by exact
scan side by side (``--vector-index both``, the default; ``hnsw`` or ``exact`` for one), with
quality at 10,000 chunks for each, and the plan PostgreSQL chose for each.
Ingestion counts pages as 3,000 characters of source text (the documents are not PDFs).

``--large-dims 1536,3072`` adds vector-only search over ``--large-chunks`` random vectors of
each size (an organization's own embedding model): through that size's HNSW index (``halfvec``
for 3,072) against the exact scan, with the overlap of their top-5 lists.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from obstore.store import MemoryStore
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from troupe_api.cli import alembic_config
from troupe_api.core.storage import Storage
from troupe_api.knowledge import embedding as emb
from troupe_api.knowledge import service
from troupe_api.knowledge.limits import limits_for
from troupe_api.knowledge.models import (
    INDEXED_DIMS,
    KnowledgeBase,
    KnowledgeChunk,
    KnowledgeDocument,
    hnsw_index_name,
)
from troupe_api.organizations import service as organizations

ROOT = Path(__file__).resolve().parent
EVAL = ROOT / "retrieval_eval"
MODES: tuple[service.SearchMode, ...] = ("keyword", "vector", "hybrid")
CHARS_PER_PAGE = 3000


@dataclass
class Question:
    q: str
    answer: str


class CachedEmbedder:
    """The local model's query vectors computed once, so the database alone is timed."""

    name = emb.LOCAL_MODEL

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def _git_sha() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _p(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


async def _create_db(url: str) -> str:
    name = f"troupe_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url, poolclass=NullPool)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _drop_db(url: str, bench_url: str) -> None:
    name = make_url(bench_url).database
    admin = create_async_engine(url, poolclass=NullPool)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def _rank(hits: list[service.Hit], answer: str) -> int | None:
    needle = " ".join(answer.split()).lower()
    for i, hit in enumerate(hits, start=1):
        if needle in " ".join(hit.text.split()).lower():
            return i
    return None


VARIANTS: dict[str, dict[str, Any]] = {
    # The search as it was before the bounded full-text pool (commit fe50c93): every chunk
    # sharing a term with the question ranked by ts_rank_cd, HNSW ef_search 100.
    "before": {"rank_all_matches": True, "ef_search": 100},
    # The search as the API runs it now (service defaults).
    "after": {},
    # Every vector compared (no HNSW index), the full-text side as now.
    "exact": {"exact": True},
}


async def _quality(
    db: AsyncSession,
    org_id: uuid.UUID,
    base_id: uuid.UUID,
    questions: list[Question],
    embedder: emb.Embedder,
    **search: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in MODES:
        ranks: list[int | None] = []
        for q in questions:
            hits = await service.search(
                db=db,
                organization_id=org_id,
                base_ids=[base_id],
                query=q.q,
                limit=10,
                mode=mode,
                embedder=embedder,
                **search,
            )
            await db.commit()
            ranks.append(_rank(hits, q.answer))
        out[mode] = {
            "recall_at_5": round(sum(1 for r in ranks if r and r <= 5) / len(ranks), 3),
            "mrr_at_10": round(sum(1 / r for r in ranks if r) / len(ranks), 3),
            "missed_at_5": [q.q for q, r in zip(questions, ranks, strict=True) if not r or r > 5],
        }
    return out


async def _plan(
    db: AsyncSession,
    org_id: uuid.UUID,
    base_id: uuid.UUID,
    question: str,
    embedder: emb.Embedder,
    search: dict[str, Any],
) -> list[str]:
    """How PostgreSQL ran one hybrid search (EXPLAIN ANALYZE): each scan of knowledge_chunks
    with the rows it returned, or "never executed" for a coordination level not needed."""
    sql, params = await service.search_statement(
        db=db,
        organization_id=org_id,
        bases=[base_id],
        query=question,
        model=embedder,
        model_name=embedder.name,
        **search,
    )
    rows = await db.execute(text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql.text), params)
    lines = [r[0] for r in rows]
    await db.commit()
    keep = ("Scan", "never executed")
    return [
        re.sub(r"\s+", " ", ln.strip().removeprefix("->").strip())
        for ln in lines
        if any(k in ln for k in keep) and "knowledge_documents" not in ln and "pk_" not in ln
    ]


def _distractor_texts(count: int, seed: int = 7) -> list[str]:
    sentences: list[str] = []
    for path in sorted(EVAL.iterdir()):
        if path.suffix in (".md", ".html"):
            raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
            sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", raw) if len(s) > 30]
    rng = random.Random(seed)
    return [" ".join(rng.sample(sentences, 4)) for _ in range(count)]


async def _ingest(
    db: AsyncSession,
    storage: Storage,
    base: Any,
    docs: list[Path],
    model: emb.Embedder,
    chunk_chars: int,
) -> None:
    for path in docs:
        data = path.read_bytes()
        kind = "text/html" if path.suffix == ".html" else "text/markdown"
        doc, _ = await service.add_document(
            db=db,
            storage=storage,
            base=base,
            filename=path.name,
            content_type=kind,
            data=data,
            limits=limits_for("enterprise"),
        )
        await db.commit()
        result = await service.ingest_document(
            db=db,
            storage=storage,
            document_id=doc.id,
            max_pdf_pages=5000,
            embedder=model,
            chunk_chars=chunk_chars,
            overlap_chars=min(150, chunk_chars // 4),
        )
        assert result.status == "embedded", (path.name, result)


async def _add_distractors(
    db: AsyncSession, org_id: uuid.UUID, base_id: uuid.UUID, count: int
) -> None:
    """``count`` chunks of shuffled evaluation sentences with random unit vectors, in one more
    document of the knowledge base."""
    filler = KnowledgeDocument(
        organization_id=org_id,
        knowledge_base_id=base_id,
        filename="distractors.txt",
        declared_type="text/plain",
        detected_type="text",
        size_bytes=0,
        sha256="f" * 64,
        storage_key=f"bench/{uuid.uuid4()}",
        status="embedded",
    )
    db.add(filler)
    await db.flush()
    rng = np.random.default_rng(11)
    texts = _distractor_texts(count)
    for start in range(0, count, 1000):
        batch = texts[start : start + 1000]
        vectors = rng.normal(size=(len(batch), emb.EMBEDDING_DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        db.add_all(
            KnowledgeChunk(
                organization_id=org_id,
                knowledge_base_id=base_id,
                document_id=filler.id,
                position=start + i,
                heading_path="",
                text=t,
                embedding=v.tolist(),
                embedding_model=emb.LOCAL_MODEL,
            )
            for i, (t, v) in enumerate(zip(batch, vectors, strict=True))
        )
        await db.flush()
    await db.commit()


def _lat(values: list[float]) -> dict[str, float]:
    return {"p50": round(_p(values, 50), 2), "p95": round(_p(values, 95), 2)}


class FixedEmbedder:
    """A cloud model's name (``openai-compatible/bench@<dim>``) with a chosen query vector."""

    def __init__(self, name: str, vector: np.ndarray) -> None:
        self.name = name
        self.vector = vector

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vector for _ in texts])


async def _large_vectors(
    db: AsyncSession, org_id: uuid.UUID, dim: int, count: int, queries: int, repeat: int
) -> dict[str, Any]:
    """Vector-only search over ``count`` random ``dim``-dimension chunks (an organization's own
    embedding model of that size) through its HNSW index (migration 0025) and by exact scan:
    p50/p95, overlap of the two top-5 lists, and whether the plan read the index."""
    model = f"openai-compatible/bench@{dim}"
    base = KnowledgeBase(organization_id=org_id, name=f"{dim} dims", embedding_model=model)
    db.add(base)
    await db.flush()
    doc = KnowledgeDocument(
        organization_id=org_id,
        knowledge_base_id=base.id,
        filename=f"vectors-{dim}.txt",
        declared_type="text/plain",
        detected_type="text",
        size_bytes=0,
        sha256=f"{dim:064d}",
        storage_key=f"bench/{uuid.uuid4()}",
        status="embedded",
    )
    db.add(doc)
    await db.flush()
    rng = np.random.default_rng(dim)
    started = time.perf_counter()
    kept: list[np.ndarray] = []
    for start in range(0, count, 500):
        n = min(500, count - start)
        vectors = rng.normal(size=(n, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        kept.append(vectors[:2])
        db.add_all(
            KnowledgeChunk(
                organization_id=org_id,
                knowledge_base_id=base.id,
                document_id=doc.id,
                position=start + i,
                text=f"vector {start + i}",
                embedding=v.tolist(),
                embedding_model=model,
            )
            for i, v in enumerate(vectors)
        )
        await db.flush()
    await db.commit()
    insert_s = time.perf_counter() - started
    await db.execute(text("ANALYZE knowledge_chunks"))
    await db.commit()
    # Queries near stored vectors (a question close to some passages), as unit vectors.
    seeds = np.concatenate(kept)[:queries]
    noise = rng.normal(size=seeds.shape).astype(np.float32) * (0.5 / np.sqrt(dim))
    qvecs = seeds + noise
    qvecs /= np.linalg.norm(qvecs, axis=1, keepdims=True)
    ms: dict[str, list[float]] = {"hnsw": [], "exact": []}
    overlap: list[float] = []
    plan_uses_index = False
    for r in range(repeat):
        for q in qvecs:
            embedder = FixedEmbedder(model, q)
            top: dict[str, list[uuid.UUID]] = {}
            for variant, exact in (("hnsw", False), ("exact", True)):
                emb.clear_query_cache()
                t = time.perf_counter()
                hits = await service.search(
                    db=db,
                    organization_id=org_id,
                    base_ids=[base.id],
                    query="bench",
                    limit=5,
                    mode="vector",
                    embedder=embedder,
                    exact=exact,
                )
                ms[variant].append((time.perf_counter() - t) * 1000)
                await db.commit()
                top[variant] = [h.chunk_id for h in hits]
            if r == 0:
                overlap.append(len(set(top["hnsw"]) & set(top["exact"])) / 5)
    sql, params = await service.search_statement(
        db=db,
        organization_id=org_id,
        bases=[base.id],
        query="bench",
        mode="vector",
        model=FixedEmbedder(model, qvecs[0]),
        model_name=model,
    )
    plan = "\n".join(r[0] for r in await db.execute(text("EXPLAIN " + sql.text), params))
    plan_uses_index = hnsw_index_name(dim) in plan
    await db.commit()
    return {
        "dimensions": dim,
        "index_type": INDEXED_DIMS.get(dim),
        "chunks": count,
        "insert_s": round(insert_s, 1),
        "plan_uses_index": plan_uses_index,
        "hnsw_ms": _lat(ms["hnsw"]),
        "exact_ms": _lat(ms["exact"]),
        "top5_overlap_with_exact": round(float(np.mean(overlap)), 3),
        "samples": len(ms["hnsw"]),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--distractors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--chunk-chars", type=int, default=service.MAX_CHARS)
    parser.add_argument(
        "--variants",
        default="before,after",
        help="comma-separated, timed side by side in the same run (interleaved per question): "
        "before (every full-text match ranked, ef_search 100: the search before the bounded "
        "pool), after (the search as the API runs it), exact (no HNSW index)",
    )
    parser.add_argument(
        "--large-dims",
        default="",
        help="comma-separated vector sizes (e.g. 1536,3072): also time vector-only search over "
        "--large-chunks random vectors of each size, HNSW index against exact scan",
    )
    parser.add_argument("--large-chunks", type=int, default=5000)
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also print hybrid quality over a grid of RRF k and weights",
    )
    args = parser.parse_args()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variants {unknown}; choose from {sorted(VARIANTS)}")
    if not args.database_url:
        raise SystemExit("set DATABASE_URL (a PostgreSQL server with pgvector)")

    questions = [Question(**q) for q in json.loads((EVAL / "questions.json").read_text())]
    docs = sorted(p for p in EVAL.iterdir() if p.suffix in (".md", ".html"))
    chars = sum(len(p.read_text(encoding="utf-8")) for p in docs)
    bench_url = await _create_db(args.database_url)
    # Pooled like the API's engine (troupe_api.core.db.create_engine): a search reuses a
    # connection. (Until 2026-12-06 this bench opened a new connection, with its password
    # exchange, for every search: ~5 ms of every figure on an idle machine, more under load.)
    engine = create_async_engine(bench_url, pool_size=2, pool_pre_ping=True)
    load_start = [round(x, 2) for x in os.getloadavg()]
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(bench_url), "head")
        factory = async_sessionmaker(engine, expire_on_commit=False)
        storage = Storage(MemoryStore(), signing_key=b"k" * 32, public_api_url="http://bench")
        model = emb.local_embedder()
        t0 = time.perf_counter()
        model.embed(["warm up"])
        load_s = time.perf_counter() - t0
        async with factory() as db:
            org = await organizations.create(
                db=db, name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}"
            )
            limits = limits_for("enterprise")
            base = await service.create_base(
                db=db, organization_id=org.id, name="Eval", description="", limits=limits
            )
            await db.commit()
            started = time.perf_counter()
            await _ingest(db, storage, base, docs, model, args.chunk_chars)
            ingest_s = time.perf_counter() - started
            eval_chunks = list(
                await db.scalars(
                    select(KnowledgeChunk.text).where(KnowledgeChunk.knowledge_base_id == base.id)
                )
            )
            unanswerable = [
                q.q
                for q in questions
                if not any(
                    " ".join(q.answer.split()).lower() in " ".join(c.split()).lower()
                    for c in eval_chunks
                )
            ]
            assert not unanswerable, f"answers not in any chunk: {unanswerable}"
            query_vectors = dict(
                zip([q.q for q in questions], model.embed([q.q for q in questions]), strict=True)
            )
            cached = CachedEmbedder(query_vectors)
            quality = {
                v: await _quality(db, org.id, base.id, questions, cached, **VARIANTS[v])
                for v in variants
            }
            if args.sweep:
                for k in (10, 30, 60):
                    for wk in (0.3, 0.5, 0.7, 1.0):
                        r = (
                            await _quality(
                                db, org.id, base.id, questions, cached, rrf_k=k, keyword_weight=wk
                            )
                        )["hybrid"]
                        print(
                            f"sweep k={k} wk={wk}: recall@5 {r['recall_at_5']} MRR {r['mrr_at_10']}"
                        )

            # 10,000 chunks: a second knowledge base, the distractors stored FIRST and the
            # evaluation documents after them, so the answers sit at the end of the table (a
            # search that read matches in storage order and stopped early would lose them).
            big = await service.create_base(
                db=db,
                organization_id=org.id,
                name="Eval+distractors",
                description="",
                limits=limits,
            )
            await db.commit()
            target = max(0, args.distractors - len(eval_chunks))
            await _add_distractors(db, org.id, big.id, target)
            await _ingest(db, storage, big, docs, model, args.chunk_chars)
            await db.execute(text("ANALYZE knowledge_chunks"))
            await db.commit()
            total_chunks = await db.scalar(
                select(text("count(*)"))
                .select_from(KnowledgeChunk)
                .where(KnowledgeChunk.knowledge_base_id == big.id)
            )
            quality_10k = {
                v: await _quality(db, org.id, big.id, questions, cached, **VARIANTS[v])
                for v in variants
            }
            # The plan of the question with the most full-text matches (every term common).
            heavy = "What happens if I return an item after two months?"
            plans = {
                v: await _plan(db, org.id, big.id, heavy, cached, VARIANTS[v]) for v in variants
            }
            db_ms: dict[str, list[float]] = {v: [] for v in variants}
            full_ms: dict[str, list[float]] = {v: [] for v in variants}
            by_list_ms: dict[str, dict[str, list[float]]] = {
                v: {"vector": [], "keyword": []} for v in variants
            }

            async def timed(
                variant: str, query: str, mode: service.SearchMode, embedder: emb.Embedder
            ) -> float:
                t = time.perf_counter()
                await service.search(
                    db=db,
                    organization_id=org.id,
                    base_ids=[big.id],
                    query=query,
                    limit=5,
                    mode=mode,
                    embedder=embedder,
                    **VARIANTS[variant],
                )
                elapsed = (time.perf_counter() - t) * 1000
                await db.commit()  # each search its own transaction, as in the API
                return elapsed

            # Interleaved: every question runs in every variant back to back, so the variants
            # share the machine's load (it is shared; the load average is in the report).
            for _ in range(args.repeat):
                for q in questions:
                    for variant in variants:
                        for part in ("vector", "keyword"):  # which list costs what
                            by_list_ms[variant][part].append(
                                await timed(variant, q.q, part, cached)
                            )
                        db_ms[variant].append(await timed(variant, q.q, "hybrid", cached))
                        # A question never seen: the model runs, its terms are looked up.
                        emb.clear_query_cache()
                        service.clear_terms_cache()
                        full_ms[variant].append(await timed(variant, q.q, "hybrid", model))
            latency = {
                v: {
                    "database_only": _lat(db_ms[v]),
                    "with_query_embedding": _lat(full_ms[v]),
                    "database_only_by_list": {p: _lat(ms) for p, ms in by_list_ms[v].items()},
                    "samples": len(db_ms[v]),
                    "search": VARIANTS[v],
                    "plan": plans[v],
                }
                for v in variants
            }
            large = [
                await _large_vectors(db, org.id, int(d), args.large_chunks, 20, args.repeat)
                for d in args.large_dims.split(",")
                if d.strip()
            ]
    finally:
        await engine.dispose()
        await _drop_db(args.database_url, bench_url)

    pages = chars / CHARS_PER_PAGE
    report = {
        "bench": "retrieval",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_sha": _git_sha(),
        "cpus": os.cpu_count(),
        "load_average_start": load_start,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "embedding_model": emb.LOCAL_MODEL,
        "rrf_k": service.RRF_K,
        "weights": {"vector": service.VECTOR_WEIGHT, "keyword": service.KEYWORD_WEIGHT},
        "keyword_pool": service.KEYWORD_POOL,
        "candidates": service.CANDIDATES,
        "hnsw": {"ef_search": service.EF_SEARCH, "iterative_scan": "relaxed_order"},
        "chunk_chars": args.chunk_chars,
        "questions": len(questions),
        "documents": len(docs),
        "eval_chunks": len(eval_chunks),
        "quality": {
            v: {m: {k: x for k, x in r.items() if k != "missed_at_5"} for m, r in by_mode.items()}
            for v, by_mode in quality.items()
        },
        "missed_at_5": {v: by_mode["hybrid"]["missed_at_5"] for v, by_mode in quality.items()},
        "quality_with_distractors": {
            v: {m: {k: x for k, x in r.items() if k != "missed_at_5"} for m, r in by_mode.items()}
            for v, by_mode in quality_10k.items()
        },
        "search_latency_ms": {"chunks_in_base": total_chunks, **latency},
        "large_vectors": large,
        "ingestion": {
            "seconds": round(ingest_s, 2),
            "page_equivalents": round(pages, 2),
            "pages_per_s": round(pages / ingest_s, 3),
            "chunks_per_s": round(len(eval_chunks) / ingest_s, 2),
            "model_load_s": round(load_s, 2),
        },
    }
    cols = "".join(f" | {v + ': recall@5, MRR@10':>24}" for v in variants)
    print(f"quality (46 questions)       {cols}")
    for label, table in (("3 documents", quality), (f"{total_chunks} chunks", quality_10k)):
        for mode in MODES:
            cells = "".join(
                f" | {table[v][mode]['recall_at_5']:>15.3f}, {table[v][mode]['mrr_at_10']:.3f}"
                for v in variants
            )
            print(f"{label:<14} {mode:<8}     {cells}")
    print(f"search latency, {total_chunks} chunks (ms, p50 / p95)")
    print(f"{'':<34}" + "".join(f"{v:>18}" for v in variants))
    rows = [
        ("hybrid, database", lambda v: latency[v]["database_only"]),
        ("hybrid, with the query embedding", lambda v: latency[v]["with_query_embedding"]),
        ("vector list alone", lambda v: latency[v]["database_only_by_list"]["vector"]),
        ("full-text list alone", lambda v: latency[v]["database_only_by_list"]["keyword"]),
    ]
    for label, get in rows:
        print(
            f"{label:<34}"
            + "".join(f"{get(v)['p50']:>8.1f} / {get(v)['p95']:>6.1f}" for v in variants)
        )
    for v in variants:
        print(f"plan ({v}): " + "; ".join(plans[v]))
    for figure in large:
        print(
            f"vector-only search, {figure['chunks']} chunks of {figure['dimensions']} dimensions "
            f"(ms, p50 / p95): HNSW ({figure['index_type']}, plan uses the index: "
            f"{figure['plan_uses_index']}) {figure['hnsw_ms']['p50']} / "
            f"{figure['hnsw_ms']['p95']}, exact {figure['exact_ms']['p50']} / "
            f"{figure['exact_ms']['p95']}; top-5 overlap with exact "
            f"{figure['top5_overlap_with_exact']}"
        )
    ing = report["ingestion"]
    print(
        f"ingestion: {ing['pages_per_s']} pages/s ({ing['chunks_per_s']} chunks/s); "
        f"load average {load_start} at the start, {report['load_average']} at the end"
    )
    out = (
        args.out
        or ROOT / "results" / f"retrieval-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())

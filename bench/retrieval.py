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
from troupe_api.knowledge.models import KnowledgeChunk, KnowledgeDocument
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


async def _quality(
    db: AsyncSession,
    org_id: uuid.UUID,
    base_id: uuid.UUID,
    questions: list[Question],
    embedder: emb.Embedder,
    *,
    exact: bool = False,
    **weights: float,
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
                exact=exact,
                **weights,
            )
            ranks.append(_rank(hits, q.answer))
        out[mode] = {
            "recall_at_5": round(sum(1 for r in ranks if r and r <= 5) / len(ranks), 3),
            "mrr_at_10": round(sum(1 / r for r in ranks if r) / len(ranks), 3),
            "missed_at_5": [q.q for q, r in zip(questions, ranks, strict=True) if not r or r > 5],
        }
    return out


async def _vector_plan(
    db: AsyncSession,
    org_id: uuid.UUID,
    base_id: uuid.UUID,
    vectors: dict[str, np.ndarray],
    exact: bool,
) -> str:
    """How PostgreSQL reads the nearest-neighbour list (index or sequential scan)."""
    sql = service._search_sql(use_vector=True, use_keyword=True, dim=emb.EMBEDDING_DIM, exact=exact)
    if not exact:
        await db.execute(service._INDEX_SETTINGS, {"ef": str(service.EF_SEARCH)})
    rows = await db.execute(
        text("EXPLAIN " + sql.text),
        {
            "org": org_id,
            "bases": [base_id],
            "qvec": service.vector_literal(next(iter(vectors.values()))),
            "qtext": "how do I reset my password",
            "model": emb.LOCAL_MODEL,
            "candidates": service.CANDIDATES,
            "rrf_k": 10.0,
            "wv": 1.0,
            "wk": 0.3,
            "limit": 5,
        },
    )
    lines = [r[0] for r in rows]
    scans = [ln.strip() for ln in lines if "Scan" in ln and "knowledge_chunks" in ln]
    await db.commit()
    return "; ".join(scans)


def _distractor_texts(count: int, seed: int = 7) -> list[str]:
    sentences: list[str] = []
    for path in sorted(EVAL.iterdir()):
        if path.suffix in (".md", ".html"):
            raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
            sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", raw) if len(s) > 30]
    rng = random.Random(seed)
    return [" ".join(rng.sample(sentences, 4)) for _ in range(count)]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--distractors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--chunk-chars", type=int, default=service.MAX_CHARS)
    parser.add_argument(
        "--vector-index",
        choices=("both", "hnsw", "exact"),
        default="both",
        help="time the vector search through the HNSW index, by exact scan, or both "
        "(side by side, same data, same run)",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also print hybrid quality over a grid of RRF k and weights",
    )
    args = parser.parse_args()
    variants = ["exact", "hnsw"] if args.vector_index == "both" else [args.vector_index]
    if not args.database_url:
        raise SystemExit("set DATABASE_URL (a PostgreSQL server with pgvector)")

    questions = [Question(**q) for q in json.loads((EVAL / "questions.json").read_text())]
    docs = sorted(p for p in EVAL.iterdir() if p.suffix in (".md", ".html"))
    bench_url = await _create_db(args.database_url)
    engine = create_async_engine(bench_url, poolclass=NullPool)
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
            base = await service.create_base(
                db=db,
                organization_id=org.id,
                name="Eval",
                description="",
                limits=limits_for("enterprise"),
            )
            await db.commit()
            chars = 0
            started = time.perf_counter()
            for path in docs:
                data = path.read_bytes()
                chars += len(data.decode("utf-8"))
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
                    chunk_chars=args.chunk_chars,
                    overlap_chars=min(150, args.chunk_chars // 4),
                )
                assert result.status == "embedded", (path.name, result)
            ingest_s = time.perf_counter() - started
            eval_chunks = list(await db.scalars(select(KnowledgeChunk.text)))
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
            quality = await _quality(db, org.id, base.id, questions, cached)
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

            # 10,000 chunks: distractors in one more document of the same knowledge base.
            filler = KnowledgeDocument(
                organization_id=org.id,
                knowledge_base_id=base.id,
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
            target = max(0, args.distractors - len(eval_chunks))
            texts = _distractor_texts(target)
            for start in range(0, target, 1000):
                batch = texts[start : start + 1000]
                vectors = rng.normal(size=(len(batch), emb.EMBEDDING_DIM)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                db.add_all(
                    KnowledgeChunk(
                        organization_id=org.id,
                        knowledge_base_id=base.id,
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
            await db.execute(text("ANALYZE knowledge_chunks"))
            total_chunks = await db.scalar(select(text("count(*)")).select_from(KnowledgeChunk))
            quality_10k: dict[str, dict[str, Any]] = {}
            latency: dict[str, dict[str, Any]] = {}
            plans: dict[str, str] = {}
            for variant in variants:
                exact = variant == "exact"
                quality_10k[variant] = await _quality(
                    db, org.id, base.id, questions, cached, exact=exact
                )
                plans[variant] = await _vector_plan(db, org.id, base.id, query_vectors, exact)
                db_ms: list[float] = []
                full_ms: list[float] = []
                by_mode_ms: dict[str, list[float]] = {"vector": [], "keyword": []}
                for _ in range(args.repeat):
                    for q in questions:
                        for part in ("vector", "keyword"):  # which list costs what
                            t = time.perf_counter()
                            await service.search(
                                db=db,
                                organization_id=org.id,
                                base_ids=[base.id],
                                query=q.q,
                                limit=5,
                                mode=part,
                                embedder=cached,
                                exact=exact,
                            )
                            by_mode_ms[part].append((time.perf_counter() - t) * 1000)
                            await db.commit()
                        t = time.perf_counter()
                        await service.search(
                            db=db,
                            organization_id=org.id,
                            base_ids=[base.id],
                            query=q.q,
                            limit=5,
                            embedder=cached,
                            exact=exact,
                        )
                        db_ms.append((time.perf_counter() - t) * 1000)
                        emb.clear_query_cache()  # time the model on every query
                        t = time.perf_counter()
                        await service.search(
                            db=db,
                            organization_id=org.id,
                            base_ids=[base.id],
                            query=q.q,
                            limit=5,
                            embedder=model,
                            exact=exact,
                        )
                        full_ms.append((time.perf_counter() - t) * 1000)
                        await db.commit()  # each search its own transaction, as in the API
                latency[variant] = {
                    "database_only": {
                        "p50": round(_p(db_ms, 50), 2),
                        "p95": round(_p(db_ms, 95), 2),
                    },
                    "with_query_embedding": {
                        "p50": round(_p(full_ms, 50), 2),
                        "p95": round(_p(full_ms, 95), 2),
                    },
                    "database_only_by_list_p95": {
                        part: round(_p(ms, 95), 2) for part, ms in by_mode_ms.items()
                    },
                    "samples": len(db_ms),
                    "vector_plan": plans[variant],
                }
    finally:
        await engine.dispose()
        await _drop_db(args.database_url, bench_url)

    pages = chars / CHARS_PER_PAGE
    report = {
        "bench": "retrieval",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_sha": _git_sha(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "embedding_model": emb.LOCAL_MODEL,
        "rrf_k": service.RRF_K,
        "weights": {"vector": service.VECTOR_WEIGHT, "keyword": service.KEYWORD_WEIGHT},
        "chunk_chars": args.chunk_chars,
        "questions": len(questions),
        "documents": len(docs),
        "eval_chunks": len(eval_chunks),
        "quality": quality,
        "quality_with_distractors": {
            variant: {
                m: {k: v for k, v in r.items() if k != "missed_at_5"} for m, r in by_mode.items()
            }
            for variant, by_mode in quality_10k.items()
        },
        "search_latency_ms": {"chunks_in_base": total_chunks, **latency},
        "hnsw": {"ef_search": service.EF_SEARCH, "iterative_scan": "relaxed_order"},
        "ingestion": {
            "seconds": round(ingest_s, 2),
            "page_equivalents": round(pages, 2),
            "pages_per_s": round(pages / ingest_s, 3),
            "chunks_per_s": round(len(eval_chunks) / ingest_s, 2),
            "model_load_s": round(load_s, 2),
        },
    }
    header = "".join(f"   {v}: recall@5, MRR" for v in variants)
    print(f"{'mode':<8} {'recall@5':>9} {'MRR@10':>7}   (with {total_chunks} chunks){header}")
    for mode in MODES:
        r = quality[mode]
        cells = "".join(
            f"   {v}: {quality_10k[v][mode]['recall_at_5']:.3f}, "
            f"{quality_10k[v][mode]['mrr_at_10']:.3f}"
            for v in variants
        )
        print(f"{mode:<8} {r['recall_at_5']:>9.3f} {r['mrr_at_10']:>7.3f}  {cells}")
    for variant in variants:
        lat = latency[variant]
        print(
            f"search p95 with {total_chunks} chunks ({variant}): "
            f"{lat['database_only']['p95']} ms database (p50 {lat['database_only']['p50']}), "
            f"{lat['with_query_embedding']['p95']} ms with the query embedding; "
            f"vector list alone {lat['database_only_by_list_p95']['vector']} ms, "
            f"keyword list alone {lat['database_only_by_list_p95']['keyword']} ms; "
            f"plan: {lat['vector_plan']}"
        )
    ing = report["ingestion"]
    print(
        f"ingestion: {ing['pages_per_s']} pages/s ({ing['chunks_per_s']} chunks/s); load {report['load_average']}"
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

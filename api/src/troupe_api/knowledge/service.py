"""Knowledge bases: CRUD, ingestion (run by the job worker) and hybrid search.

Search runs two ranked lists inside PostgreSQL, pgvector cosine distance over the chunks
embedded by the query's model and full-text rank (``ts_rank_cd``) over their tsvector, and
fuses them by weighted reciprocal rank fusion: score = sum over lists of weight / (RRF_K + rank).
Every query is scoped by organization id and knowledge-base ids."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.logging import get_logger
from troupe_api.core.storage import Storage
from troupe_api.jobs.queue import JobRequest, defer
from troupe_api.knowledge import embedding as emb
from troupe_api.knowledge.chunking import MAX_CHARS, OVERLAP_CHARS, chunk_blocks
from troupe_api.knowledge.errors import (
    DocumentRejected,
    KnowledgeBaseNameTaken,
    KnowledgeLimitReached,
)
from troupe_api.knowledge.limits import KnowledgeLimits
from troupe_api.knowledge.models import (
    DocumentStatus,
    KnowledgeBase,
    KnowledgeChunk,
    KnowledgeDocument,
)
from troupe_api.knowledge.parsing import DocumentError, declared_kind, parse, sniff

log = get_logger(__name__)

INGEST_JOB = "ingest_knowledge_document"
# Tuned with bench/retrieval.py on its evaluation set (see the README's table): the small
# MiniLM model is the better ranker on paraphrased questions, full text rescues exact terms
# (error codes, names), so the keyword list counts less and the top ranks count more.
RRF_K = 10
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 0.3
CANDIDATES = 40  # per ranked list, before fusion
EMBED_BATCH = 32
SearchMode = Literal["hybrid", "vector", "keyword"]


# ── knowledge bases


async def list_bases(*, db: AsyncSession, organization_id: uuid.UUID) -> list[KnowledgeBase]:
    return list(
        await db.scalars(
            select(KnowledgeBase)
            .where(KnowledgeBase.organization_id == organization_id)
            .order_by(KnowledgeBase.name)
        )
    )


async def get_base(
    *, db: AsyncSession, organization_id: uuid.UUID, base_id: uuid.UUID
) -> KnowledgeBase | None:
    return await db.scalar(
        select(KnowledgeBase).where(
            KnowledgeBase.id == base_id, KnowledgeBase.organization_id == organization_id
        )
    )


async def create_base(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    name: str,
    description: str,
    limits: KnowledgeLimits,
) -> KnowledgeBase:
    count = await db.scalar(
        select(func.count())
        .select_from(KnowledgeBase)
        .where(KnowledgeBase.organization_id == organization_id)
    )
    if (count or 0) >= limits.knowledge_bases:
        raise KnowledgeLimitReached(details={"knowledge_bases": limits.knowledge_bases})
    taken = await db.scalar(
        select(KnowledgeBase.id).where(
            KnowledgeBase.organization_id == organization_id, KnowledgeBase.name == name
        )
    )
    if taken is not None:
        raise KnowledgeBaseNameTaken(details={"name": name})
    base = KnowledgeBase(
        organization_id=organization_id,
        name=name,
        description=description,
        embedding_model=emb.LOCAL_MODEL,
    )
    db.add(base)
    await db.flush()
    return base


async def delete_base(*, db: AsyncSession, base: KnowledgeBase, storage: Storage) -> None:
    keys = list(
        await db.scalars(
            select(KnowledgeDocument.storage_key).where(
                KnowledgeDocument.knowledge_base_id == base.id
            )
        )
    )
    await db.delete(base)
    await db.flush()
    for key in keys:
        await storage.delete(key)


async def existing_bases(
    *, db: AsyncSession, organization_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """The ids among ``ids`` that are this organization's knowledge bases."""
    if not ids:
        return []
    found = set(
        await db.scalars(
            select(KnowledgeBase.id).where(
                KnowledgeBase.organization_id == organization_id, KnowledgeBase.id.in_(ids)
            )
        )
    )
    return [i for i in ids if i in found]


# ── documents


async def list_documents(*, db: AsyncSession, base: KnowledgeBase) -> list[KnowledgeDocument]:
    return list(
        await db.scalars(
            select(KnowledgeDocument)
            .where(KnowledgeDocument.knowledge_base_id == base.id)
            .order_by(KnowledgeDocument.created_at.desc())
        )
    )


async def get_document(
    *, db: AsyncSession, base: KnowledgeBase, document_id: uuid.UUID
) -> KnowledgeDocument | None:
    return await db.scalar(
        select(KnowledgeDocument).where(
            KnowledgeDocument.id == document_id,
            KnowledgeDocument.knowledge_base_id == base.id,
        )
    )


def ingest_job(document_id: uuid.UUID) -> JobRequest:
    return JobRequest(
        function=INGEST_JOB,
        kwargs={"document_id": str(document_id)},
        key=f"knowledge:{document_id}",
        retries=3,
        retry_delay_s=5.0,
        timeout_s=600,
    )


def precheck(data: bytes, *, filename: str, content_type: str | None) -> str:
    """Refuse in the request what needs no parsing (empty, unsupported or lying types); the
    rest is parsed by the job. Returns the detected kind."""
    try:
        if not data.strip():
            raise DocumentError("empty_file", "The file is empty.")
        if declared_kind(filename, content_type) is None:
            raise DocumentError(
                "unsupported_type",
                "Only PDF, Markdown, HTML and plain text files can be added to a knowledge base.",
            )
        kind = sniff(data)
        declared = declared_kind(filename, content_type)
        if kind.startswith("binary:"):
            raise DocumentError(
                "type_mismatch",
                f"The file is {kind.removeprefix('binary:')}, not a {declared} file; "
                "archives are not opened.",
            )
        if (kind == "pdf") != (declared == "pdf"):
            raise DocumentError(
                "type_mismatch",
                f"The file's content is {'a PDF' if kind == 'pdf' else 'not a PDF'} but it is "
                f"named as {declared}.",
            )
        return kind
    except DocumentError as exc:
        raise DocumentRejected(exc.message, details={"reason": exc.code}) from exc


async def add_document(
    *,
    db: AsyncSession,
    storage: Storage,
    base: KnowledgeBase,
    filename: str,
    content_type: str | None,
    data: bytes,
    limits: KnowledgeLimits,
) -> tuple[KnowledgeDocument, bool]:
    """Store the file and queue its ingestion. The same bytes in the same knowledge base are
    the same document (returned with ``created=False``; nothing is queued again)."""
    kind = precheck(data, filename=filename, content_type=content_type)
    digest = hashlib.sha256(data).hexdigest()
    existing = await db.scalar(
        select(KnowledgeDocument).where(
            KnowledgeDocument.knowledge_base_id == base.id, KnowledgeDocument.sha256 == digest
        )
    )
    if existing is not None:
        return existing, False
    count = await db.scalar(
        select(func.count())
        .select_from(KnowledgeDocument)
        .where(KnowledgeDocument.knowledge_base_id == base.id)
    )
    if (count or 0) >= limits.documents_per_base:
        raise KnowledgeLimitReached(
            "The plan's document limit for this knowledge base is reached.",
            details={"documents_per_base": limits.documents_per_base},
        )
    doc_id = uuid.uuid4()
    key = f"knowledge/{base.organization_id}/{base.id}/{doc_id}"
    await storage.put(key, data, content_type=content_type or "application/octet-stream")
    doc = KnowledgeDocument(
        id=doc_id,
        organization_id=base.organization_id,
        knowledge_base_id=base.id,
        filename=filename[:255],
        declared_type=(content_type or "")[:128],
        detected_type=kind,
        size_bytes=len(data),
        sha256=digest,
        storage_key=key,
        status=DocumentStatus.QUEUED.value,
    )
    db.add(doc)
    await db.flush()
    defer(db, ingest_job(doc.id))
    return doc, True


async def delete_document(*, db: AsyncSession, doc: KnowledgeDocument, storage: Storage) -> None:
    key = doc.storage_key
    await db.delete(doc)
    await db.flush()
    await storage.delete(key)


async def chunks_of(
    *, db: AsyncSession, doc: KnowledgeDocument, limit: int, offset: int
) -> list[KnowledgeChunk]:
    return list(
        await db.scalars(
            select(KnowledgeChunk)
            .where(KnowledgeChunk.document_id == doc.id)
            .order_by(KnowledgeChunk.position)
            .limit(limit)
            .offset(offset)
        )
    )


# ── ingestion (the job)


@dataclass
class IngestResult:
    status: str
    chunks: int = 0
    error_code: str | None = None


async def _set(db: AsyncSession, doc: KnowledgeDocument, **values: object) -> None:
    for name, value in values.items():
        setattr(doc, name, value)
    await db.commit()


async def ingest_document(
    *,
    db: AsyncSession,
    storage: Storage,
    document_id: uuid.UUID,
    max_pdf_pages: int,
    embedder: emb.Embedder | None = None,
    final_attempt: bool = True,
    chunk_chars: int = MAX_CHARS,
    overlap_chars: int = OVERLAP_CHARS,
) -> IngestResult:
    """queued → parsed → chunked → embedded, committing each step; a bad file ends in
    ``error`` with its reason. Safe to re-run: chunks are rebuilt, an embedded document is
    left alone."""
    doc = await db.get(KnowledgeDocument, document_id)
    if doc is None:
        return IngestResult(status="missing")
    if doc.status in (DocumentStatus.EMBEDDED.value, DocumentStatus.ERROR.value):
        return IngestResult(status=doc.status, chunks=doc.chunk_count, error_code=doc.error_code)
    base = await db.get(KnowledgeBase, doc.knowledge_base_id)
    if base is None:
        return IngestResult(status="missing")
    model = embedder or emb.embedder_named(base.embedding_model)
    doc.attempts += 1
    await db.commit()
    try:
        data = await storage.read(doc.storage_key)
        parsed = await asyncio.to_thread(
            parse,
            data,
            filename=doc.filename,
            content_type=doc.declared_type,
            max_pages=max_pdf_pages,
        )
        await _set(db, doc, status=DocumentStatus.PARSED.value, pages=parsed.pages)
        pieces = chunk_blocks(parsed.blocks, max_chars=chunk_chars, overlap_chars=overlap_chars)
        await db.execute(delete(KnowledgeChunk).where(KnowledgeChunk.document_id == doc.id))
        rows = [
            KnowledgeChunk(
                organization_id=doc.organization_id,
                knowledge_base_id=doc.knowledge_base_id,
                document_id=doc.id,
                position=i,
                heading_path=piece.heading_path,
                text=piece.text,
                page=piece.page,
            )
            for i, piece in enumerate(pieces)
        ]
        db.add_all(rows)
        await _set(db, doc, status=DocumentStatus.CHUNKED.value, chunk_count=len(rows))
        for start in range(0, len(rows), EMBED_BATCH):
            batch = rows[start : start + EMBED_BATCH]
            inputs = [_embedding_input(r.heading_path, r.text) for r in batch]
            vectors = await asyncio.to_thread(model.embed, inputs)
            for row, vector in zip(batch, vectors, strict=True):
                await db.execute(
                    update(KnowledgeChunk)
                    .where(KnowledgeChunk.id == row.id)
                    .values(embedding=vector.tolist(), embedding_model=model.name)
                )
        await _set(db, doc, status=DocumentStatus.EMBEDDED.value)
        log.info("knowledge_document_ingested", document_id=str(doc.id), chunks=len(rows))
        return IngestResult(status=doc.status, chunks=len(rows))
    except DocumentError as exc:
        await db.rollback()
        await _set(
            db,
            doc,
            status=DocumentStatus.ERROR.value,
            error_code=exc.code,
            error_message=exc.message,
        )
        return IngestResult(status=doc.status, error_code=exc.code)
    except Exception:
        await db.rollback()
        if final_attempt:
            await _set(
                db,
                doc,
                status=DocumentStatus.ERROR.value,
                error_code="ingest_failed",
                error_message="The document could not be processed; delete it and try again.",
            )
        raise


def _embedding_input(heading_path: str, body: str) -> str:
    return f"{heading_path}: {body}" if heading_path else body


# ── search


@dataclass(frozen=True)
class Hit:
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


def vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


_SEARCH_SQL = text(
    """
WITH vec AS (
  SELECT c.id, row_number() OVER (ORDER BY c.embedding <=> CAST(:qvec AS vector)) AS rank
  FROM knowledge_chunks c
  WHERE :use_vector AND c.organization_id = :org AND c.knowledge_base_id = ANY(:bases)
    AND c.embedding IS NOT NULL AND c.embedding_model = :model
  ORDER BY c.embedding <=> CAST(:qvec AS vector)
  LIMIT :candidates
),
q AS (
  SELECT CASE WHEN numnode(p) = 0 THEN NULL
              ELSE replace(p::text, '&', '|')::tsquery END AS query
  FROM plainto_tsquery('english', :qtext) AS p
),
kw AS (
  SELECT c.id, row_number() OVER (ORDER BY ts_rank_cd(c.tsv, q.query) DESC, c.id) AS rank
  FROM knowledge_chunks c, q
  WHERE :use_keyword AND q.query IS NOT NULL AND c.tsv @@ q.query
    AND c.organization_id = :org AND c.knowledge_base_id = ANY(:bases)
  ORDER BY ts_rank_cd(c.tsv, q.query) DESC, c.id
  LIMIT :candidates
),
fused AS (
  SELECT coalesce(vec.id, kw.id) AS id, vec.rank AS vector_rank, kw.rank AS keyword_rank,
         coalesce(CAST(:wv AS float8) / (CAST(:rrf_k AS float8) + vec.rank), 0)
         + coalesce(CAST(:wk AS float8) / (CAST(:rrf_k AS float8) + kw.rank), 0) AS score
  FROM vec FULL OUTER JOIN kw ON vec.id = kw.id
)
SELECT f.id, c.document_id, c.knowledge_base_id, d.filename, c.heading_path, c.text, c.page,
       f.score, f.vector_rank, f.keyword_rank
FROM fused f
JOIN knowledge_chunks c ON c.id = f.id
JOIN knowledge_documents d ON d.id = c.document_id
ORDER BY f.score DESC, f.id
LIMIT :limit
"""
)


async def search(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    base_ids: Sequence[uuid.UUID],
    query: str,
    limit: int = 5,
    mode: SearchMode = "hybrid",
    embedder: emb.Embedder | None = None,
    vector_weight: float = VECTOR_WEIGHT,
    keyword_weight: float = KEYWORD_WEIGHT,
    rrf_k: float = RRF_K,
) -> list[Hit]:
    """The ``limit`` best chunks for ``query`` in these knowledge bases of this organization
    (ids of other organizations' bases match nothing)."""
    if not base_ids or not query.strip():
        return []
    model = embedder or emb.local_embedder()
    use_vector = mode in ("hybrid", "vector")
    qvec = "[" + ",".join(["0"] * emb.EMBEDDING_DIM) + "]"
    if use_vector:
        vectors = await asyncio.to_thread(model.embed, [query])
        qvec = vector_literal(vectors[0])
    rows = await db.execute(
        _SEARCH_SQL,
        {
            "org": organization_id,
            "bases": list(base_ids),
            "qvec": qvec,
            "qtext": query,
            "model": model.name,
            "use_vector": use_vector,
            "use_keyword": mode in ("hybrid", "keyword"),
            "candidates": CANDIDATES,
            "rrf_k": float(rrf_k),
            "wv": vector_weight,
            "wk": keyword_weight,
            "limit": limit,
        },
    )
    return [
        Hit(
            chunk_id=r.id,
            document_id=r.document_id,
            knowledge_base_id=r.knowledge_base_id,
            filename=r.filename,
            heading_path=r.heading_path,
            text=r.text,
            page=r.page,
            score=float(r.score),
            vector_rank=r.vector_rank,
            keyword_rank=r.keyword_rank,
        )
        for r in rows
    ]

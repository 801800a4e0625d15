"""Knowledge bases: CRUD, ingestion (run by the job worker) and hybrid search.

Search runs two ranked lists inside PostgreSQL, pgvector cosine distance over the chunks
embedded by the query's model and full-text rank over their stored tsvector, and fuses them by
weighted reciprocal rank fusion: score = sum over lists of weight / (RRF_K + rank). Every query
is scoped by organization id and knowledge-base ids.

The full-text list ranks a bounded pool of matches (``KEYWORD_POOL``), not every chunk sharing a
word with the question: the GIN index finds the chunks holding all of the question's terms first,
then those holding fewer (coordination levels, ``keyword_tiers``), and ``ts_rank_cd`` orders the
pool within each level. Ranking every match (``rank_all_matches=True``, the bench's baseline)
read and ranked thousands of rows for a question of common words."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import itertools
import math
import re
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from troupe_api.core.crypto import InvalidToken, SecretBox
from troupe_api.core.errors import TroupeError
from troupe_api.core.logging import get_logger
from troupe_api.core.storage import Storage
from troupe_api.jobs.queue import JobRequest, defer
from troupe_api.knowledge import embedding as emb
from troupe_api.knowledge.chunking import MAX_CHARS, OVERLAP_CHARS, chunk_blocks
from troupe_api.knowledge.errors import (
    DocumentRejected,
    EmbeddingKeyInvalid,
    EmbeddingKeyMissing,
    EmbeddingModelUnsupported,
    EmbeddingProviderUnavailable,
    KnowledgeBaseNameTaken,
    KnowledgeLimitReached,
)
from troupe_api.knowledge.limits import KnowledgeLimits
from troupe_api.knowledge.models import (
    INDEXED_DIM,
    INDEXED_DIMS,
    DocumentStatus,
    KnowledgeBase,
    KnowledgeChunk,
    KnowledgeDocument,
)
from troupe_api.knowledge.parsing import DocumentError, declared_kind, parse, sniff
from troupe_api.provider_keys.models import ProviderKey

log = get_logger(__name__)

INGEST_JOB = "ingest_knowledge_document"
# Tuned with bench/retrieval.py on its evaluation set (see the README's table): the small
# MiniLM model is the better ranker on paraphrased questions, full text rescues exact terms
# (error codes, names), so the keyword list counts less and the top ranks count more.
RRF_K = 10
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 0.3
CANDIDATES = 40  # per ranked list, before fusion
KEYWORD_POOL = 200
"""Full-text matches ranked at most per search (the first coordination levels that fill it)."""
MAX_TIER_CLAUSES = 120
"""A coordination level "at least k of the n terms" is one tsquery of C(n, k) conjunctions;
levels with more are skipped (the level below still finds their chunks)."""
MAX_QUERY_TERMS = 16
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
    embedding_model: str | None = None,
    box: SecretBox | None = None,
) -> KnowledgeBase:
    """A new knowledge base. ``embedding_model`` other than the offline model is checked with
    one call to the organization's embedding server (a missing or refused key, an unreachable
    server: a structured error, nothing created)."""
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
    model_name = emb.LOCAL_MODEL
    if embedding_model and embedding_model != emb.LOCAL_MODEL:
        try:
            model_name = emb.ModelRef.parse(embedding_model).name
        except ValueError as exc:
            raise EmbeddingModelUnsupported(details={"embedding_model": embedding_model}) from exc
        model = await embedder_for(
            db=db, box=box, organization_id=organization_id, model_name=model_name
        )
        try:
            await asyncio.to_thread(model.embed, ["knowledge base check"])
        except emb.EmbeddingProviderError as exc:
            raise provider_error(exc, model_name) from exc
    base = KnowledgeBase(
        organization_id=organization_id,
        name=name,
        description=description,
        embedding_model=model_name,
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
    box: SecretBox | None = None,
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
    doc.attempts += 1
    await db.commit()
    try:
        model = embedder or await embedder_for(
            db=db, box=box, organization_id=doc.organization_id, model_name=base.embedding_model
        )
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
    except (EmbeddingKeyMissing, EmbeddingModelUnsupported) as exc:
        await db.rollback()
        await _set(
            db,
            doc,
            status=DocumentStatus.ERROR.value,
            error_code=exc.code,
            error_message=exc.message,
        )
        return IngestResult(status=doc.status, error_code=exc.code)
    except emb.EmbeddingProviderError as exc:
        await db.rollback()
        if final_attempt or exc.code == "embedding_provider_key_invalid":
            await _set(
                db,
                doc,
                status=DocumentStatus.ERROR.value,
                error_code=exc.code,
                error_message=exc.message,
            )
            return IngestResult(status=doc.status, error_code=exc.code)
        raise
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


_NO_ROWS = "SELECT NULL::uuid AS id, NULL::bigint AS rank WHERE false"


@functools.cache
def _search_sql(
    *, use_vector: bool, use_keyword: bool, dim: int, exact: bool, tiers: int | None = None
) -> TextClause:
    """The hybrid search for one embedding model. With vectors of an indexed size
    (``INDEXED_DIMS``) and ``exact=False`` the nearest-neighbour list reads that size's HNSW
    index (the expression and the
    partial index's predicate are repeated verbatim so the planner can match them; pgvector's
    iterative scan keeps reading it until enough rows pass the organization, knowledge-base and
    model filters); otherwise it compares every vector of those knowledge bases.

    The full-text list: ``tiers`` coordination levels (parameters ``kq0``… from
    ``keyword_tiers``, ``kq_any`` and ``pool``), or with ``tiers=None`` the baseline that ranks
    every match of the question's terms (parameter ``qtext``)."""
    if not use_vector:
        vec = _NO_ROWS
    else:
        kind = INDEXED_DIMS.get(dim)
        if kind and not exact:
            # The index's own expression (type and size), so the planner matches it.
            distance = f"c.embedding::{kind}({dim}) <=> CAST(:qvec AS {kind}({dim}))"
        else:
            distance = "c.embedding <=> CAST(:qvec AS vector)"
        vec = f"""
  SELECT nearest.id, row_number() OVER (ORDER BY nearest.dist, nearest.id) AS rank
  FROM (
    SELECT c.id, {distance} AS dist
    FROM knowledge_chunks c
    WHERE vector_dims(c.embedding) = {int(dim)}
      AND c.organization_id = :org AND c.knowledge_base_id = ANY(:bases)
      AND c.embedding_model = :model
    ORDER BY dist
    LIMIT :candidates
  ) AS nearest"""
    if not use_keyword:
        kw = _NO_ROWS
    elif tiers is None:  # the baseline: rank every chunk that shares a term with the question
        kw = """
  SELECT c.id, row_number() OVER (ORDER BY ts_rank_cd(c.tsv, q.query) DESC, c.id) AS rank
  FROM knowledge_chunks c, q
  WHERE q.query IS NOT NULL AND c.tsv @@ q.query
    AND c.organization_id = :org AND c.knowledge_base_id = ANY(:bases)
  ORDER BY ts_rank_cd(c.tsv, q.query) DESC, c.id
  LIMIT :candidates"""
    elif tiers == 0:
        kw = _NO_ROWS
    else:
        # One branch per coordination level, most terms first; the outer LIMIT stops the
        # Append as soon as the pool is full, so a level below is read only when needed.
        levels = "\n    UNION ALL\n".join(
            f"""    (SELECT c.id, {tiers - i} AS level, ts_rank_cd(c.tsv, CAST(:kq_any AS tsquery)) AS score
     FROM knowledge_chunks c
     WHERE c.tsv @@ CAST(:kq{i} AS tsquery)"""
            + (f" AND NOT c.tsv @@ CAST(:kq{i - 1} AS tsquery)" if i else "")
            # The scope is written so no btree serves it: the level reads the GIN index
            # (an index scan of the organization's rows stopped by LIMIT reads them all
            # when the level has fewer matches than the pool).
            + """
       AND (c.organization_id = :org) IS TRUE AND (c.knowledge_base_id = ANY(:bases)) IS TRUE
     LIMIT :pool)"""
            for i in range(tiers)
        )
        kw = f"""
  SELECT pool.id, row_number() OVER (ORDER BY pool.level DESC, pool.score DESC, pool.id) AS rank
  FROM (SELECT * FROM (
{levels}
  ) AS levels LIMIT :pool) AS pool
  ORDER BY pool.level DESC, pool.score DESC, pool.id
  LIMIT :candidates"""
    q = (
        """
q AS (
  SELECT CASE WHEN numnode(p) = 0 THEN NULL
              ELSE replace(p::text, '&', '|')::tsquery END AS query
  FROM plainto_tsquery('english', :qtext) AS p
),"""
        if use_keyword and tiers is None
        else ""
    )
    return text(
        f"""
WITH vec AS ({vec}
),{q}
kw AS ({kw}
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


def _tsquery_term(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def keyword_tiers(terms: Sequence[str]) -> list[str]:
    """The question's coordination levels as tsquery texts, most demanding first: "at least k
    of its n distinct terms" for k = n … 1 (a level of more than ``MAX_TIER_CLAUSES``
    conjunctions is left out). The last is any term (the baseline's whole match set)."""
    terms = sorted(set(terms), key=lambda t: (-len(t), t))[:MAX_QUERY_TERMS]
    n = len(terms)
    quoted = [_tsquery_term(t) for t in sorted(terms)]
    out: list[str] = []
    for k in range(n, 0, -1):
        if k not in (1, n) and math.comb(n, k) > MAX_TIER_CLAUSES:
            continue
        out.append(
            " | ".join(
                "(" + " & ".join(group) + ")" if k > 1 else group[0]
                for group in itertools.combinations(quoted, k)
            )
        )
    return out


_TERMS_SQL = text("SELECT tsvector_to_array(to_tsvector('english', :q))")
_terms_cache: OrderedDict[str, list[str]] = OrderedDict()
_TERMS_CACHE_SIZE = 1024


def clear_terms_cache() -> None:
    _terms_cache.clear()


async def query_terms(db: AsyncSession, query: str) -> list[str]:
    """The question's distinct lexemes as the chunks' tsvector has them (PostgreSQL's English
    stemming and stop words: what ``plainto_tsquery`` would keep), cached per text."""
    cached = _terms_cache.get(query)
    if cached is not None:
        _terms_cache.move_to_end(query)
        return cached
    terms = list(await db.scalar(_TERMS_SQL, {"q": query}) or [])
    _terms_cache[query] = terms
    if len(_terms_cache) > _TERMS_CACHE_SIZE:
        _terms_cache.popitem(last=False)
    return terms


# HNSW: candidates looked at per index scan (at least CANDIDATES), and pgvector 0.8's iterative
# scan, which goes on past them while the filters (organization, knowledge bases, model)
# reject rows, instead of returning fewer than asked. (40 read 45% fewer index pages but lost
# vector recall@5 on bench/retrieval.py's 10,000 chunks: 0.935 against 0.978.)
EF_SEARCH = 100
_INDEX_SETTINGS = text(
    "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), "
    "set_config('hnsw.ef_search', :ef, true)"
)
# The coordination levels are read through the GIN index: a level the planner guesses large
# (a LIMIT it expects a sequential scan to fill quickly) but that holds few rows would
# otherwise be a scan of the whole table; with the index it costs its matches.
_POOL_SETTINGS = text("SELECT set_config('enable_seqscan', 'off', true)")
_BOTH_SETTINGS = text(
    "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), "
    "set_config('hnsw.ef_search', :ef, true), set_config('enable_seqscan', 'off', true)"
)


async def embedder_for(
    *, db: AsyncSession, box: SecretBox | None, organization_id: uuid.UUID, model_name: str
) -> emb.Embedder:
    """The embedder of a knowledge base's model: the offline model, or the organization's
    OpenAI / OpenAI-compatible key (``embedding_provider_key_missing`` when it has none)."""
    try:
        ref = emb.ModelRef.parse(model_name)
    except ValueError as exc:
        raise EmbeddingModelUnsupported(details={"embedding_model": model_name}) from exc
    if ref.provider == "local":
        return emb.local_embedder()
    row = await db.scalar(
        select(ProviderKey).where(
            ProviderKey.organization_id == organization_id, ProviderKey.provider == ref.provider
        )
    )
    if row is None or box is None:
        raise EmbeddingKeyMissing(
            f"The embedding model {ref.name} needs the organization's {ref.provider} key "
            "(Settings → Provider keys).",
            details={"provider": ref.provider, "embedding_model": ref.name},
        )
    try:
        secret = box.decrypt_json(row.secret)
    except InvalidToken as exc:
        raise EmbeddingKeyMissing(
            f"The organization's {ref.provider} key cannot be read; save it again.",
            details={"provider": ref.provider, "embedding_model": ref.name},
        ) from exc
    base_url = secret.get("base_url")
    if ref.provider == "openai-compatible" and not base_url:
        raise EmbeddingKeyMissing(
            "The organization's OpenAI-compatible server has no base URL.",
            details={"provider": ref.provider, "embedding_model": ref.name},
        )
    return emb.cloud_embedder(ref, api_key=secret.get("api_key", ""), base_url=base_url)


def provider_error(exc: emb.EmbeddingProviderError, model_name: str) -> TroupeError:
    """The API error for a failed call to an organization's embedding server."""
    details = {"embedding_model": model_name, "reason": exc.code, "status": exc.status}
    if exc.code == "embedding_provider_key_invalid":
        return EmbeddingKeyInvalid(details=details)
    return EmbeddingProviderUnavailable(exc.message, details=details)


async def search(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    base_ids: Sequence[uuid.UUID],
    query: str,
    limit: int = 5,
    mode: SearchMode = "hybrid",
    embedder: emb.Embedder | None = None,
    box: SecretBox | None = None,
    exact: bool = False,
    vector_weight: float = VECTOR_WEIGHT,
    keyword_weight: float = KEYWORD_WEIGHT,
    rrf_k: float = RRF_K,
    rank_all_matches: bool = False,
    ef_search: int | None = None,
) -> list[Hit]:
    """The ``limit`` best chunks for ``query`` in these knowledge bases of this organization
    (ids of other organizations' bases match nothing). Each knowledge base's query vector
    comes from its own embedding model (``embedder`` forces one model for all); bases of
    different models are searched apart and their fused lists merged by score. ``exact``
    compares every vector instead of reading the HNSW index; ``rank_all_matches`` (ranking
    every full-text match instead of the bounded pool) and ``ef_search`` (instead of
    ``EF_SEARCH``) give the bench its baseline."""
    if not base_ids or not query.strip():
        return []
    use_vector = mode in ("hybrid", "vector")
    groups: dict[str, list[uuid.UUID]] = {}
    if embedder is not None or not use_vector:
        groups[embedder.name if embedder else emb.LOCAL_MODEL] = list(base_ids)
    else:
        rows = await db.execute(
            select(KnowledgeBase.id, KnowledgeBase.embedding_model).where(
                KnowledgeBase.organization_id == organization_id,
                KnowledgeBase.id.in_(list(base_ids)),
            )
        )
        for base_id, model_name in rows:
            groups.setdefault(model_name, []).append(base_id)
    hits: list[Hit] = []
    for model_name, bases in groups.items():
        model = embedder
        if model is None and use_vector:
            model = await embedder_for(
                db=db, box=box, organization_id=organization_id, model_name=model_name
            )
        hits += await _search_group(
            db=db,
            organization_id=organization_id,
            bases=bases,
            query=query,
            limit=limit,
            mode=mode,
            model=model,
            model_name=model_name,
            exact=exact,
            vector_weight=vector_weight,
            keyword_weight=keyword_weight,
            rrf_k=rrf_k,
            rank_all_matches=rank_all_matches,
            ef_search=ef_search or EF_SEARCH,
        )
    hits.sort(key=lambda h: (-h.score, str(h.chunk_id)))
    return hits[:limit]


async def _search_group(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    bases: list[uuid.UUID],
    query: str,
    limit: int,
    mode: SearchMode,
    model: emb.Embedder | None,
    model_name: str,
    exact: bool,
    vector_weight: float,
    keyword_weight: float,
    rrf_k: float,
    rank_all_matches: bool = False,
    ef_search: int = 0,
) -> list[Hit]:
    sql, params = await search_statement(
        db=db,
        organization_id=organization_id,
        bases=bases,
        query=query,
        limit=limit,
        mode=mode,
        model=model,
        model_name=model_name,
        exact=exact,
        vector_weight=vector_weight,
        keyword_weight=keyword_weight,
        rrf_k=rrf_k,
        rank_all_matches=rank_all_matches,
        ef_search=ef_search,
    )
    rows = await db.execute(sql, params)
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


async def search_statement(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    bases: list[uuid.UUID],
    query: str,
    limit: int = 5,
    mode: SearchMode = "hybrid",
    model: emb.Embedder | None,
    model_name: str,
    exact: bool = False,
    vector_weight: float = VECTOR_WEIGHT,
    keyword_weight: float = KEYWORD_WEIGHT,
    rrf_k: float = RRF_K,
    rank_all_matches: bool = False,
    ef_search: int = 0,
) -> tuple[TextClause, dict[str, object]]:
    """The search's statement and parameters for one embedding model (the query embedded, the
    index settings of this transaction set): what ``search`` runs, and what the bench and the
    tests EXPLAIN."""
    use_vector = mode in ("hybrid", "vector") and model is not None
    qvec = "[0]"
    dim = INDEXED_DIM
    if use_vector and model is not None:
        try:
            vector = await asyncio.to_thread(emb.embed_query, model, query)
        except emb.EmbeddingProviderError as exc:
            raise provider_error(exc, model_name) from exc
        qvec = vector_literal(vector.tolist())
        dim = len(vector)
    use_keyword = mode in ("hybrid", "keyword")
    index = use_vector and dim in INDEXED_DIMS and not exact
    pool = use_keyword and not rank_all_matches
    ef = {"ef": str(ef_search or EF_SEARCH)}
    if index and pool:
        await db.execute(_BOTH_SETTINGS, ef)
    elif index:
        await db.execute(_INDEX_SETTINGS, ef)
    elif pool:
        await db.execute(_POOL_SETTINGS)
    params: dict[str, object] = {
        "org": organization_id,
        "bases": bases,
        "qvec": qvec,
        "model": model_name,
        "candidates": CANDIDATES,
        "rrf_k": float(rrf_k),
        "wv": vector_weight,
        "wk": keyword_weight,
        "limit": limit,
    }
    tiers: int | None = None
    if use_keyword and rank_all_matches:
        params["qtext"] = query
    elif use_keyword:
        levels = keyword_tiers(await query_terms(db, query))
        tiers = len(levels)
        params |= {f"kq{i}": level for i, level in enumerate(levels)}
        if levels:
            params |= {"kq_any": levels[-1], "pool": KEYWORD_POOL}
    sql = _search_sql(
        use_vector=use_vector, use_keyword=use_keyword, dim=dim, exact=exact, tiers=tiers
    )
    return sql, params


# ── replay: which chunks a turn used

KNOWLEDGE_TOOLS = frozenset({"search_knowledge", "search_knowledge:auto", "search_knowledge_base"})
_CHUNK_ID = re.compile(r'"chunk_id"\s*:\s*"([0-9a-fA-F-]{36})"')
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class ChunkRef:
    chunk_id: uuid.UUID
    document_id: uuid.UUID
    knowledge_base_id: uuid.UUID
    document_name: str
    heading_path: str
    page: int | None
    snippet: str


def chunk_ids_in(result: str | None) -> list[uuid.UUID]:
    """The chunk ids a logged ``search_knowledge`` result names, in order (the log keeps the
    result's JSON, possibly cut short: ids are read from the text, not by parsing it)."""
    out: list[uuid.UUID] = []
    for match in _CHUNK_ID.finditer(result or ""):
        chunk_id = uuid.UUID(match.group(1))
        if chunk_id not in out:
            out.append(chunk_id)
    return out


async def chunk_refs(
    *, db: AsyncSession, organization_id: uuid.UUID, chunk_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ChunkRef]:
    """The organization's chunks among ``chunk_ids`` with their document's name and the start
    of their text (a deleted document's chunks are simply absent)."""
    if not chunk_ids:
        return {}
    rows = await db.execute(
        select(
            KnowledgeChunk.id,
            KnowledgeChunk.document_id,
            KnowledgeChunk.knowledge_base_id,
            KnowledgeDocument.filename,
            KnowledgeChunk.heading_path,
            KnowledgeChunk.page,
            func.left(KnowledgeChunk.text, SNIPPET_CHARS),
        )
        .join(KnowledgeDocument, KnowledgeDocument.id == KnowledgeChunk.document_id)
        .where(
            KnowledgeChunk.organization_id == organization_id,
            KnowledgeChunk.id.in_(list(chunk_ids)),
        )
    )
    return {
        r[0]: ChunkRef(
            chunk_id=r[0],
            document_id=r[1],
            knowledge_base_id=r[2],
            document_name=r[3],
            heading_path=r[4],
            page=r[5],
            snippet=r[6],
        )
        for r in rows
    }

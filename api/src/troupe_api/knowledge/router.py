"""Knowledge bases of the organization: members manage them, viewers read; uploads are stored
and queued (``ingest_knowledge_document``), never parsed in the request."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from sqlalchemy import func, select
from troupe_contracts.knowledge import (
    KnowledgeChunkHit,
    KnowledgeSearchRequest,
    KnowledgeSearchResult,
)

from troupe_api.core.crypto import SecretBox
from troupe_api.core.logging import bind_context
from troupe_api.core.storage import get_storage
from troupe_api.deps import DbDep, JobsDep, MemberOrg, RuntimeAuth, SettingsDep, ViewerOrg
from troupe_api.jobs.queue import flush
from troupe_api.knowledge import service
from troupe_api.knowledge.errors import (
    FileTooLarge,
    KnowledgeBaseNotFound,
    KnowledgeDocumentNotFound,
)
from troupe_api.knowledge.limits import KnowledgeLimits, limits_for
from troupe_api.knowledge.models import KnowledgeBase, KnowledgeDocument
from troupe_api.knowledge.schemas import (
    ChunkList,
    ChunkRead,
    DocumentList,
    DocumentRead,
    DocumentUploadResult,
    KnowledgeBaseCreate,
    KnowledgeBaseList,
    KnowledgeBaseRead,
    KnowledgeHit,
    KnowledgeQuery,
    KnowledgeQueryResult,
)
from troupe_api.organizations.models import Organization
from troupe_api.sessions import service as sessions
from troupe_api.sessions.errors import SessionNotFound

router = APIRouter(prefix="/knowledge-bases", tags=["knowledge"])


async def _limits(db: DbDep, organization_id: uuid.UUID) -> KnowledgeLimits:
    org = await db.get(Organization, organization_id)
    return limits_for(org.plan if org else "free")


async def _base(db: DbDep, organization_id: uuid.UUID, base_id: uuid.UUID) -> KnowledgeBase:
    base = await service.get_base(db=db, organization_id=organization_id, base_id=base_id)
    if base is None:
        raise KnowledgeBaseNotFound()
    return base


async def _doc(db: DbDep, base: KnowledgeBase, document_id: uuid.UUID) -> KnowledgeDocument:
    doc = await service.get_document(db=db, base=base, document_id=document_id)
    if doc is None:
        raise KnowledgeDocumentNotFound()
    return doc


def _base_read(base: KnowledgeBase, documents: int = 0) -> KnowledgeBaseRead:
    return KnowledgeBaseRead(
        id=base.id,
        name=base.name,
        description=base.description,
        embedding_model=base.embedding_model,
        documents=documents,
        created_at=base.created_at,
    )


def _doc_read(doc: KnowledgeDocument) -> DocumentRead:
    return DocumentRead.model_validate(doc, from_attributes=True)


@router.get("", name="list", response_model=KnowledgeBaseList)
async def list_bases(db: DbDep, ctx: ViewerOrg) -> KnowledgeBaseList:
    bases = await service.list_bases(db=db, organization_id=ctx.organization_id)
    rows = await db.execute(
        select(KnowledgeDocument.knowledge_base_id, func.count())
        .where(KnowledgeDocument.organization_id == ctx.organization_id)
        .group_by(KnowledgeDocument.knowledge_base_id)
    )
    counts: dict[uuid.UUID, int] = {base_id: count for base_id, count in rows}
    return KnowledgeBaseList(items=[_base_read(b, counts.get(b.id, 0)) for b in bases])


@router.post(
    "", name="create", response_model=KnowledgeBaseRead, status_code=status.HTTP_201_CREATED
)
async def create_base(
    body: KnowledgeBaseCreate, db: DbDep, ctx: MemberOrg, settings: SettingsDep
) -> KnowledgeBaseRead:
    base = await service.create_base(
        db=db,
        organization_id=ctx.organization_id,
        name=body.name.strip(),
        description=body.description,
        limits=await _limits(db, ctx.organization_id),
        embedding_model=body.embedding_model,
        box=SecretBox.from_settings(settings),
    )
    await db.commit()
    return _base_read(base)


@router.get("/{base_id}", name="get", response_model=KnowledgeBaseRead)
async def get_base(base_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> KnowledgeBaseRead:
    base = await _base(db, ctx.organization_id, base_id)
    count = await db.scalar(
        select(func.count())
        .select_from(KnowledgeDocument)
        .where(KnowledgeDocument.knowledge_base_id == base.id)
    )
    return _base_read(base, count or 0)


@router.delete("/{base_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_base(
    base_id: uuid.UUID, db: DbDep, ctx: MemberOrg, settings: SettingsDep
) -> Response:
    base = await _base(db, ctx.organization_id, base_id)
    await service.delete_base(db=db, base=base, storage=get_storage(settings))
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{base_id}/documents", name="list_documents", response_model=DocumentList)
async def list_documents(base_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> DocumentList:
    base = await _base(db, ctx.organization_id, base_id)
    return DocumentList(
        items=[_doc_read(d) for d in await service.list_documents(db=db, base=base)]
    )


@router.post(
    "/{base_id}/documents",
    name="upload_document",
    response_model=DocumentUploadResult,
    status_code=status.HTTP_202_ACCEPTED,
)
async def upload_document(
    base_id: uuid.UUID,
    file: Annotated[UploadFile, File()],
    db: DbDep,
    ctx: MemberOrg,
    settings: SettingsDep,
    jobs: JobsDep,
    response: Response,
) -> DocumentUploadResult:
    """Store the file and queue its ingestion (202). Status goes queued → parsed → chunked →
    embedded, or error with a reason. The same file again returns the existing document
    (``duplicate``, 200). Files over the plan's size are refused before anything is stored."""
    base = await _base(db, ctx.organization_id, base_id)
    limits = await _limits(db, ctx.organization_id)
    data = await file.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise FileTooLarge(
            f"The file is larger than {limits.max_file_bytes // (1024 * 1024)} MB.",
            details={"max_bytes": limits.max_file_bytes},
        )
    doc, created = await service.add_document(
        db=db,
        storage=get_storage(settings),
        base=base,
        filename=file.filename or "upload.txt",
        content_type=file.content_type,
        data=data,
        limits=limits,
    )
    await db.commit()
    await flush(db, jobs)
    if not created:
        response.status_code = status.HTTP_200_OK
    return DocumentUploadResult(**_doc_read(doc).model_dump(), duplicate=not created)


@router.get("/{base_id}/documents/{document_id}", name="get_document", response_model=DocumentRead)
async def get_document(
    base_id: uuid.UUID, document_id: uuid.UUID, db: DbDep, ctx: ViewerOrg
) -> DocumentRead:
    base = await _base(db, ctx.organization_id, base_id)
    return _doc_read(await _doc(db, base, document_id))


@router.delete(
    "/{base_id}/documents/{document_id}",
    name="delete_document",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_document(
    base_id: uuid.UUID, document_id: uuid.UUID, db: DbDep, ctx: MemberOrg, settings: SettingsDep
) -> Response:
    base = await _base(db, ctx.organization_id, base_id)
    doc = await _doc(db, base, document_id)
    await service.delete_document(db=db, doc=doc, storage=get_storage(settings))
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{base_id}/documents/{document_id}/chunks", name="list_chunks", response_model=ChunkList
)
async def list_chunks(
    base_id: uuid.UUID,
    document_id: uuid.UUID,
    db: DbDep,
    ctx: ViewerOrg,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ChunkList:
    base = await _base(db, ctx.organization_id, base_id)
    doc = await _doc(db, base, document_id)
    chunks = await service.chunks_of(db=db, doc=doc, limit=limit, offset=offset)
    return ChunkList(
        items=[
            ChunkRead(
                id=c.id,
                position=c.position,
                heading_path=c.heading_path,
                text=c.text,
                page=c.page,
                embedding_model=c.embedding_model,
            )
            for c in chunks
        ]
    )


@router.post("/{base_id}/query", name="query", response_model=KnowledgeQueryResult)
async def query_base(
    base_id: uuid.UUID, body: KnowledgeQuery, db: DbDep, ctx: ViewerOrg, settings: SettingsDep
) -> KnowledgeQueryResult:
    """Test a knowledge base: the ranked chunks an agent's ``search_knowledge`` would get."""
    base = await _base(db, ctx.organization_id, base_id)
    hits = await service.search(
        db=db,
        organization_id=ctx.organization_id,
        base_ids=[base.id],
        query=body.query,
        limit=body.limit,
        mode=body.mode,
        box=SecretBox.from_settings(settings),
    )
    return KnowledgeQueryResult(items=[KnowledgeHit(**h.__dict__) for h in hits])


runtime_router = APIRouter(prefix="/runtime", tags=["runtime"], dependencies=[RuntimeAuth])


@runtime_router.post(
    "/sessions/{session_id}/knowledge/search",
    name="knowledge_search",
    response_model=KnowledgeSearchResult,
)
async def runtime_search(
    session_id: uuid.UUID, body: KnowledgeSearchRequest, db: DbDep, settings: SettingsDep
) -> KnowledgeSearchResult:
    """The agent's ``search_knowledge``: hybrid search over the requested knowledge bases that
    belong to the session's organization (any other id matches nothing)."""
    session = await sessions.get_unscoped(db=db, session_id=session_id)
    if session is None:
        raise SessionNotFound()
    bind_context(org_id=session.organization_id, session_id=session.id)
    bases = await service.existing_bases(
        db=db, organization_id=session.organization_id, ids=body.knowledge_base_ids
    )
    hits = await service.search(
        db=db,
        organization_id=session.organization_id,
        base_ids=bases,
        query=body.query,
        limit=body.limit,
        box=SecretBox.from_settings(settings),
    )
    return KnowledgeSearchResult(
        query=body.query,
        chunks=[
            KnowledgeChunkHit(
                chunk_id=h.chunk_id,
                document_id=h.document_id,
                knowledge_base_id=h.knowledge_base_id,
                source=h.filename,
                heading_path=h.heading_path,
                page=h.page,
                text=h.text,
                score=h.score,
            )
            for h in hits
        ],
    )

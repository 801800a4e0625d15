"""Knowledge bases: upload → queued job → parsed/chunked/embedded, chunk preview, hybrid
search, bad input with clear reasons, idempotent re-upload, and isolation between
organizations (dashboard routes and the runtime search)."""

from __future__ import annotations

import io
import itertools
import uuid
from typing import Any

import httpx
import pytest
from api_factories import bearer_for, make_published_session, make_user
from pypdf import PdfWriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from troupe_api.agents.models import Agent
from troupe_api.core.settings import Settings
from troupe_api.core.storage import get_storage
from troupe_api.jobs import worker
from troupe_api.jobs.queue import MemoryJobQueue
from troupe_api.knowledge import service
from troupe_api.knowledge.chunking import chunk_blocks
from troupe_api.knowledge.embedding import LOCAL_MODEL, local_embedder
from troupe_api.knowledge.parsing import parse
from troupe_api.organizations.models import Organization, Role

HANDBOOK = b"""# Acme handbook

## Refunds

Customers can ask for a full refund within 45 days of purchase. After 45 days we offer
store credit only. Refunds go back to the original card within five business days.

## Shipping

Orders ship from our warehouse in Rotterdam. Standard delivery takes three to five days
and express delivery takes one day.

## Support hours

Our phone line is open Monday to Friday from 8:00 to 18:00 Central European Time.
"""

pytestmark = pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")


async def _member(db: AsyncSession, settings: Settings, org: Organization) -> dict[str, str]:
    return await bearer_for(db, settings, await make_user(db, org, Role.MEMBER))


async def _member_with_base(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    org: Organization | None = None,
) -> tuple[Organization, dict[str, str], dict[str, Any]]:
    """An organization (a new published one unless given), a member's headers and a new
    knowledge base "KB" they made."""
    if org is None:
        org, _ = await make_published_session(db)
    a = await _member(db, settings, org)
    base = (await client.post("/api/v1/knowledge-bases", headers=a, json={"name": "KB"})).json()
    return org, a, base


async def _upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    base_id: str,
    name: str,
    data: bytes,
    content_type: str = "text/markdown",
) -> httpx.Response:
    return await client.post(
        f"/api/v1/knowledge-bases/{base_id}/documents",
        headers=headers,
        files={"file": (name, data, content_type)},
    )


async def _ingest(db: AsyncSession, settings: Settings, jobs: MemoryJobQueue) -> list[str]:
    statuses = []
    for request in jobs.named(service.INGEST_JOB):
        result = await service.ingest_document(
            db=db,
            storage=get_storage(settings),
            document_id=uuid.UUID(request.kwargs["document_id"]),
            max_pdf_pages=10,
            embedder=local_embedder(),
        )
        statuses.append(result.status)
    jobs.requests.clear()
    return statuses


async def test_upload_is_ingested_by_the_job_then_searched_and_isolated(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    runtime_headers: dict[str, str],
) -> None:
    org_a, session_a = await make_published_session(db)
    org_b, session_b = await make_published_session(db)
    a = await _member(db, settings, org_a)
    b = await _member(db, settings, org_b)

    created = await client.post("/api/v1/knowledge-bases", headers=a, json={"name": "Handbook"})
    assert created.status_code == 201, created.text
    base_id = created.json()["id"]
    upload = await _upload(client, a, base_id, "handbook.md", HANDBOOK)
    assert upload.status_code == 202, upload.text
    doc = upload.json()
    assert doc["status"] == "queued" and doc["detected_type"] == "text"
    # Nothing is parsed in the request: a job was queued for the document.
    assert [r.kwargs["document_id"] for r in jobs.named(service.INGEST_JOB)] == [doc["id"]]

    assert await _ingest(db, settings, jobs) == ["embedded"]
    listed = await client.get(f"/api/v1/knowledge-bases/{base_id}/documents", headers=a)
    assert [(d["status"], d["chunk_count"] > 0) for d in listed.json()["items"]] == [
        ("embedded", True)
    ]
    chunks = await client.get(
        f"/api/v1/knowledge-bases/{base_id}/documents/{doc['id']}/chunks", headers=a
    )
    items = chunks.json()["items"]
    assert {c["heading_path"] for c in items} >= {"Acme handbook > Refunds"}
    assert all(c["embedding_model"] == LOCAL_MODEL for c in items)

    cases = [
        # A paraphrase sharing no word with the passage but "days": meaning finds it.
        ("vector", "how many days do I have to get my money back?", "45 days"),
        ("keyword", "express delivery", "Rotterdam"),
        ("hybrid", "refund window in days", "45 days"),
    ]
    for mode, question, expected in cases:
        hits = await client.post(
            f"/api/v1/knowledge-bases/{base_id}/query",
            headers=a,
            json={"query": question, "mode": mode},
        )
        assert hits.status_code == 200, hits.text
        assert expected in hits.json()["items"][0]["text"], (mode, hits.json())

    # The runtime search: org A's session finds it ...
    found = await client.post(
        f"/api/v1/runtime/sessions/{session_a.id}/knowledge/search",
        headers=runtime_headers,
        json={"query": "When is the phone line open?", "knowledge_base_ids": [base_id]},
    )
    assert found.status_code == 200, found.text
    top = found.json()["chunks"][0]
    assert "Monday to Friday" in top["text"] and top["source"] == "handbook.md"
    # ... org B's session naming A's knowledge base gets nothing, and B's users can't see it.
    stolen = await client.post(
        f"/api/v1/runtime/sessions/{session_b.id}/knowledge/search",
        headers=runtime_headers,
        json={"query": "When is the phone line open?", "knowledge_base_ids": [base_id]},
    )
    assert stolen.status_code == 200 and stolen.json()["chunks"] == []
    assert (await client.get(f"/api/v1/knowledge-bases/{base_id}", headers=b)).status_code == 404
    probe = await client.post(
        f"/api/v1/knowledge-bases/{base_id}/query", headers=b, json={"query": "phone"}
    )
    assert probe.status_code == 404
    assert (await client.get("/api/v1/knowledge-bases", headers=b)).json()["items"] == []

    # The same bytes again: the existing document, no second job.
    again = await _upload(client, a, base_id, "copy.md", HANDBOOK)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == doc["id"] and not jobs.named(service.INGEST_JOB)

    # Deleting the document deletes its chunks and its file.
    gone = await client.delete(
        f"/api/v1/knowledge-bases/{base_id}/documents/{doc['id']}", headers=a
    )
    assert gone.status_code == 204
    empty = await client.post(
        f"/api/v1/knowledge-bases/{base_id}/query", headers=a, json={"query": "refund"}
    )
    assert empty.json()["items"] == []


def _pdf(*, encrypted: bool) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if encrypted:
        writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type", "reason"),
    [
        ("empty.txt", b"  \n", "text/plain", "empty_file"),
        ("notes.txt", b"PK\x03\x04" + b"\x00" * 64, "text/plain", "type_mismatch"),
        ("report.pdf", b"# not a pdf", "application/pdf", "type_mismatch"),
        ("notes.md", _pdf(encrypted=False), "text/markdown", "type_mismatch"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 64, "application/zip", "unsupported_type"),
    ],
)
async def test_bad_uploads_are_refused_in_the_request_and_store_nothing(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    name: str,
    data: bytes,
    content_type: str,
    reason: str,
) -> None:
    _, a, base = await _member_with_base(client, db, settings)
    response = await _upload(client, a, base["id"], name, data, content_type)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "document_rejected" and error["details"]["reason"] == reason
    assert not jobs.requests
    listed = await client.get(f"/api/v1/knowledge-bases/{base['id']}/documents", headers=a)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("name", "data", "content_type", "reason"),
    [
        ("latin1.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), "text/plain", "encoding_invalid"),
        ("locked.pdf", _pdf(encrypted=True), "application/pdf", "pdf_encrypted"),
        ("scan.pdf", _pdf(encrypted=False), "application/pdf", "pdf_no_text"),
        ("broken.pdf", b"%PDF-1.4\n garbage", "application/pdf", "pdf_invalid"),
    ],
)
async def test_files_that_fail_parsing_end_in_error_with_a_reason(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    name: str,
    data: bytes,
    content_type: str,
    reason: str,
) -> None:
    org, a, base = await _member_with_base(client, db, settings)
    upload = await _upload(client, a, base["id"], name, data, content_type)
    assert upload.status_code == 202, upload.text
    assert await _ingest(db, settings, jobs) == ["error"]
    doc = (
        await client.get(
            f"/api/v1/knowledge-bases/{base['id']}/documents/{upload.json()['id']}", headers=a
        )
    ).json()
    assert doc["status"] == "error" and doc["error_code"] == reason and doc["error_message"]
    # The file is kept (nothing lost): a second run of the job changes nothing.
    assert await get_storage(settings).exists(
        f"knowledge/{org.id}/{base['id']}/{upload.json()['id']}"
    )


async def test_oversized_upload_is_refused_before_storing(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, jobs: MemoryJobQueue
) -> None:
    org, _ = await make_published_session(db)
    org.plan = "free"
    _, a, base = await _member_with_base(client, db, settings, org)
    big = b"word " * (10 * 1024 * 1024 // 5 + 1)
    response = await _upload(client, a, base["id"], "big.txt", big, "text/plain")
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert not jobs.requests


async def test_viewers_read_but_cannot_upload(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, _, base = await _member_with_base(client, db, settings)
    viewer = await bearer_for(db, settings, await make_user(db, org, Role.VIEWER))
    denied = await _upload(client, viewer, base["id"], "a.md", HANDBOOK)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "role_required"
    assert (await client.get("/api/v1/knowledge-bases", headers=viewer)).status_code == 200


def test_markdown_chunks_follow_headings_and_overlap() -> None:
    section = " ".join(f"Sentence number {i} about billing." for i in range(60))
    parsed = parse(
        f"# Guide\n\n## Billing\n\n{section}\n\n## Refunds\n\nWithin 45 days.".encode(),
        filename="g.md",
        content_type=None,
        max_pages=1,
    )
    chunks = chunk_blocks(parsed.blocks, max_chars=400, overlap_chars=80)
    billing = [c for c in chunks if c.heading_path == "Guide > Billing"]
    assert len(billing) > 2 and all(len(c.text) <= 400 for c in billing)
    # Each chunk after the first starts with the end of the previous one.
    for prev, nxt in itertools.pairwise(billing):
        assert nxt.text[:30] in prev.text
    assert chunks[-1].heading_path == "Guide > Refunds" and chunks[-1].text == "Within 45 days."


def test_html_skips_scripts_and_navigation_and_keeps_headings() -> None:
    html = (
        b"<html><body><nav>Home | About</nav><h1>FAQ</h1><h2>Returns</h2>"
        b"<p>Return within <b>45</b> days.</p><script>track()</script></body></html>"
    )
    blocks = parse(html, filename="faq.html", content_type=None, max_pages=1).blocks
    assert [(b.headings, b.text) for b in blocks] == [
        (["FAQ", "Returns"], "Return within 45 days.")
    ]


def test_offline_embeddings_put_paraphrases_closer_than_unrelated_text() -> None:
    vectors = local_embedder().embed(
        ["How do I reset my password?", "Steps to change a forgotten password", "Rotterdam port"]
    )
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.3


async def test_session_config_carries_only_the_orgs_attached_knowledge_bases(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    org, session = await make_published_session(db)
    other, _ = await make_published_session(db)
    a = await _member(db, settings, org)
    b = await _member(db, settings, other)
    mine = (await client.post("/api/v1/knowledge-bases", headers=a, json={"name": "A"})).json()
    theirs = (await client.post("/api/v1/knowledge-bases", headers=b, json={"name": "B"})).json()
    agent = await db.scalar(select(Agent).where(Agent.organization_id == org.id))
    assert agent is not None
    patched = await client.patch(
        f"/api/v1/agents/{agent.id}",
        headers=a,
        json={"knowledge_bases": [mine["id"], theirs["id"]], "knowledge_auto_tokens": 300},
    )
    assert patched.status_code == 200, patched.text
    config = await client.get(
        f"/api/v1/runtime/session-config/{session.id}", headers=runtime_headers
    )
    assert config.status_code == 200, config.text
    attached = {a["slug"]: a["knowledge_bases"] for a in config.json()["agents"]}
    assert attached[agent.slug] == [mine["id"]]
    budgets = {a["slug"]: a["knowledge_auto_tokens"] for a in config.json()["agents"]}
    assert budgets[agent.slug] == 300


async def test_the_saq_job_ingests_the_document_once(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, a, base = await _member_with_base(client, db, settings)
    doc = (await _upload(client, a, base["id"], "handbook.md", HANDBOOK)).json()
    (request,) = jobs.named(service.INGEST_JOB)
    assert request.retries > 1 and request.key == f"knowledge:{doc['id']}"
    ctx: Any = {"settings": settings, "session_factory": session_factory}
    first = await worker.ingest_knowledge_document(ctx, **request.kwargs)
    again = await worker.ingest_knowledge_document(ctx, **request.kwargs)  # a retry: no-op
    assert first["status"] == again["status"] == "embedded" and first["chunks"] == again["chunks"]
    chunks = await client.get(
        f"/api/v1/knowledge-bases/{base['id']}/documents/{doc['id']}/chunks", headers=a
    )
    assert len(chunks.json()["items"]) == first["chunks"]

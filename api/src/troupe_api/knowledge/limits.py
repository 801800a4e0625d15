"""Knowledge-base limits per plan (``organizations.plan``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnowledgeLimits:
    max_file_bytes: int
    max_pdf_pages: int
    knowledge_bases: int
    documents_per_base: int


_MB = 1024 * 1024
LIMITS: dict[str, KnowledgeLimits] = {
    "free": KnowledgeLimits(10 * _MB, 300, 3, 50),
    "trial": KnowledgeLimits(10 * _MB, 300, 5, 100),
    "pro": KnowledgeLimits(50 * _MB, 2000, 50, 2000),
    "enterprise": KnowledgeLimits(100 * _MB, 5000, 500, 20_000),
}


def limits_for(plan: str) -> KnowledgeLimits:
    return LIMITS.get(plan, LIMITS["free"])

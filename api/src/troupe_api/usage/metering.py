"""Per-session usage: the rows rebuilt from the runtime's log and the session's duration, split
between the session's agents and priced with the organization's price book; reported to the
billing provider."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionStatus

from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.usage.billing import UsageRecord, billing_provider
from troupe_api.usage.models import SESSION_MODEL, SESSION_PROVIDER, SessionUsage
from troupe_api.usage.prices import QUANTITIES, PriceBook, price_book

_INT_QUANTITIES = {"llm_input_tokens", "llm_output_tokens", "tts_characters", "vision_frames"}


def _agent_shares(payloads: list[dict[str, Any]]) -> dict[str, float]:
    """How a session's model usage splits between its agents: by their assistant messages
    (the runtime reports usage per model, not per agent)."""
    counts: Counter[str] = Counter(
        p["agent"]
        for p in payloads
        if p["kind"] == "message" and p.get("role") == "assistant" and p.get("agent")
    )
    if not counts:
        agents = [p["to_agent"] for p in payloads if p["kind"] == "transition"]
        counts = Counter(agents[:1])
    total = sum(counts.values())
    return {a: c / total for a, c in counts.items()} if total else {"": 1.0}


def _split(quantities: dict[str, float], shares: dict[str, float]) -> dict[str, dict[str, float]]:
    """Split each quantity by share; integer quantities stay integers and still sum up."""
    agents = sorted(shares)
    out: dict[str, dict[str, float]] = {a: {} for a in agents}
    for name, total in quantities.items():
        remaining = total
        for i, agent in enumerate(agents):
            if i == len(agents) - 1:
                part = remaining
            else:
                part = total * shares[agent]
                part = round(part) if name in _INT_QUANTITIES else part
            out[agent][name] = part
            remaining -= part
    return out


async def finalize_session_usage(*, db: AsyncSession, session: Session) -> list[SessionUsage]:
    """Rebuild the session's usage rows from its log entries and its duration. An abandoned
    session (the user never joined, or left within seconds) is not a conversation: it has none."""
    if session.status == SessionStatus.ABANDONED.value:
        await db.execute(delete(SessionUsage).where(SessionUsage.session_id == session.id))
        return []
    payloads = list(
        await db.scalars(
            select(SessionLogEntry.payload)
            .where(
                SessionLogEntry.session_id == session.id,
                SessionLogEntry.kind.in_(["usage", "message", "transition"]),
            )
            .order_by(SessionLogEntry.seq)
        )
    )
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(QUANTITIES, 0)
    )
    for p in payloads:
        if p["kind"] != "usage":
            continue
        bucket = totals[(p["provider"], p["model"])]
        for name in QUANTITIES:
            bucket[name] += p.get(name, 0) or 0
    shares = _agent_shares(payloads)
    book = await price_book(db=db, organization_id=session.organization_id)
    occurred_at = session.started_at or session.created_at
    rows: list[SessionUsage] = []
    for (provider, model), quantities in sorted(totals.items()):
        for agent, q in _split(quantities, shares).items():
            rows.append(_row(session, occurred_at, agent, provider, model, q, book))
    if session.duration_seconds is not None:
        minutes = {"session_minutes": session.duration_seconds / 60}
        rows.append(_row(session, occurred_at, "", SESSION_PROVIDER, SESSION_MODEL, minutes, book))
    await db.execute(delete(SessionUsage).where(SessionUsage.session_id == session.id))
    db.add_all(rows)
    await db.flush()
    await billing_provider().report_session_usage(
        [
            UsageRecord(
                organization_id=r.organization_id,
                session_id=r.session_id,
                provider=r.provider,
                model=r.model,
                agent=r.agent,
                cost_micros=r.cost_micros,
                quantities={n: float(getattr(r, n)) for n in QUANTITIES},
            )
            for r in rows
        ]
    )
    return rows


def _row(
    session: Session,
    occurred_at: datetime,
    agent: str,
    provider: str,
    model: str,
    q: dict[str, float],
    book: PriceBook,
) -> SessionUsage:
    values = {
        n: (int(q.get(n, 0)) if n in _INT_QUANTITIES else float(q.get(n, 0))) for n in QUANTITIES
    }
    return SessionUsage(
        organization_id=session.organization_id,
        session_id=session.id,
        template_id=session.template_id,
        occurred_at=occurred_at,
        agent=agent,
        provider=provider,
        model=model,
        cost_micros=book.cost_micros(provider, model, values),
        **values,
    )


async def session_usage(*, db: AsyncSession, session_id: uuid.UUID) -> list[SessionUsage]:
    rows = await db.scalars(
        select(SessionUsage)
        .where(SessionUsage.session_id == session_id)
        .order_by(SessionUsage.provider, SessionUsage.model, SessionUsage.agent)
    )
    return list(rows)

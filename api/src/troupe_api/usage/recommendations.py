"""Cost hints: agents on a large LLM whose replies are short, with the smaller sibling and the
estimated monthly savings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.usage.models import SessionUsage
from troupe_api.usage.prices import price_book

# Large model -> the cheaper sibling that handles short conversational turns as well.
SMALLER_MODEL = {
    ("openai", "gpt-4.1"): "gpt-4.1-mini",
    ("openai", "gpt-4o"): "gpt-4o-mini",
    ("openai", "gpt-4.1-mini"): "gpt-4.1-nano",
}
SHORT_TURN_OUTPUT_TOKENS = 150


@dataclass
class Recommendation:
    code: str
    agent: str
    message: str
    current: str
    suggested: str
    estimated_monthly_savings_micros: int


async def recommendations(
    *, db: AsyncSession, organization_id: uuid.UUID, now: datetime | None = None, days: int = 30
) -> list[Recommendation]:
    """Agents on a large LLM whose replies are short: suggest the smaller sibling."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    usage = await db.execute(
        select(
            SessionUsage.agent,
            SessionUsage.provider,
            SessionUsage.model,
            func.sum(SessionUsage.llm_input_tokens),
            func.sum(SessionUsage.llm_output_tokens),
            func.sum(SessionUsage.cost_micros),
        )
        .where(
            SessionUsage.organization_id == organization_id,
            SessionUsage.occurred_at >= since,
            SessionUsage.llm_output_tokens > 0,
        )
        .group_by(SessionUsage.agent, SessionUsage.provider, SessionUsage.model)
    )
    turns: dict[str, int] = dict(
        (
            await db.execute(
                select(SessionLogEntry.payload["agent"].astext.label("agent"), func.count())
                .join(Session, Session.id == SessionLogEntry.session_id)
                .where(
                    SessionLogEntry.organization_id == organization_id,
                    SessionLogEntry.kind == "message",
                    SessionLogEntry.payload["role"].astext == "assistant",
                    Session.created_at >= since,
                )
                .group_by("agent")
            )
        ).all()
    )
    book = await price_book(db=db, organization_id=organization_id)
    out: list[Recommendation] = []
    for agent, provider, model, tokens_in, tokens_out, cost in usage.all():
        smaller = SMALLER_MODEL.get((provider, model))
        agent_turns = int(turns.get(agent, 0) or 0)
        if smaller is None or agent_turns == 0:
            continue
        per_turn = int(tokens_out) / agent_turns
        if per_turn >= SHORT_TURN_OUTPUT_TOKENS:
            continue
        q = {"llm_input_tokens": float(tokens_in), "llm_output_tokens": float(tokens_out)}
        cheaper = book.cost_micros(provider, smaller, q)
        savings = int((int(cost) - cheaper) * 30 / days)
        out.append(
            Recommendation(
                code="smaller_llm_for_short_turns",
                agent=agent,
                current=f"{provider}/{model}",
                suggested=f"{provider}/{smaller}",
                message=(
                    f"Agent {agent!r} answers in about {per_turn:.0f} output tokens per turn on "
                    f"{provider}/{model}; {provider}/{smaller} handles short turns for less."
                ),
                estimated_monthly_savings_micros=max(savings, 0),
            )
        )
    return sorted(out, key=lambda r: -r.estimated_monthly_savings_micros)

"""Usage and cost: per-session usage rows built from the runtime's log, priced with the price
table, aggregated for the dashboard; alerts and cost hints on top."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, String, cast, delete, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.session import SessionStatus

from troupe_api.organizations.models import Organization
from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.usage import notify
from troupe_api.usage.billing import UsageRecord, billing_provider
from troupe_api.usage.models import SESSION_MODEL, SESSION_PROVIDER, Price, SessionUsage, UsageAlert

QUANTITIES = (
    "llm_input_tokens",
    "llm_output_tokens",
    "stt_seconds",
    "tts_characters",
    "tts_seconds",
    "vision_frames",
    "session_minutes",
)
_INT_QUANTITIES = {"llm_input_tokens", "llm_output_tokens", "tts_characters", "vision_frames"}
PRICE_FIELDS = (
    "llm_input_per_mtok_micros",
    "llm_output_per_mtok_micros",
    "stt_per_minute_micros",
    "tts_per_kchar_micros",
    "tts_per_minute_micros",
    "vision_per_frame_micros",
    "session_per_minute_micros",
)
WILDCARD = "*"
MICROS_PER_USD = Decimal(1_000_000)


def micros_to_usd(micros: int | Decimal) -> str:
    return str((Decimal(micros) / MICROS_PER_USD).quantize(Decimal("0.000001")))


# --- prices ------------------------------------------------------------------------------------


class PriceBook:
    """The prices one organization pays: its overrides first, then the platform defaults; an
    exact model before the provider's ``*``."""

    def __init__(self, prices: list[Price], organization_id: uuid.UUID) -> None:
        self._by_key: dict[tuple[bool, str, str], Price] = {
            (p.organization_id == organization_id, p.provider, p.model): p for p in prices
        }

    def find(self, provider: str, model: str) -> Price | None:
        for own in (True, False):
            for m in (model, WILDCARD):
                price = self._by_key.get((own, provider, m))
                if price is not None:
                    return price
        return None

    def cost_micros(self, provider: str, model: str, q: dict[str, float]) -> int:
        price = self.find(provider, model)
        if price is None:
            return 0
        d = Decimal
        cost = (
            d(q.get("llm_input_tokens", 0)) * price.llm_input_per_mtok_micros / 1_000_000
            + d(q.get("llm_output_tokens", 0)) * price.llm_output_per_mtok_micros / 1_000_000
            + d(str(q.get("stt_seconds", 0))) / 60 * price.stt_per_minute_micros
            + d(q.get("tts_characters", 0)) / 1000 * price.tts_per_kchar_micros
            + d(str(q.get("tts_seconds", 0))) / 60 * price.tts_per_minute_micros
            + d(q.get("vision_frames", 0)) * price.vision_per_frame_micros
            + d(str(q.get("session_minutes", 0))) * price.session_per_minute_micros
        )
        return int(cost.quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def price_book(*, db: AsyncSession, organization_id: uuid.UUID) -> PriceBook:
    prices = await db.scalars(
        select(Price).where(
            or_(Price.organization_id.is_(None), Price.organization_id == organization_id)
        )
    )
    return PriceBook(list(prices), organization_id)


async def list_prices(*, db: AsyncSession, organization_id: uuid.UUID) -> list[Price]:
    rows = await db.scalars(
        select(Price)
        .where(or_(Price.organization_id.is_(None), Price.organization_id == organization_id))
        .order_by(Price.provider, Price.model, Price.organization_id.nulls_first())
    )
    return list(rows)


async def set_price(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    provider: str,
    model: str,
    values: dict[str, int],
) -> Price:
    stmt = (
        insert(Price)
        .values(
            id=uuid.uuid4(),
            organization_id=organization_id,
            provider=provider,
            model=model,
            **values,
        )
        .on_conflict_do_update(
            index_elements=["organization_id", "provider", "model"],
            index_where=Price.organization_id.is_not(None),
            set_={**values, "updated_at": func.now()},
        )
        .returning(Price.id)
    )
    price_id = await db.scalar(stmt)
    price = await db.get(Price, price_id, populate_existing=True)
    assert price is not None
    return price


async def delete_price(
    *, db: AsyncSession, organization_id: uuid.UUID, price_id: uuid.UUID
) -> bool:
    result = await db.execute(
        delete(Price).where(Price.id == price_id, Price.organization_id == organization_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- per-session usage -------------------------------------------------------------------------


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


# --- aggregation -------------------------------------------------------------------------------

GroupBy = Literal["day", "agent", "model", "template"]


@dataclass
class UsageBucket:
    key: str
    sessions: int = 0
    cost_micros: int = 0
    quantities: dict[str, float] = field(default_factory=dict)


async def aggregate(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    since: datetime,
    until: datetime,
    group_by: GroupBy,
    agent: str | None = None,
    model: str | None = None,
    template_id: uuid.UUID | None = None,
) -> tuple[list[UsageBucket], UsageBucket]:
    key: ColumnElement[Any]
    if group_by == "day":
        key = func.to_char(func.timezone("UTC", SessionUsage.occurred_at), "YYYY-MM-DD")
    elif group_by == "agent":
        key = func.coalesce(SessionUsage.agent, "")
    elif group_by == "template":
        key = func.coalesce(cast(SessionUsage.template_id, String), "")
    else:
        key = SessionUsage.provider + literal("/") + SessionUsage.model
    filters: list[ColumnElement[bool]] = [
        SessionUsage.organization_id == organization_id,
        SessionUsage.occurred_at >= since,
        SessionUsage.occurred_at < until,
    ]
    if agent is not None:
        filters.append(SessionUsage.agent == agent)
    if model is not None:
        provider, _, name = model.partition("/")
        filters += [SessionUsage.provider == provider, SessionUsage.model == name]
    if template_id is not None:
        filters.append(SessionUsage.template_id == template_id)
    columns = [
        func.count(func.distinct(SessionUsage.session_id)),
        func.coalesce(func.sum(SessionUsage.cost_micros), 0),
        *(func.coalesce(func.sum(getattr(SessionUsage, n)), 0) for n in QUANTITIES),
    ]

    def bucket(name: str, row: Any) -> UsageBucket:
        return UsageBucket(
            key=name,
            sessions=int(row[0]),
            cost_micros=int(row[1]),
            quantities={n: float(v) for n, v in zip(QUANTITIES, row[2:], strict=True)},
        )

    result = await db.execute(
        select(key.label("k"), *columns).where(*filters).group_by("k").order_by("k")
    )
    items = [bucket(str(r[0]), r[1:]) for r in result.all()]
    total_row = (await db.execute(select(*columns).where(*filters))).one()
    return items, bucket("total", total_row)


# --- alerts ------------------------------------------------------------------------------------

SPIKE_FACTOR = 3.0
SPIKE_MIN_SESSIONS = 10
SPIKE_MIN_COST_MICROS = 1_000_000


async def _daily_sessions(
    db: AsyncSession, org_id: uuid.UUID, start: datetime, end: datetime
) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Session)
            .where(
                Session.organization_id == org_id,
                Session.created_at >= start,
                Session.created_at < end,
                Session.status != SessionStatus.ABANDONED.value,
            )
        )
        or 0
    )


async def _cost(db: AsyncSession, org_id: uuid.UUID, start: datetime, end: datetime) -> int:
    return int(
        await db.scalar(
            select(func.coalesce(func.sum(SessionUsage.cost_micros), 0)).where(
                SessionUsage.organization_id == org_id,
                SessionUsage.occurred_at >= start,
                SessionUsage.occurred_at < end,
            )
        )
        or 0
    )


async def evaluate_alerts(
    *, db: AsyncSession, org: Organization, now: datetime | None = None
) -> list[UsageAlert]:
    """Record every threshold crossed and spike seen (once per org, kind and period); each new
    alert publishes ``usage.alert`` and defers its e-mail (``usage.notify``)."""
    now = now or datetime.now(UTC)
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    found: list[tuple[str, str, float, float, dict[str, Any]]] = []
    if org.alert_cost_per_month_micros is not None:
        cost = await _cost(db, org.id, month, now + timedelta(seconds=1))
        if cost >= org.alert_cost_per_month_micros:
            found.append(
                (
                    "cost_per_month",
                    month.strftime("%Y-%m"),
                    cost,
                    org.alert_cost_per_month_micros,
                    {},
                )
            )
    today_sessions = await _daily_sessions(db, org.id, day, now + timedelta(seconds=1))
    if org.alert_sessions_per_day is not None and today_sessions >= org.alert_sessions_per_day:
        found.append(
            (
                "sessions_per_day",
                day.strftime("%Y-%m-%d"),
                today_sessions,
                org.alert_sessions_per_day,
                {},
            )
        )
    week_start = day - timedelta(days=7)
    avg_sessions = await _daily_sessions(db, org.id, week_start, day) / 7
    if avg_sessions > 0 and today_sessions >= max(SPIKE_MIN_SESSIONS, SPIKE_FACTOR * avg_sessions):
        found.append(
            (
                "sessions_spike",
                day.strftime("%Y-%m-%d"),
                today_sessions,
                SPIKE_FACTOR * avg_sessions,
                {"trailing_7d_average": avg_sessions},
            )
        )
    today_cost = await _cost(db, org.id, day, now + timedelta(seconds=1))
    avg_cost = await _cost(db, org.id, week_start, day) / 7
    if avg_cost > 0 and today_cost >= max(SPIKE_MIN_COST_MICROS, SPIKE_FACTOR * avg_cost):
        found.append(
            (
                "cost_spike",
                day.strftime("%Y-%m-%d"),
                today_cost,
                SPIKE_FACTOR * avg_cost,
                {"trailing_7d_average_micros": avg_cost},
            )
        )
    created: list[UsageAlert] = []
    for kind, period, value, threshold, details in found:
        alert_id = await db.scalar(
            insert(UsageAlert)
            .values(
                organization_id=org.id,
                kind=kind,
                period=period,
                value=float(value),
                threshold=float(threshold),
                details=details,
            )
            .on_conflict_do_nothing(index_elements=["organization_id", "kind", "period"])
            .returning(UsageAlert.id)
        )
        if alert_id is not None:
            alert = await db.get(UsageAlert, alert_id)
            assert alert is not None
            await notify.publish(db=db, alert=alert)
            created.append(alert)
    return created


async def list_alerts(
    *, db: AsyncSession, organization_id: uuid.UUID, limit: int = 100
) -> list[UsageAlert]:
    rows = await db.scalars(
        select(UsageAlert)
        .where(UsageAlert.organization_id == organization_id)
        .order_by(UsageAlert.created_at.desc(), UsageAlert.id.desc())
        .limit(limit)
    )
    return list(rows)


# --- recommendations ---------------------------------------------------------------------------

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

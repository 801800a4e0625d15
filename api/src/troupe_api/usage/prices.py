"""Prices: what each quantity of usage costs, per provider and model, the platform's defaults
overridden per organization (``PriceBook``); the quantities usage is counted in."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.usage.models import Price

QUANTITIES = (
    "llm_input_tokens",
    "llm_output_tokens",
    "stt_seconds",
    "tts_characters",
    "tts_seconds",
    "vision_frames",
    "session_minutes",
)
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

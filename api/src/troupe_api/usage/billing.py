"""Where finalised usage goes for invoicing. No live calls: a real provider (Stripe metered
billing, Lago, ...) implements ``BillingProvider`` and is picked by configuration."""

from __future__ import annotations

import abc
import uuid
from dataclasses import dataclass

from troupe_api.core.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class UsageRecord:
    organization_id: uuid.UUID
    session_id: uuid.UUID
    provider: str
    model: str
    agent: str
    cost_micros: int
    quantities: dict[str, float]


class BillingProvider(abc.ABC):
    @abc.abstractmethod
    async def report_session_usage(self, records: list[UsageRecord]) -> None:
        """Called once per finalisation of a session's usage (may repeat: be idempotent by
        session id)."""


class LogBillingProvider(BillingProvider):
    """Records what would be billed in the structured log."""

    async def report_session_usage(self, records: list[UsageRecord]) -> None:
        if not records:
            return
        log.info(
            "billing_usage_reported",
            org_id=str(records[0].organization_id),
            session_id=str(records[0].session_id),
            rows=len(records),
            cost_micros=sum(r.cost_micros for r in records),
        )


_provider: list[BillingProvider] = [LogBillingProvider()]


def billing_provider() -> BillingProvider:
    return _provider[0]


def set_billing_provider(provider: BillingProvider) -> BillingProvider:
    """Install another provider; returns the previous one (tests restore it)."""
    previous = _provider[0]
    _provider[0] = provider
    return previous

"""Consumers of applied LiveKit events (billing, analytics): async callbacks registered per
event type, run after the event is stored and applied, each in its own SAVEPOINT so one
failing consumer neither loses the event nor blocks the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from livekit.protocol.webhook import WebhookEvent as LiveKitEvent
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.logging import get_logger
from troupe_api.sessions.models import Session

log = get_logger(__name__)


@dataclass(frozen=True)
class AppliedEvent:
    db: AsyncSession
    event: LiveKitEvent
    session: Session | None
    changed: bool
    """Whether the event moved the session's status."""


WebhookHook = Callable[[AppliedEvent], Awaitable[None]]
ALL_EVENTS = "*"
_hooks: dict[str, list[WebhookHook]] = {}


def register(hook: WebhookHook, event_types: Iterable[str] = (ALL_EVENTS,)) -> WebhookHook:
    for event_type in event_types:
        bucket = _hooks.setdefault(event_type, [])
        if hook not in bucket:
            bucket.append(hook)
    return hook


def unregister(hook: WebhookHook) -> None:
    for bucket in _hooks.values():
        if hook in bucket:
            bucket.remove(hook)


def on(*event_types: str) -> Callable[[WebhookHook], WebhookHook]:
    """Decorator form of ``register``."""

    def decorate(hook: WebhookHook) -> WebhookHook:
        return register(hook, event_types or (ALL_EVENTS,))

    return decorate


async def run_hooks(applied: AppliedEvent) -> None:
    for hook in [*_hooks.get(applied.event.event, []), *_hooks.get(ALL_EVENTS, [])]:
        try:
            async with applied.db.begin_nested():
                await hook(applied)
        except Exception:
            log.exception("webhook_hook_failed", hook=getattr(hook, "__name__", repr(hook)))

"""Batched delivery of LiveKit FFI events to the event loops of one process.

livekit-rtc hands every FFI event (each 10 ms audio frame of every stream, each capture
acknowledgement, each room event) to *every* subscriber of its process-wide queue, with one
``loop.call_soon_threadsafe`` per subscriber per event. A subscriber is a room, an audio stream,
or an ``AudioSource.capture_frame`` waiting for its acknowledgement. With one job per process
that is a handful of wake-ups per event; with the thread job executor (many sessions in one
process, models shared) it is O(sessions²) self-pipe writes and loop wake-ups per second, all
under the GIL: at 10 sessions on 2 cores, a third of the worker's CPU went to this fan-out and
session starts timed out (``bench/load.py``, profiled with py-spy).

:func:`install` replaces ``FfiQueue.put`` with a version that keeps the same semantics (each
subscriber whose filter accepts the event gets it, in order, on its own loop) but queues the
events per loop and wakes each loop at most once per batch: the loop drains everything that
arrived since. Subscribers, filters and ``unsubscribe`` are livekit's own.
"""

import asyncio
import contextlib
import logging
import threading
from collections import deque
from typing import Any

from livekit.rtc._ffi_client import FfiQueue

log = logging.getLogger(__name__)

_SWEEP_EVERY = 4096
"""Puts between sweeps of the per-loop buffers of loops that have closed."""


class _LoopInbox:
    """The events waiting for one loop, and whether a drain is already scheduled on it."""

    __slots__ = ("items", "loop", "scheduled")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.items: deque[tuple[Any, Any]] = deque()
        self.scheduled = False

    def drain(self) -> None:
        # reset first: an event appended after this line schedules its own drain, so none waits
        self.scheduled = False
        items = self.items
        while items:
            queue, item = items.popleft()
            queue.put_nowait(item)


_inboxes: dict[int, _LoopInbox] = {}
_inboxes_lock = threading.Lock()
_puts = 0
_original_put = FfiQueue.put


def _inbox(loop: asyncio.AbstractEventLoop) -> _LoopInbox:
    inbox = _inboxes.get(id(loop))
    if inbox is None or inbox.loop is not loop:
        with _inboxes_lock:
            inbox = _inboxes.get(id(loop))
            if inbox is None or inbox.loop is not loop:
                inbox = _inboxes[id(loop)] = _LoopInbox(loop)
    return inbox


def _sweep() -> None:
    with _inboxes_lock:
        for key, inbox in list(_inboxes.items()):
            if inbox.loop.is_closed():
                del _inboxes[key]


def _batched_put(self: FfiQueue[Any], item: Any) -> None:
    global _puts
    with self._lock:
        subscribers = list(self._subscribers)
    for queue, loop, filter_fn in subscribers:
        if filter_fn is not None:
            try:
                if not filter_fn(item):
                    continue
            except Exception:
                pass  # as livekit does: on a filter error, deliver the item
        inbox = _inbox(loop)
        inbox.items.append((queue, item))
        if not inbox.scheduled:
            inbox.scheduled = True
            try:
                loop.call_soon_threadsafe(inbox.drain)
            except RuntimeError as e:  # the loop closed without unsubscribing first
                inbox.items.clear()
                inbox.scheduled = False
                log.debug("ffi event for a closed loop dropped: %s", e)
    _puts += 1
    if _puts % _SWEEP_EVERY == 0:
        _sweep()


def install() -> None:
    """Batch FFI event delivery for this process (idempotent)."""
    FfiQueue.put = _batched_put  # type: ignore[method-assign]


def uninstall() -> None:
    FfiQueue.put = _original_put  # type: ignore[method-assign]
    with contextlib.suppress(Exception), _inboxes_lock:
        _inboxes.clear()


def installed() -> bool:
    return FfiQueue.put is _batched_put

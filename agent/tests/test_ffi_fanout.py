"""Batched FFI event delivery: same events, same order, same filters as livekit-rtc's own
fan-out, but one loop wake-up per batch instead of one per event and subscriber."""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from livekit.rtc._ffi_client import FfiQueue
from troupe_agent import ffi_fanout


class LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.wakeups = 0
        original = self.loop.call_soon_threadsafe

        def counting(callback: Any, *args: Any, **kw: Any) -> Any:
            self.wakeups += 1
            return original(callback, *args, **kw)

        self.loop.call_soon_threadsafe = counting  # type: ignore[method-assign]

    def run(self, coro: Any, timeout: float = 5.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def batched() -> Iterator[None]:
    ffi_fanout.install()
    try:
        yield
    finally:
        ffi_fanout.uninstall()


@pytest.fixture
def loops() -> Iterator[list[LoopThread]]:
    made = [LoopThread(), LoopThread()]
    try:
        yield made
    finally:
        for lt in made:
            lt.close()


async def _drain(queue: Any, n: int) -> list[Any]:
    return [await asyncio.wait_for(queue.get(), 5) for _ in range(n)]


def test_install_replaces_livekits_put_and_uninstall_restores_it() -> None:
    assert not ffi_fanout.installed()
    ffi_fanout.install()
    assert ffi_fanout.installed()
    ffi_fanout.uninstall()
    assert not ffi_fanout.installed()


def test_every_subscriber_gets_its_filtered_events_in_order(
    batched: None, loops: list[LoopThread]
) -> None:
    q: FfiQueue[int] = FfiQueue()
    a, b = loops
    everything = q.subscribe(a.loop)
    evens = q.subscribe(b.loop, filter_fn=lambda x: x % 2 == 0)
    also_a = q.subscribe(a.loop, filter_fn=lambda x: x >= 50)
    for i in range(100):
        q.put(i)
    assert a.run(_drain(everything, 100)) == list(range(100))
    assert b.run(_drain(evens, 50)) == list(range(0, 100, 2))
    assert a.run(_drain(also_a, 50)) == list(range(50, 100))


def test_a_busy_loop_is_woken_once_for_everything_queued_meanwhile(
    batched: None, loops: list[LoopThread]
) -> None:
    q: FfiQueue[int] = FfiQueue()
    loop = loops[0]
    queue = q.subscribe(loop.loop)
    gate = threading.Event()
    loop.loop.call_soon_threadsafe(gate.wait, 5)  # the loop is busy until the gate opens
    before = loop.wakeups
    for i in range(200):
        q.put(i)
    gate.set()
    assert loop.run(_drain(queue, 200)) == list(range(200))
    # one wake-up for the 200 events (livekit's own put: 200), plus run()'s own
    assert loop.wakeups - before <= 2


def test_livekits_own_put_wakes_the_loop_per_event(loops: list[LoopThread]) -> None:
    """The baseline the bench compares against (and the reason for the batching)."""
    q: FfiQueue[int] = FfiQueue()
    loop = loops[0]
    queue = q.subscribe(loop.loop)
    before = loop.wakeups
    for i in range(50):
        q.put(i)
    assert loop.run(_drain(queue, 50)) == list(range(50))
    assert loop.wakeups - before >= 50


def test_unsubscribed_queues_get_nothing_more(batched: None, loops: list[LoopThread]) -> None:
    q: FfiQueue[int] = FfiQueue()
    loop = loops[0]
    keep, gone = q.subscribe(loop.loop), q.subscribe(loop.loop)
    q.put(1)
    q.unsubscribe(gone)
    q.put(2)
    assert loop.run(_drain(keep, 2)) == [1, 2]
    assert loop.run(_drain(gone, 1)) == [1]
    assert gone.qsize() == 0


def test_a_closed_loop_does_not_stop_delivery_to_the_others(
    batched: None, loops: list[LoopThread]
) -> None:
    q: FfiQueue[int] = FfiQueue()
    a, b = loops
    q.subscribe(a.loop)  # never unsubscribed, as a job that died would leave it
    alive = q.subscribe(b.loop)
    a.close()
    for i in range(3):
        q.put(i)
    assert b.run(_drain(alive, 3)) == [0, 1, 2]
    loops.remove(a)

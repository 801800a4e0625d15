"""Lossy updates (TOPIC_TRANSIENT): the latest pointer per panel is kept; late, reliable,
foreign, invalid or oversized packets are dropped; a stale pointer is not reported; and a lossy
packet crosses a real LiveKit server."""

import asyncio
from pathlib import Path
from typing import Any

from livekit import api, rtc
from troupe_agent.transient import PointerTracker
from troupe_contracts import TOPIC_TRANSIENT, TRANSIENT_MAX_BYTES
from troupe_contracts.panels import PanelPointer
from troupe_contracts.session import PanelType

from tests.localhost import livekit_server


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _pointer(seq: int, **fields: Any) -> bytes:
    return (
        PanelPointer(panel=PanelType.WHITEBOARD, seq=seq, x=10, y=20, **fields)
        .model_dump_json()
        .encode()
    )


class _Participant:
    def __init__(self, identity: str) -> None:
        self.identity = identity


def _packet(
    data: bytes, identity: str = "user-1", lossy: bool = True, topic: str = TOPIC_TRANSIENT
) -> rtc.DataPacket:
    kind = rtc.DataPacketKind.KIND_LOSSY if lossy else rtc.DataPacketKind.KIND_RELIABLE
    return rtc.DataPacket(data=data, kind=kind, participant=_Participant(identity), topic=topic)  # type: ignore[arg-type]


def test_latest_pointer_wins_and_late_packets_are_dropped() -> None:
    clock = Clock()
    tracker = PointerTracker(clock)
    assert tracker.handle(_pointer(2, drawing=True, stroke=[1, 2, 3, 4])) is not None
    assert tracker.handle(_pointer(1)) is None  # arrived after a newer one
    latest = tracker.latest(PanelType.WHITEBOARD)
    assert latest is not None and latest.seq == 2 and latest.stroke == [1, 2, 3, 4]
    assert "drawing at x=10, y=20 on the whiteboard" in tracker.describe(PanelType.WHITEBOARD)
    assert tracker.latest(PanelType.SLIDES) is None and tracker.describe(PanelType.SLIDES) == ""
    clock.now += 6  # the user stopped moving: nothing to report any more
    assert tracker.latest(PanelType.WHITEBOARD) is None
    assert (tracker.received, tracker.dropped) == (1, 1)


def test_only_lossy_packets_from_the_user_on_the_topic_count() -> None:
    tracker = PointerTracker(Clock())
    tracker._is_user = lambda identity: identity == "user-1"
    tracker.on_packet(_packet(_pointer(1), identity="agent-x"))
    tracker.on_packet(_packet(_pointer(2), lossy=False))
    tracker.on_packet(_packet(_pointer(3), topic="troupe.other"))
    tracker.on_packet(_packet(b"{not json"))
    tracker.on_packet(_packet(b"x" * (TRANSIENT_MAX_BYTES + 1)))
    assert tracker.latest(PanelType.WHITEBOARD) is None
    tracker.on_packet(_packet(_pointer(4)))
    assert tracker.latest(PanelType.WHITEBOARD) is not None


async def test_a_lossy_packet_crosses_a_real_livekit_server(tmp_path: Path) -> None:
    """The browser's ``publishData(..., {reliable: false, topic})``, here from a Python
    participant: the agent's tracker gets it as a lossy packet from the user."""
    async with livekit_server(tmp_path / "livekit.log") as server:

        def token(identity: str) -> str:
            grants = api.VideoGrants(room_join=True, room="lossy", can_publish_data=True)
            return (
                api.AccessToken(server.key, server.secret)
                .with_identity(identity)
                .with_grants(grants)
                .to_jwt()
            )

        agent, user = rtc.Room(), rtc.Room()
        tracker = PointerTracker()
        tracker.attach(agent, lambda identity: identity == "user-1")
        await agent.connect(server.url, token("agent-1"))
        await user.connect(server.url, token("user-1"))
        try:
            for seq in range(1, 200):  # lossy: resend until one arrives (all do on loopback)
                await user.local_participant.publish_data(
                    _pointer(seq, drawing=True, stroke=[5, 6]),
                    reliable=False,
                    topic=TOPIC_TRANSIENT,
                )
                await asyncio.sleep(0.05)
                if tracker.latest(PanelType.WHITEBOARD) is not None:
                    break
            latest = tracker.latest(PanelType.WHITEBOARD)
            assert latest is not None and latest.drawing and latest.stroke == [5, 6]
            # A reliable packet on the lossy topic is not taken.
            before = tracker.dropped
            await user.local_participant.publish_data(
                _pointer(10_000), reliable=True, topic=TOPIC_TRANSIENT
            )
            for _ in range(100):
                if tracker.dropped > before:
                    break
                await asyncio.sleep(0.05)
            assert tracker.dropped == before + 1
            assert tracker.latest(PanelType.WHITEBOARD).seq < 10_000  # type: ignore[union-attr]
        finally:
            await user.disconnect()
            await agent.disconnect()

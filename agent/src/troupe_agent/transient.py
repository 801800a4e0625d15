"""Lossy updates from the browser (``TOPIC_TRANSIENT``, LiveKit's unreliable data channel):
the user's pointer over a panel and the whiteboard stroke being drawn (``PanelPointer``).

Only the latest one per panel is kept. A packet older than the last one received (its ``seq``)
arrives late and is dropped, as is one sent reliably on this topic by mistake or from anyone
but the session's user. ``read_<panel>`` tools report a recent pointer ("the user is pointing
at ..."), so the agent can follow what the user is showing without a reliable message per move."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from livekit import rtc
from pydantic import ValidationError
from troupe_contracts import LOSSY_MESSAGE_TYPES, TOPIC_TRANSIENT, TRANSIENT_MAX_BYTES
from troupe_contracts.panels import PanelPointer
from troupe_contracts.session import PanelType

from troupe_agent.browser import is_user_identity
from troupe_agent.logging import get_logger

log = get_logger(__name__)

RECENT_S = 5.0
"""A pointer older than this is not reported (the user moved on or left the panel)."""


@dataclass(frozen=True)
class SeenPointer:
    pointer: PanelPointer
    at: float


class PointerTracker:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._is_user: Callable[[str], bool] = is_user_identity
        self._clock = clock
        self._latest: dict[PanelType, SeenPointer] = {}
        self.received = 0
        self.dropped = 0

    def attach(self, room: rtc.Room, is_user: Callable[[str], bool]) -> None:
        """Follow the room's lossy packets; only ``is_user`` identities are listened to."""
        self._is_user = is_user
        room.on("data_received", self.on_packet)

    def on_packet(self, packet: rtc.DataPacket) -> None:
        if packet.topic != TOPIC_TRANSIENT:
            return
        identity = packet.participant.identity if packet.participant is not None else ""
        if packet.kind != rtc.DataPacketKind.KIND_LOSSY or not self._is_user(identity):
            self.dropped += 1
            return
        self.handle(packet.data)

    def handle(self, data: bytes) -> PanelPointer | None:
        """Keep ``data`` if it is the newest pointer of its panel; returns it when kept."""
        if len(data) > TRANSIENT_MAX_BYTES:
            self.dropped += 1
            return None
        try:
            pointer = PanelPointer.model_validate_json(data)
        except ValidationError:
            self.dropped += 1
            return None
        if pointer.type not in LOSSY_MESSAGE_TYPES:
            self.dropped += 1
            return None
        seen = self._latest.get(pointer.panel)
        if seen is not None and pointer.seq <= seen.pointer.seq:
            self.dropped += 1  # late: a newer one is already here
            return None
        self._latest[pointer.panel] = SeenPointer(pointer, self._clock())
        self.received += 1
        return pointer

    def latest(self, panel: PanelType, max_age_s: float = RECENT_S) -> PanelPointer | None:
        seen = self._latest.get(panel)
        if seen is None or self._clock() - seen.at > max_age_s:
            return None
        return seen.pointer

    def describe(self, panel: PanelType) -> str:
        """A sentence for ``read_<panel>``: where the user points now, or nothing."""
        pointer = self.latest(panel)
        if pointer is None:
            return ""
        where = (
            f"x={pointer.x:.0f}, y={pointer.y:.0f}"
            if panel == PanelType.WHITEBOARD
            else (f"{pointer.x:.0%} across, {pointer.y:.0%} down")
        )
        doing = "drawing" if pointer.drawing else "pointing"
        return f" The user is {doing} at {where} on the {panel.value} right now."

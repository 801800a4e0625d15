"""Panel pictures from the browser (``TOPIC_PANEL_IMAGES`` byte streams).

``read_panel`` with ``image: true`` makes the browser send the panel's PNG as a byte stream and
name that stream in its RPC answer (``PanelStateData.image``): LiveKit caps an RPC payload at
15 KiB, which a busy whiteboard's PNG easily passes. The stream and the RPC answer may arrive
in either order; ``PanelImageInbox.wait`` pairs them by stream id."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from livekit import rtc
from troupe_contracts import TOPIC_PANEL_IMAGES

from troupe_agent.logging import get_logger

log = get_logger(__name__)

PANEL_IMAGE_MAX_BYTES = 8 * 1024 * 1024
"""A panel picture larger than this is dropped (a 4K PNG of a full board is far below)."""
PANEL_IMAGE_TIMEOUT_S = 10.0


class PanelImageInbox:
    """Byte streams of panel pictures, by stream id, accepted only from the session's user."""

    def __init__(self, *, max_bytes: int = PANEL_IMAGE_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._images: dict[str, asyncio.Future[bytes]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def _slot(self, stream_id: str) -> asyncio.Future[bytes]:
        if stream_id not in self._images:
            self._images[stream_id] = asyncio.get_running_loop().create_future()
        return self._images[stream_id]

    def attach(self, room: rtc.Room, is_user: Callable[[str], bool]) -> None:
        def on_stream(reader: rtc.ByteStreamReader, identity: str) -> None:
            if not is_user(identity):
                log.warning(
                    "panel image from a participant that is not the user", identity=identity
                )
                return
            task = asyncio.get_running_loop().create_task(
                self.receive(reader.info.stream_id, reader), name="troupe.panel_image"
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        room.register_byte_stream_handler(TOPIC_PANEL_IMAGES, on_stream)

    async def receive(self, stream_id: str, chunks: Any) -> None:
        """Read one stream (an async iterable of byte chunks) into the slot of ``stream_id``."""
        slot = self._slot(stream_id)
        buf = bytearray()
        try:
            async for chunk in chunks:
                buf.extend(chunk)
                if len(buf) > self.max_bytes:
                    raise ValueError(f"panel image larger than {self.max_bytes} bytes")
        except Exception as e:
            log.warning("panel image not received", stream_id=stream_id, error=str(e))
            if not slot.done():
                slot.set_exception(e)
            return
        if not slot.done():
            slot.set_result(bytes(buf))

    async def wait(self, stream_id: str, timeout_s: float = PANEL_IMAGE_TIMEOUT_S) -> bytes:
        """The bytes of stream ``stream_id`` (raises ``TimeoutError`` / the read error)."""
        slot = self._slot(stream_id)
        try:
            return await asyncio.wait_for(asyncio.shield(slot), timeout_s)
        finally:
            self._images.pop(stream_id, None)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1)

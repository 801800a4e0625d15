"""A fake participant for byte-stream sends (`stream_bytes`): records how the stream was opened,
what was written and whether it was closed."""

from typing import Any


class FakeWriter:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.closed = False

    async def write(self, data: bytes) -> None:
        self.chunks.append(data)

    async def aclose(self) -> None:
        self.closed = True


class FakeStreamTarget:
    """Stands in for a local participant: `stream_bytes` opens one `FakeWriter`."""

    def __init__(self) -> None:
        self.writer = FakeWriter()
        self.opened: dict[str, Any] = {}

    async def stream_bytes(self, name: str, **kw: Any) -> FakeWriter:
        self.opened = {"name": name, **kw}
        return self.writer

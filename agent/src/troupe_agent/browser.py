"""The browser side of the session as the agent sees it: who the user is, what the browser
announced in its ``ClientHello``, the panel events it sends on ``TOPIC_CLIENT_EVENTS``, and
RPC calls to it (``BrowserRpc``)."""

import asyncio
import json
from collections import deque
from typing import Any, Protocol

from livekit import rtc
from livekit.agents import ToolError
from pydantic import BaseModel, ValidationError
from troupe_contracts import PROTOCOL_VERSION, TOPIC_CLIENT_EVENTS, USER_IDENTITY_PREFIX
from troupe_contracts.panels import PanelEvent
from troupe_contracts.rpc import (
    BrowserMethod,
    ClientEventAdapter,
    ClientHello,
    RpcErrorCode,
    RpcResult,
)
from troupe_contracts.session import PanelType

from troupe_agent.log_sink import SessionLogSink
from troupe_agent.logging import get_logger

log = get_logger(__name__)

DEFAULT_RPC_TIMEOUT_S = 10.0
CONSENT_RPC_TIMEOUT_S = 30.0
"""Media requests wait for the user to answer a consent prompt."""
MAX_PANEL_EVENTS = 200
MAX_CLIENT_EVENT_CHARS = 256_000
"""A client event larger than this is dropped unread (a notepad sends its whole text, so
this leaves room for a long document); each event lands in the session log."""


def is_user_identity(identity: str) -> bool:
    return identity.startswith(USER_IDENTITY_PREFIX)


class ClientState:
    """What the user's browser told us. Filled by ``ClientChannel``; read by the tools."""

    def __init__(self) -> None:
        self.hello: ClientHello | None = None
        self.user_identity: str | None = None
        self.panel_events: deque[PanelEvent] = deque(maxlen=MAX_PANEL_EVENTS)
        self.open_panels: set[PanelType] = set()
        self.hello_received = asyncio.Event()

    def supports(self, method: BrowserMethod) -> bool | None:
        """True/False once the browser said hello; None before (unknown)."""
        return None if self.hello is None else method in self.hello.rpc_methods

    def has_panel(self, panel: PanelType) -> bool | None:
        return None if self.hello is None else panel in self.hello.panels

    def on_hello(self, hello: ClientHello, identity: str) -> None:
        if hello.protocol_version != PROTOCOL_VERSION:
            log.warning(
                "browser speaks another protocol version",
                browser=hello.protocol_version,
                agent=PROTOCOL_VERSION,
            )
        self.hello, self.user_identity = hello, identity
        self.hello_received.set()

    def on_panel_event(self, event: PanelEvent) -> None:
        self.panel_events.append(event)
        if event.event == "opened":
            self.open_panels.add(event.panel)
        elif event.event == "closed":
            self.open_panels.discard(event.panel)


class ClientChannel:
    """Reads ``TOPIC_CLIENT_EVENTS`` text streams from the session's user; everything else is
    ignored. Panel events also go to the session log as ``PanelEventEntry``."""

    def __init__(self, state: ClientState, sink: SessionLogSink | None) -> None:
        self.state = state
        self._sink = sink
        self._tasks: set[asyncio.Task[None]] = set()

    def attach(self, room: rtc.Room) -> None:
        room.register_text_stream_handler(TOPIC_CLIENT_EVENTS, self._on_stream)

    def _on_stream(self, reader: rtc.TextStreamReader, participant_identity: str) -> None:
        task = asyncio.get_running_loop().create_task(
            self._read(reader, participant_identity), name="troupe.client_event"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, reader: rtc.TextStreamReader, identity: str) -> None:
        """Reads the stream chunk by chunk and gives up (closing it) past
        ``MAX_CLIENT_EVENT_CHARS``: a participant cannot make the worker buffer, parse and log
        an event of any size."""
        chunks: list[str] = []
        size = 0
        try:
            async for chunk in reader:
                size += len(chunk)
                if size > MAX_CLIENT_EVENT_CHARS:
                    reader.close()
                    log.warning("client event too large; dropped", identity=identity, size=size)
                    return
                chunks.append(chunk)
        except Exception:
            log.exception("could not read a client event stream")
            return
        self.handle("".join(chunks), identity)

    def handle(self, text: str, identity: str) -> None:
        expected = self.state.user_identity
        if not is_user_identity(identity) or (expected is not None and identity != expected):
            # Once the user said hello, only that identity speaks for the browser.
            log.warning("client event from a participant that is not the user", identity=identity)
            return
        if len(text) > MAX_CLIENT_EVENT_CHARS:
            log.warning("client event too large; dropped", identity=identity, size=len(text))
            return
        try:
            event = ClientEventAdapter.validate_json(text)
        except ValidationError as e:
            log.warning("invalid client event", error=str(e.errors()[:3]))
            return
        if isinstance(event, ClientHello):
            self.state.on_hello(event, identity)
            log.info(
                "browser hello", panels=[p.value for p in event.panels], rpc=len(event.rpc_methods)
            )
        else:
            self.state.on_panel_event(event)
            if self._sink is not None:
                self._sink.panel_event(event.panel.value, event.event, event.data, event.ts)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1)


class RpcPeer(Protocol):
    """The part of ``rtc.LocalParticipant`` we call (a fake in tests)."""

    async def perform_rpc(
        self,
        *,
        destination_identity: str,
        method: str,
        payload: str,
        response_timeout: float | None = None,
    ) -> str: ...


_RPC_ERROR_TEXT: dict[RpcErrorCode, str] = {
    RpcErrorCode.REFUSED: "the user declined",
    RpcErrorCode.UNSUPPORTED: "this is not available in the user's browser",
    RpcErrorCode.INVALID: "the browser rejected the request as invalid",
    RpcErrorCode.FAILED: "the browser failed to do it",
    RpcErrorCode.FORBIDDEN: "the browser refused the request",
    RpcErrorCode.TIMEOUT: "the user's browser did not answer in time",
}


class BrowserRpc:
    """Calls the methods the user's browser registers (``BrowserMethod``). Every failure
    becomes a ``ToolError`` whose message tells the model what happened."""

    def __init__(self, peer: RpcPeer, state: ClientState, *, user_identity: Any = None) -> None:
        self._peer = peer
        self._state = state
        self._user_identity = user_identity
        """Callable returning the user's identity (the room's user participant), or None."""

    def _destination(self) -> str:
        identity = self._state.user_identity
        if identity is None and callable(self._user_identity):
            identity = self._user_identity()
        if not identity:
            raise ToolError("No user is connected, so this cannot be done now.")
        return str(identity)

    async def call(
        self,
        method: BrowserMethod,
        payload: BaseModel,
        *,
        timeout_s: float = DEFAULT_RPC_TIMEOUT_S,
    ) -> Any:
        """The ``data`` of an ok ``RpcResult``; ``ToolError`` otherwise."""
        if self._state.supports(method) is False:
            raise ToolError(f"The user's browser does not support {method.value}.")
        destination = self._destination()
        try:
            raw = await self._peer.perform_rpc(
                destination_identity=destination,
                method=method.value,
                payload=payload.model_dump_json(),
                response_timeout=timeout_s,
            )
        except rtc.RpcError as e:
            codes = rtc.RpcError.ErrorCode
            if e.code in (codes.RESPONSE_TIMEOUT, codes.CONNECTION_TIMEOUT):
                raise ToolError("The user's browser did not answer in time.") from e
            if e.code == codes.UNSUPPORTED_METHOD:
                raise ToolError(f"The user's browser does not support {method.value}.") from e
            if e.code in (codes.RECIPIENT_DISCONNECTED, codes.RECIPIENT_NOT_FOUND):
                raise ToolError("The user is no longer connected.") from e
            raise ToolError(f"The browser call failed: {e.message}") from e
        except TimeoutError as e:
            raise ToolError("The user's browser did not answer in time.") from e
        try:
            result = RpcResult.model_validate_json(raw)
        except ValidationError as e:
            raise ToolError("The browser sent an answer that could not be read.") from e
        if not result.ok:
            code = result.error.code if result.error is not None else RpcErrorCode.FAILED
            detail = result.error.message if result.error is not None else ""
            text = _RPC_ERROR_TEXT.get(code, "the browser failed to do it")
            if detail.strip().rstrip(".").lower() == text:
                detail = ""  # the browser said the same thing ("The user declined")
            raise ToolError(f"{text[0].upper()}{text[1:]}" + (f" ({detail})." if detail else "."))
        return result.data


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)

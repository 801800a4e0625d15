"""Everything one session's agents and tools share, built once per job."""

import time
from dataclasses import dataclass, field

import httpx
from troupe_contracts.config import SessionConfig

from troupe_agent.client import BrowserRpc, ClientState, RpcPeer
from troupe_agent.events import EventPublisher, RecordingEventPublisher
from troupe_agent.handoff import HandoffGuard
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.state import SessionState
from troupe_agent.tools.base import Clock, ToolCalls, ToolRateLimiter
from troupe_agent.tools.knowledge import KeywordKnowledgeBase, KnowledgeBase
from troupe_agent.vision import FrameSampler


class _NoPeer:
    async def perform_rpc(
        self,
        *,
        destination_identity: str,
        method: str,
        payload: str,
        response_timeout: float | None = None,
    ) -> str:
        from livekit.agents import ToolError

        raise ToolError("The user's browser is not connected.")


@dataclass
class SessionRuntime:
    config: SessionConfig
    publisher: EventPublisher = field(default_factory=RecordingEventPublisher)
    sink: SessionLogSink | None = None
    state: SessionState = field(default_factory=SessionState)
    client: ClientState = field(default_factory=ClientState)
    limiter: ToolRateLimiter = field(default_factory=ToolRateLimiter)
    handoffs: HandoffGuard = field(default_factory=HandoffGuard)
    knowledge: KnowledgeBase = field(default_factory=KeywordKnowledgeBase)
    peer: RpcPeer = field(default_factory=_NoPeer)
    http: httpx.AsyncClient | None = None
    clock: Clock = time.perf_counter
    frames: FrameSampler | None = None
    """The session's video frame sampler, when some agent has vision on."""

    def __post_init__(self) -> None:
        self.browser = BrowserRpc(self.peer, self.client)
        self.tools = ToolCalls(
            sink=self.sink, publisher=self.publisher, limiter=self.limiter, clock=self.clock
        )

    def http_client(self) -> httpx.AsyncClient:
        if self.http is None:
            self.http = httpx.AsyncClient(follow_redirects=False)
        return self.http

    async def aclose(self) -> None:
        if self.http is not None:
            await self.http.aclose()

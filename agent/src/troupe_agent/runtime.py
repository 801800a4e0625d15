"""Everything one session's agents and tools share, built once per job."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from livekit.agents import llm
from troupe_contracts import VISION_UNSUPPORTED_NOTE, address_policy
from troupe_contracts.config import SessionConfig

from troupe_agent.browser import BrowserRpc, ClientState, RpcPeer
from troupe_agent.events import EventPublisher, RecordingEventPublisher
from troupe_agent.handoff import HandoffGuard
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.logging import get_logger
from troupe_agent.panel_images import PanelImageInbox
from troupe_agent.state import SessionState
from troupe_agent.tools.base import Clock, ToolCalls, ToolRateLimiter
from troupe_agent.tools.knowledge_search import KnowledgeSearcher
from troupe_agent.transient import PointerTracker
from troupe_agent.uploads import FileSender
from troupe_agent.vision import FrameSampler

log = get_logger(__name__)


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
    knowledge_search: KnowledgeSearcher | None = None
    """Searches the organization's knowledge bases through the API (``search_knowledge``)."""
    peer: RpcPeer = field(default_factory=_NoPeer)
    http: httpx.AsyncClient | None = None
    webhook_allowed_hosts: frozenset[str] = field(
        default_factory=address_policy.allowed_hosts_from_env
    )
    """Hosts webhook tools may call although the address policy refuses their addresses."""
    clock: Clock = time.perf_counter
    frames: FrameSampler | None = None
    """The session's video frame sampler, when some agent has vision on."""
    files: FileSender | None = None
    """Streams files to the browser (``send_file``); the room's local participant."""
    panel_images: PanelImageInbox = field(default_factory=PanelImageInbox)
    """Panel pictures the browser sends on ``TOPIC_PANEL_IMAGES``."""
    pointers: PointerTracker = field(default_factory=PointerTracker)
    """The user's pointer over each panel, from lossy packets on ``TOPIC_TRANSIENT``."""
    pending_images: list[llm.ImageContent] = field(default_factory=list)
    """Images a tool fetched, handed to the next LLM inference (``TroupeAgent.llm_node``)."""
    end_session: Callable[[str], None] | None = None
    """Ends the call after a spoken goodbye (the ``end_session`` tool); the worker sets it to
    the session lifecycle's ``request_end``. None where there is no call to end."""
    _vision_warned: set[str] = field(default_factory=set)

    def take_pending_images(self) -> list[llm.ImageContent]:
        images, self.pending_images = self.pending_images, []
        return images

    def vision_unsupported(self, agent: str, provider_id: str) -> None:
        """Say once per agent and session that its frames are skipped: in the worker log and
        the session log (the LLM is told through its instructions)."""
        if agent in self._vision_warned:
            return
        self._vision_warned.add(agent)
        message = (
            f"agent {agent!r} has vision on, but its LLM {provider_id!r} cannot take images: "
            f"{VISION_UNSUPPORTED_NOTE}; camera/screen frames and images are not sent to it"
        )
        log.warning(VISION_UNSUPPORTED_NOTE, agent=agent, llm=provider_id)
        if self.sink is not None:
            self.sink.error("config", message, recoverable=True)

    def __post_init__(self) -> None:
        # The session's start variables (template defaults applied): ``{{name}}`` in every
        # agent's instructions and greeting; a handoff may later set others or replace them.
        for name, value in self.config.variables.items():
            self.state.variables.setdefault(name, value)
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

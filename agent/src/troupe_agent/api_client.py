"""The runtime's client for the Platform API's runtime endpoints (bearer runtime token).

Retries with exponential backoff (tenacity) on transport errors and 5xx/429; a 4xx other than
429 is final (a wrong session id will not heal by retrying)."""

import functools
import ssl
from typing import Any
from uuid import UUID

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from troupe_contracts.config import SessionConfig
from troupe_contracts.knowledge import KnowledgeSearchRequest, KnowledgeSearchResult
from troupe_contracts.log import SessionLogBatch
from troupe_contracts.recording import RECORDING_CONTENT_TYPE, RecordingKind

from troupe_agent.settings import Settings

SESSION_CONFIG_PATH = "/api/v1/runtime/session-config/{session_id}"
SESSION_LOG_PATH = "/api/v1/runtime/sessions/{session_id}/log"
RECORDING_PATH = "/api/v1/runtime/sessions/{session_id}/recordings/{kind}"
KNOWLEDGE_SEARCH_PATH = "/api/v1/runtime/sessions/{session_id}/knowledge/search"


class ApiError(RuntimeError):
    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        """The API's error code (``{"error": {"code": ...}}``), when it answered one."""
        self.details = details or {}


def _error_body(response: httpx.Response) -> tuple[str | None, dict[str, Any]]:
    try:
        error = response.json().get("error") or {}
        return error.get("code"), dict(error.get("details") or {})
    except (ValueError, AttributeError, TypeError):
        return None, {}


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TransportError):
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500 or exc.response.status_code == 429
    return False


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client of the process: building one loads the CA bundle
    (tens of ms of CPU), which every job paid at its start, all of them at once when many
    sessions start together in one worker."""
    return httpx.create_ssl_context()


class RuntimeApiClient:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_attempts: int | None = None,
        max_wait_s: float = 4.0,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=settings.troupe_api_url.rstrip("/"),
            headers={"Authorization": f"Bearer {settings.troupe_runtime_token.get_secret_value()}"},
            timeout=settings.api_timeout_s,
            transport=transport,
            verify=_tls_context(),
        )
        self._max_attempts = max_attempts or settings.api_max_attempts
        self._max_wait_s = max_wait_s

    async def _request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=wait_exponential_jitter(initial=0.2, max=self._max_wait_s),
            retry=retry_if_exception(_is_transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self._client.request(method, path, **kw)
                    response.raise_for_status()
                    return response
        except httpx.HTTPStatusError as e:
            code, details = _error_body(e.response)
            raise ApiError(
                f"{method} {path} failed: HTTP {e.response.status_code}",
                status_code=e.response.status_code,
                code=code,
                details=details,
            ) from e
        except httpx.TransportError as e:
            raise ApiError(f"{method} {path} failed: {type(e).__name__}: {e}") from e
        raise AssertionError("unreachable")

    async def session_config(self, session_id: UUID) -> SessionConfig:
        response = await self._request("GET", SESSION_CONFIG_PATH.format(session_id=session_id))
        return SessionConfig.model_validate_json(response.content)

    async def post_log(self, session_id: UUID, batch: SessionLogBatch) -> None:
        await self._request(
            "POST",
            SESSION_LOG_PATH.format(session_id=session_id),
            content=batch.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )

    async def put_recording(
        self,
        session_id: UUID,
        kind: RecordingKind,
        data: bytes,
        duration_ms: int,
        started_at_ms: int | None = None,
    ) -> None:
        params = {"duration_ms": duration_ms}
        if started_at_ms is not None:
            params["started_at_ms"] = started_at_ms
        await self._request(
            "PUT",
            RECORDING_PATH.format(session_id=session_id, kind=kind.value),
            params=params,
            content=data,
            headers={"Content-Type": RECORDING_CONTENT_TYPE},
            timeout=max(self._client.timeout.read or 10.0, 60.0),
        )

    async def search_knowledge(
        self, session_id: UUID, request: KnowledgeSearchRequest
    ) -> KnowledgeSearchResult:
        response = await self._request(
            "POST",
            KNOWLEDGE_SEARCH_PATH.format(session_id=session_id),
            content=request.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        return KnowledgeSearchResult.model_validate_json(response.content)

    async def aclose(self) -> None:
        await self._client.aclose()

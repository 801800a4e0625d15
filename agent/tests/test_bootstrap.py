import json
from uuid import uuid4

import httpx
import pytest
from support.configs import session_config
from troupe_agent.api_client import ApiError, RuntimeApiClient
from troupe_agent.bootstrap import BadMetadata, parse_metadata
from troupe_agent.settings import Settings
from troupe_contracts import PROTOCOL_VERSION


def metadata(**kw: object) -> str:
    base: dict[str, object] = {
        "protocol_version": PROTOCOL_VERSION,
        "session_id": str(uuid4()),
        "organization_id": str(uuid4()),
        "template_id": None,
        "user_id": "user-1",
        "modality_profile": "audio",
    }
    base.update(kw)
    return json.dumps(base)


def test_valid_metadata_parses() -> None:
    assert parse_metadata(metadata()).user_id == "user-1"


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ("", "no dispatch metadata"),
        ("not json", "not valid TokenMetadata"),
        (metadata(user_id=None), "user_id"),
        (metadata(extra_field=1), "extra_field"),
        (metadata(protocol_version=PROTOCOL_VERSION + 1), "protocol version mismatch"),
    ],
)
def test_bad_metadata_is_refused_clearly(raw: str, match: str) -> None:
    with pytest.raises(BadMetadata, match=match):
        parse_metadata(raw)


async def test_session_config_is_fetched_with_the_runtime_token(settings: Settings) -> None:
    config = session_config()
    seen: list[httpx.Request] = []
    attempts = iter([503, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = next(attempts)
        return httpx.Response(status, content=config.model_dump_json() if status == 200 else b"")

    client = RuntimeApiClient(settings, transport=httpx.MockTransport(handler), max_wait_s=0.01)
    assert await client.session_config(config.session_id) == config
    assert seen[-1].url.path == f"/api/v1/runtime/session-config/{config.session_id}"
    assert seen[-1].headers["Authorization"] == "Bearer test-token"
    assert len(seen) == 2


async def test_not_found_is_not_retried(settings: Settings) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(404)

    client = RuntimeApiClient(settings, transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError) as err:
        await client.session_config(uuid4())
    assert err.value.status_code == 404 and calls == 1

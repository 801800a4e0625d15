"""A vision-enabled agent on an LLM that cannot take images: saved (the offline default must
stay usable) with the stable ``vision_unsupported_llm`` warning; the catalog says which LLMs
see."""

from __future__ import annotations

import httpx
from config_helpers import agent_body, caller
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_contracts import VISION_UNSUPPORTED_NOTE

A = "/api/v1/agents"


async def test_vision_on_a_blind_llm_is_saved_with_a_warning(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    blind = agent_body("blind", llm="local/smollm2", vision={"enabled": True})
    created = await client.post(A, json=blind, headers=me.headers)
    assert created.status_code == 201, created.text
    (warning,) = created.json()["warnings"]
    assert warning["code"] == "vision_unsupported_llm"
    assert warning["field"] == "vision.enabled"
    assert VISION_UNSUPPORTED_NOTE in warning["message"] and "local/smollm2" in warning["message"]
    got = await client.get(f"{A}/{created.json()['id']}", headers=me.headers)
    assert [w["code"] for w in got.json()["warnings"]] == ["vision_unsupported_llm"]

    # a vision LLM, or vision off: no warning
    seeing = agent_body("seeing", llm="openai/gpt-4o", vision={"enabled": True})
    assert (await client.post(A, json=seeing, headers=me.headers)).json()["warnings"] == []
    off = agent_body("off", llm="local/smollm2", vision={"enabled": False})
    assert (await client.post(A, json=off, headers=me.headers)).json()["warnings"] == []

    # switching the blind agent to a vision LLM clears it
    fixed = await client.patch(
        f"{A}/{created.json()['id']}", json={"llm": "openai/gpt-4.1-mini"}, headers=me.headers
    )
    assert fixed.status_code == 200 and fixed.json()["warnings"] == []


async def test_catalog_marks_the_llms_that_see(client: httpx.AsyncClient) -> None:
    providers = {p["id"]: p for p in (await client.get("/api/v1/catalog")).json()["providers"]}
    assert providers["openai/gpt-4o"]["vision"] is True
    assert providers["local/smollm2"]["vision"] is False
    assert providers["local/whisper-tiny"]["vision"] is False

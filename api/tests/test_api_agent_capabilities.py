"""The catalog's capabilities per model (tool calling, vision, languages), the LLM providers
behind livekit plugins (Anthropic, Google Gemini, Groq), and the ``tools_unsupported_llm``
warning for an agent whose handoffs, panels or tools its LLM cannot call."""

from __future__ import annotations

import httpx
from config_helpers import agent_body, caller
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_contracts.providers import PROVIDER_CATALOG, ProviderRole

A = "/api/v1/agents"


async def test_handoffs_panels_or_tools_on_an_llm_without_tool_calling_warn(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    target = agent_body("target", llm="openai/gpt-4.1-mini")
    assert (await client.post(A, json=target, headers=me.headers)).status_code == 201
    # an LLM the catalog says cannot call tools (today the offline SmolLM2)
    no_tools = next(
        p.id
        for p in PROVIDER_CATALOG
        if p.role == ProviderRole.LLM and not p.tool_calling and not p.test_only
    )
    cases = {
        "hands": {"handoffs": [{"agent": "target"}]},
        "draws": {"panels": ["whiteboard"]},
        "acts": {"tools": ["log_observation"]},
    }
    for slug, fields in cases.items():
        created = await client.post(
            A, json=agent_body(slug, llm=no_tools, **fields), headers=me.headers
        )
        assert created.status_code == 201, created.text
        (warning,) = created.json()["warnings"]
        assert warning["code"] == "tools_unsupported_llm" and warning["field"] == "llm"
        assert no_tools in warning["message"] and next(iter(fields)) in warning["message"]

    # nothing to call, or an LLM that calls tools: no warning
    plain = await client.post(A, json=agent_body("plain", llm=no_tools), headers=me.headers)
    assert plain.json()["warnings"] == []
    for llm in (
        "openai/gpt-4.1-mini",
        "anthropic/claude-sonnet-4-6",
        "groq/llama-3.3-70b-versatile",
    ):
        body = agent_body(f"ok_{llm.split('/')[0]}", llm=llm, handoffs=[{"agent": "target"}])
        created = await client.post(A, json=body, headers=me.headers)
        assert created.status_code == 201, created.text
        assert created.json()["warnings"] == []


async def test_the_catalog_lists_capabilities_and_the_plugin_llms(
    client: httpx.AsyncClient,
) -> None:
    providers = {p["id"]: p for p in (await client.get("/api/v1/catalog")).json()["providers"]}
    for llm in (
        "anthropic/claude-sonnet-4-6",
        "google/gemini-2.5-flash",
        "groq/llama-3.3-70b-versatile",
    ):
        spec = providers[llm]
        assert spec["role"] == "llm" and spec["tool_calling"] is True
        assert spec["languages"] == ["multi"] and spec["requires_env"]
    assert providers["google/gemini-2.5-flash"]["vision"] is True
    # the offline models say they are English-only
    for local in ("local/whisper-tiny", "local/smollm2", "local/piper-joe"):
        assert providers[local]["languages"] == ["en"]
        assert "English only" in providers[local]["notes"]

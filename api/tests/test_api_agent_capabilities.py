"""The catalog's capabilities per model (tool calling, vision, languages), the LLM providers
behind livekit plugins (Anthropic, Google Gemini, Groq), and the ``tools_unsupported_llm``
warning for an agent whose handoffs, panels or tools its LLM cannot call."""

from __future__ import annotations

import httpx
import pytest
from config_helpers import agent_body, caller
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.configuration import rules as config_rules
from troupe_api.core.settings import Settings
from troupe_contracts import providers
from troupe_contracts.providers import PROVIDER_CATALOG, ProviderRole, ProviderSpec

A = "/api/v1/agents"


async def test_handoffs_panels_or_tools_on_an_llm_without_tool_calling_warn(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    me = await caller(db, settings)
    target = agent_body("target", llm="openai/gpt-4.1-mini")
    assert (await client.post(A, json=target, headers=me.headers)).status_code == 201
    # an LLM the catalog says cannot call tools: every listed one can today (the local models
    # by constrained decoding), so the catalog gets one for this test
    no_tools = "local/no-tools"
    catalog = (
        *PROVIDER_CATALOG,
        ProviderSpec(id=no_tools, role=ProviderRole.LLM, label="No tools", offline=True),
    )
    monkeypatch.setattr(providers, "PROVIDER_CATALOG", catalog)
    monkeypatch.setattr(config_rules, "PROVIDER_CATALOG", catalog)
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


async def test_language_per_agent_is_saved_warned_and_resolved(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    local = agent_body(
        "ana",
        language="es",
        stt="local/whisper-tiny",
        llm="openai/gpt-4.1-mini",
        tts="local/piper-joe",
    )
    created = await client.post(A, json=local, headers=me.headers)
    assert created.status_code == 201, created.text
    assert created.json()["language"] == "es"
    warned = {w["field"]: w for w in created.json()["warnings"]}
    assert set(warned) == {"stt", "tts"}  # the English-only offline models; GPT is multilingual
    assert all(w["code"] == "language_unsupported" for w in warned.values())
    assert "'es'" in warned["stt"]["message"] and "en only" in warned["stt"]["message"]

    fixed = await client.patch(
        f"{A}/{created.json()['id']}",
        json={"stt": "deepgram/nova-3", "tts": "cartesia/sonic", "voice": "default"},
        headers=me.headers,
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["warnings"] == [] and fixed.json()["language"] == "es"

    english = await client.post(A, json=agent_body("bob"), headers=me.headers)
    assert english.json()["language"] == "en" and english.json()["warnings"] == []
    bad = await client.post(A, json=agent_body("eve", language="Spanish"), headers=me.headers)
    assert bad.status_code == 422

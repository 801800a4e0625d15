"""The scripted LLM's ``{last_knowledge}`` placeholder: the best chunk of the last
``search_knowledge`` result, so a scripted agent can say what the knowledge base answered (the
whole-system knowledge test hears it)."""

from __future__ import annotations

import json

from livekit.agents import llm
from troupe_agent.providers.fake import fill_placeholders


def _ctx(*outputs: tuple[str, str]) -> llm.ChatContext:
    ctx = llm.ChatContext.empty()
    ctx.add_message(role="user", content="What discount does the card give?")
    for i, (name, output) in enumerate(outputs):
        ctx.items.append(
            llm.FunctionCallOutput(call_id=f"c{i}", name=name, output=output, is_error=False)
        )
    return ctx


def _result(*texts: str) -> str:
    return json.dumps(
        {
            "query": "card discount",
            "chunks": [{"source": "card.md", "text": t, "score": 1.0} for t in texts],
        }
    )


def test_last_knowledge_is_the_best_chunk_of_the_last_search() -> None:
    ctx = _ctx(
        ("search_knowledge", _result("old answer")),
        ("search_knowledge", _result("Members get a  fourteen percent\ndiscount.", "second")),
        ("open_notepad", "The notepad is open."),
    )
    assert (
        fill_placeholders("From the handbook: {last_knowledge}", ctx)
        == "From the handbook: Members get a fourteen percent discount."
    )


def test_last_knowledge_says_when_there_is_nothing() -> None:
    assert fill_placeholders("{last_knowledge}", _ctx()) == "no knowledge search"
    empty = _ctx(("search_knowledge", _result()))
    assert fill_placeholders("{last_knowledge}", empty) == "nothing in the knowledge base"
    broken = _ctx(("search_knowledge", "Error: the search failed"))
    assert fill_placeholders("{last_knowledge}", broken) == "the knowledge search failed"

"""Small helpers shared by our own LLM implementations."""

from livekit.agents import llm


def text_messages(
    chat_ctx: llm.ChatContext, *, max_turns: int | None = None
) -> list[dict[str, str]]:
    """The chat as plain ``{"role", "content"}`` text messages: system (and developer)
    instructions first, then the last ``max_turns`` user/assistant messages."""
    system: list[dict[str, str]] = []
    turns: list[dict[str, str]] = []
    for msg in chat_ctx.messages():
        text = msg.text_content
        if not text:
            continue
        if msg.role in ("system", "developer"):
            system.append({"role": "system", "content": text})
        else:
            turns.append({"role": msg.role, "content": text})
    if max_turns is not None:
        turns = turns[-max_turns:]
    return system + turns


def last_user_text(chat_ctx: llm.ChatContext) -> str | None:
    for msg in reversed(chat_ctx.messages()):
        if msg.role == "user" and msg.text_content:
            return msg.text_content
    return None

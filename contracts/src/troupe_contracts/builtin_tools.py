"""The built-in tools, defined once: the API lists them in its tool registry (the dashboard shows
these descriptions and argument schemas) and puts them in session configs; the agent runtime
hands the same name, description and argument schema to the LLM. Nothing else describes them.

An agent enables a built-in by naming it in its ``tools`` (a ``ToolConfig`` of kind
``builtin``). ``parameters`` is the JSON Schema of the arguments the model may pass; ``result``
says what the model gets back (every built-in answers with text, or nothing)."""

from typing import Any

from troupe_contracts.base import Contract


class BuiltinTool(Contract):
    name: str
    description: str
    """What the LLM reads (its tool description) and the dashboard shows."""
    parameters: dict[str, Any]
    """JSON Schema (an object) of the arguments; optional arguments carry their ``default``."""
    result: str
    """What the tool answers the model, in words."""


def _arguments(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _media_request(source: str, what: str) -> BuiltinTool:
    return BuiltinTool(
        name=f"request_{source}",
        description=(
            f"Ask the user to turn on their {what} so you can see it. The user sees a consent "
            "prompt with your reason and may decline."
        ),
        parameters=_arguments(
            {
                "reason": _string(
                    "One short sentence shown to the user explaining why you want to see "
                    f"their {what}."
                )
            },
            ["reason"],
        ),
        result=(
            f"Whether the user turned on the {what} and, when they did, whether you can see it; "
            "an error when they declined."
        ),
    )


BUILTIN_TOOLS: tuple[BuiltinTool, ...] = (
    _media_request("screen_share", "screen share"),
    _media_request("camera", "camera"),
    BuiltinTool(
        name="send_ui_action",
        description=(
            "Trigger an action in the user's web page, such as highlighting a part of the page."
        ),
        parameters=_arguments(
            {
                "action": _string("The action name the page understands."),
                "params": {"type": "object", "description": "Optional parameters for the action."},
            },
            ["action"],
        ),
        result="A confirmation that the page received the action.",
    ),
    BuiltinTool(
        name="search_knowledge_base",
        description=(
            "Search the organisation's knowledge base for passages that answer a question. Use "
            "it before answering questions about products, policies or procedures."
        ),
        parameters=_arguments({"query": _string("Keywords or a short question.")}, ["query"]),
        result=(
            "The best passages, numbered, each with its source; or a note that nothing matches "
            "or that no knowledge base is attached."
        ),
    ),
    BuiltinTool(
        name="log_observation",
        description=(
            "Record an observation about this conversation in the session log for the team "
            "that reviews it later (the user does not see it). Use it for facts worth keeping, "
            "such as a problem the user reported or an outcome."
        ),
        parameters=_arguments(
            {
                "observation": _string("The observation, in one or two sentences."),
                "category": {
                    "type": "string",
                    "default": "note",
                    "description": (
                        "A one-word category such as note, issue, feedback or outcome."
                    ),
                },
            },
            ["observation"],
        ),
        result="A confirmation that the observation is recorded.",
    ),
    BuiltinTool(
        name="end_session",
        description=(
            "End the call. Use it when the user says goodbye or asks to hang up, or when their "
            "request is fully handled and they want nothing else. Do not say anything else: the "
            "goodbye is spoken for you, then the call ends."
        ),
        parameters=_arguments(
            {
                "goodbye": _string(
                    "One short, friendly closing sentence spoken to the user before the end."
                )
            },
            ["goodbye"],
        ),
        result="Nothing: the goodbye is the last thing the user hears.",
    ),
    BuiltinTool(
        name="open_url",
        description="Open a web page for the user in their browser.",
        parameters=_arguments(
            {
                "url": _string("The full http or https address to open."),
                "new_tab": {
                    "type": "boolean",
                    "default": True,
                    "description": (
                        "Open it in a new tab (true) or replace the current page (false)."
                    ),
                },
            },
            ["url"],
        ),
        result="A confirmation that the page was opened for the user.",
    ),
    BuiltinTool(
        name="share_notes",
        description=(
            "Send the user a Markdown document you write (a summary, notes, steps, a "
            "checklist): it appears in their page as a file they can download and keep. Use it "
            "when the user asks for something written to take away."
        ),
        parameters=_arguments(
            {
                "title": _string("A short title; it also names the file."),
                "content": _string("The whole document in Markdown, at most 50,000 characters."),
            },
            ["title", "content"],
        ),
        result="The name and size of the file the user received.",
    ),
    BuiltinTool(
        name="show_toast",
        description=(
            "Show a short notification on the user's screen, for something they should be able "
            "to read again (a code, a date, a confirmation)."
        ),
        parameters=_arguments(
            {
                "message": _string("The text to show, at most 300 characters."),
                "level": {
                    "type": "string",
                    "enum": ["info", "success", "warning", "error"],
                    "default": "info",
                    "description": "How it is styled: info, success, warning or error.",
                },
            },
            ["message"],
        ),
        result="A confirmation that the notification is shown.",
    ),
)
BUILTIN_TOOLS_BY_NAME: dict[str, BuiltinTool] = {t.name: t for t in BUILTIN_TOOLS}

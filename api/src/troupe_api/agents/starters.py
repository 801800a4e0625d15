"""Built-in starter agents (``GET /agent-templates``): sensible definitions a customer edits
instead of starting from an empty form. Offline providers so they run on a fresh install."""

from __future__ import annotations

from troupe_api.agents.schemas import AgentBody, StarterTemplate

STARTERS: tuple[StarterTemplate, ...] = (
    StarterTemplate(
        id="receptionist",
        label="Receptionist",
        description="Greets visitors, finds out what they need and routes them.",
        agent=AgentBody(
            name="Receptionist",
            instructions=(
                "You are the friendly receptionist. Greet the user, find out what they need in "
                "one or two short questions and answer simple questions yourself. Keep every "
                "reply to one or two short spoken sentences."
            ),
            greeting="Hi! How can I help you today?",
            voice="joe",
            tools=["show_toast", "log_observation"],
        ),
    ),
    StarterTemplate(
        id="tutor",
        label="Tutor",
        description="Explains a topic step by step, checking understanding with questions.",
        agent=AgentBody(
            name="Tutor",
            instructions=(
                "You are a patient tutor. Find out what the learner already knows, explain one "
                "idea at a time, use the whiteboard or slides when a picture helps, and ask a "
                "short question to check understanding before moving on."
            ),
            greeting="Hello! What would you like to learn today?",
            voice="joe",
            tools=["search_knowledge_base", "request_camera"],
            modalities=["camera"],
            panels=["whiteboard", "slides", "notepad"],
            vision={"enabled": True},
        ),
    ),
    StarterTemplate(
        id="code_reviewer",
        label="Code reviewer",
        description="Reviews code in the editor or on a shared screen and suggests fixes.",
        agent=AgentBody(
            name="Code Reviewer",
            instructions=(
                "You are a senior engineer reviewing code with the user. Read the code editor "
                "or the shared screen, point out bugs and risky patterns first, then style. Be "
                "concrete: name the line and the fix."
            ),
            greeting="Hi, share your screen or paste code into the editor and I'll review it.",
            voice="joe",
            tools=["request_screen_share", "log_observation"],
            modalities=["screen"],
            panels=["code", "notepad"],
            vision={"enabled": True, "detail": "high"},
        ),
    ),
    StarterTemplate(
        id="sales_demo",
        label="Sales demo",
        description="Presents the product with slides and answers questions about it.",
        agent=AgentBody(
            name="Sales Demo",
            instructions=(
                "You present the product to a prospect. Walk through the slides, tailor the "
                "pitch to what the prospect tells you, answer questions honestly and offer to "
                "open the pricing page when asked about cost."
            ),
            greeting="Hi! Thanks for your interest. Shall I walk you through a quick demo?",
            voice="joe",
            tools=["open_url", "show_toast", "search_knowledge_base"],
            panels=["slides", "document"],
        ),
    ),
)
STARTERS_BY_ID = {s.id: s for s in STARTERS}

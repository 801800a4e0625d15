"""Readable text of a simulation result (CLI summary, JUnit system-out)."""

from troupe_contracts.simulation import CriterionStatus, SimulationResult

MARKS = {
    CriterionStatus.PASSED: "PASS",
    CriterionStatus.FAILED: "FAIL",
    CriterionStatus.SKIPPED: "SKIP",
}


def transcript_text(result: SimulationResult) -> str:
    lines: list[str] = []
    for turn in result.turns:
        latency = f"  ({turn.latency_ms:.0f} ms)" if turn.latency_ms is not None else ""
        if turn.user_text is not None:
            lines.append(f"[{turn.index}] user: {turn.user_text}{latency}")
        else:
            lines.append(f"[{turn.index}] (the agents open the conversation)")
        for call in turn.tool_calls:
            flag = " (mocked)" if call.mocked else ""
            state = "error" if call.is_error else "ok"
            lines.append(
                f"    {call.agent} → {call.name}{flag} {call.arguments}: {state} {call.output[:160]}"
            )
        for h in turn.handoffs:
            lines.append(f"    handoff {h.from_agent} → {h.to_agent}")
        for reply in turn.replies:
            lines.append(f"    {reply.agent}: {reply.text}")
    return "\n".join(lines)


def summary_text(result: SimulationResult) -> str:
    head = f"{result.verdict.value.upper():7} {result.scenario} ({result.mode.value}, {result.user_turns} turns, {result.duration_ms / 1000:.1f} s)"
    lines = [head]
    if result.error:
        lines.append(f"    error: {result.error}")
    for c in result.criteria:
        lines.append(f"    {MARKS[c.status]} {c.name}: {c.reason}")
    return "\n".join(lines)

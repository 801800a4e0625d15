"""Scenario contracts refuse what a runner could not check."""

import pytest
from pydantic import ValidationError
from troupe_contracts.simulation import (
    HandoffCriterion,
    Scenario,
    ScenarioFile,
    ToolCallCriterion,
    ToolMock,
)


def test_criteria_are_discriminated_by_type() -> None:
    s = Scenario.model_validate(
        {
            "name": "x",
            "criteria": [
                {"type": "handoff", "to_agent": "billing"},
                {"type": "tool_call", "tool": "t", "argument_patterns": {"id": "^A-"}},
            ],
        }
    )
    assert isinstance(s.criteria[0], HandoffCriterion)
    assert isinstance(s.criteria[1], ToolCallCriterion)
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        Scenario.model_validate({"name": "x", "criteria": [{"type": "must_dance"}]})


@pytest.mark.parametrize(
    "criterion",
    [
        {"type": "must_not_say", "pattern": "("},
        {"type": "must_say", "pattern": "[a-"},
        {"type": "tool_call", "tool": "t", "argument_patterns": {"id": "*"}},
    ],
)
def test_invalid_regular_expressions_are_refused(criterion: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        Scenario.model_validate({"name": "x", "criteria": [criterion]})


def test_a_mock_has_exactly_one_of_result_or_error() -> None:
    assert ToolMock(result="ok").error is None
    assert ToolMock(error="down").result is None
    for bad in ({}, {"result": "a", "error": "b"}):
        with pytest.raises(ValidationError, match="exactly one of result or error"):
            ToolMock.model_validate(bad)


def test_turn_limits_and_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Scenario.model_validate({"name": "x", "max_turns": 51})
    with pytest.raises(ValidationError):
        Scenario.model_validate({"name": "x", "user": {"turns": ["hi"] * 51}})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Scenario.model_validate({"name": "x", "critera": []})
    # the CLI's file format adds only an inline config
    assert ScenarioFile.model_validate({"name": "x"}).config is None

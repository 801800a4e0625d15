import pytest
from pydantic import ValidationError
from troupe_contracts.config import SessionVariable, VariableType, scalar_matches
from troupe_contracts.session import SessionStartRequest


def test_start_request_keeps_value_types() -> None:
    body = SessionStartRequest.model_validate_json(
        '{"variables": {"flag": true, "count": 3, "ratio": 2.5, "name": "Ada"}}'
    )
    assert body.variables == {"flag": True, "count": 3, "ratio": 2.5, "name": "Ada"}
    assert isinstance(body.variables["flag"], bool)
    assert isinstance(body.variables["count"], int)


@pytest.mark.parametrize(
    "variables",
    [
        {"Bad-Name": "x"},
        {"long": "x" * 1001},
        {f"v{i}": i for i in range(33)},
        {"obj": {"a": 1}},
    ],
)
def test_start_request_bounds(variables: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SessionStartRequest.model_validate({"variables": variables})


def test_variable_default_must_match_type() -> None:
    assert SessionVariable(name="n", type=VariableType.INTEGER, default=3).default == 3
    with pytest.raises(ValidationError):
        SessionVariable(name="n", type=VariableType.INTEGER, default=True)
    with pytest.raises(ValidationError):
        SessionVariable(name="n", type=VariableType.STRING, default=1)
    with pytest.raises(ValidationError):
        SessionVariable(name="n", required=True, default="x")


def test_scalar_matches_never_takes_bool_for_number() -> None:
    assert scalar_matches(VariableType.NUMBER, 2.5)
    assert scalar_matches(VariableType.NUMBER, 2)
    assert not scalar_matches(VariableType.NUMBER, True)
    assert not scalar_matches(VariableType.INTEGER, 2.5)
    assert scalar_matches(VariableType.BOOLEAN, False)

"""``troupe-api serve``'s uvicorn worker processes: the flag, else TROUPE_API_WORKERS, else 1."""

import pytest
from troupe_api.cli import api_workers


def test_workers_come_from_the_flag_then_the_environment_then_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TROUPE_API_WORKERS", raising=False)
    assert api_workers(None) == 1
    monkeypatch.setenv("TROUPE_API_WORKERS", "3")
    assert api_workers(None) == 3
    assert api_workers(2) == 2
    assert api_workers(0) == 1

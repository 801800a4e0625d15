from collections.abc import Iterator

import pytest

from tests.e2e.support import RESULTS, ApiProcess
from tests.e2e.support import demo as _demo
from tests.localhost import free_port


@pytest.fixture(scope="session")
def demo() -> dict[str, str]:
    return _demo()


@pytest.fixture
def api_process() -> Iterator[ApiProcess]:
    """A second API process for outage tests (see ApiProcess)."""
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    api = ApiProcess(free_port(), logs / "spool-api.log")
    api.start()
    try:
        yield api
    finally:
        api.stop()

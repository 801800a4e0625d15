import pytest

from tests.e2e.support import demo as _demo


@pytest.fixture(scope="session")
def demo() -> dict[str, str]:
    return _demo()

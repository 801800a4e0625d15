from tests.e2e.conftest import demo

__all__ = ["demo"]

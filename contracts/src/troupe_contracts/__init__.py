"""Troupe contracts: every message that crosses a process boundary, defined once.

The browser (web/), the agent runtime (agent/) and the API (api/) all import these models
(TypeScript through the generated files in web/src/contracts/). Never hand-write one of these
shapes, topic names or attribute keys anywhere else.
"""

from troupe_contracts.constants import *  # noqa: F403
from troupe_contracts.constants import __all__ as _constants_all

__all__ = list(_constants_all)

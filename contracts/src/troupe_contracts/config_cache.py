"""Redis keys of the session-config cache, shared by the API and the agent runtime.

``CACHE_VERSION`` is bumped when the cached shape changes, so old entries are ignored.

- ``start`` — a new session's config, written by the API when it starts the session (it has
  just resolved it to check it), read and deleted (``GETDEL``) by the runtime's first job for
  that session: the one read that needs no API call. One use only, so a later dispatch of the
  same session (a restarted job, a replay after the session ended) asks the API, which refuses
  an ended session.
- ``session`` — the config a job of this session loaded, the fallback for a restarted job while
  the API is unreachable.
- ``template`` — the last config served for a template, the fallback for a new session of that
  template while the API is unreachable.
- ``deps`` — for an agent or template id, the set of keys above built from it: a change of that
  agent or template deletes them (the API on the change; runtimes also on the invalidation
  message), so a stale config is never read.
"""

from typing import Final
from uuid import UUID

from troupe_contracts.config import SessionConfig

CACHE_VERSION: Final = 1
PREFIX: Final = f"troupe:config:v{CACHE_VERSION}"
START_TTL_S: Final = 15 * 60
SESSION_TTL_S: Final = 6 * 3600
TEMPLATE_TTL_S: Final = 7 * 24 * 3600


def start_key(session_id: UUID) -> str:
    return f"{PREFIX}:start:{session_id}"


def session_key(session_id: UUID) -> str:
    return f"{PREFIX}:session:{session_id}"


def template_key(template_id: UUID) -> str:
    return f"{PREFIX}:template:{template_id}"


def deps_key(dependency_id: str) -> str:
    return f"{PREFIX}:deps:{dependency_id}"


def dependencies(config: SessionConfig) -> list[str]:
    """The agent and template ids whose change makes a cached copy of ``config`` stale."""
    ids = [str(a.id) for a in config.agents]
    if config.template_id is not None:
        ids.append(str(config.template_id))
    return ids

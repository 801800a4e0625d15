"""Which API routes are rate limited, with which limit: derived from the code (routes that take
the limiter dependency, and the ``settings.rate_limit_*`` values their handlers and the
functions they call use), and kept in docs/security.md. Regenerate the table with
``TROUPE_UPDATE_DOCS=1 uv run pytest tests/deploy/test_rate_limits.py``."""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute, _IncludedRouter
from troupe_api.core.settings import Settings
from troupe_api.deps import get_limiter
from troupe_api.main import create_app

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
START, END = "<!-- rate-limits:start -->", "<!-- rate-limits:end -->"


def _routes() -> Iterator[tuple[str, str, Callable[..., Any], Any]]:
    app = create_app(Settings())
    for r in app.router.routes:
        if isinstance(r, _IncludedRouter):
            for ctx in r.effective_route_contexts():
                route = ctx.original_route
                if isinstance(route, APIRoute):
                    for method in sorted(route.methods):
                        yield method, ctx.path_format, route.endpoint, route.dependant


def _uses_limiter(dependant: Any) -> bool:
    return any(d.call is get_limiter or _uses_limiter(d) for d in dependant.dependencies)


def _limits_used(fn: Callable[..., Any], depth: int = 3, seen: set[Any] | None = None) -> set[str]:
    """``rate_limit_*`` settings read by ``fn`` or by the troupe_api functions it calls."""
    seen = seen if seen is not None else set()
    if fn in seen or depth < 0:
        return set()
    seen.add(fn)
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return set()
    found = set(re.findall(r"\brate_limit_(\w+)", source))
    scope = {**getattr(fn, "__globals__", {})}
    for name in re.findall(r"\b([A-Za-z_][\w.]*)\(", source):
        obj: Any = scope.get(name.split(".")[0])
        for part in name.split(".")[1:]:
            obj = getattr(obj, part, None)
        if callable(obj) and (getattr(obj, "__module__", None) or "").startswith("troupe_api"):
            found |= _limits_used(obj, depth - 1, seen)
    return found


def _limits_for(endpoint: Callable[..., Any], dependant: Any) -> set[str]:
    """Limits of the handler plus those of every dependency (auth dependencies limit per
    principal and per organization) whose own tree takes the limiter."""
    found = _limits_used(endpoint) if _takes_limiter(dependant) else set()
    for d in dependant.dependencies:
        if d.call is not None and (_takes_limiter(d) or _uses_limiter(d)):
            found |= _limits_for(d.call, d)
    return found


def _takes_limiter(dependant: Any) -> bool:
    return any(d.call is get_limiter for d in dependant.dependencies)


def rate_limit_table() -> str:
    fields = Settings.model_fields
    defaults = Settings()
    rows, used = [], set()
    for method, path, endpoint, dependant in _routes():
        limits = sorted(_limits_for(endpoint, dependant)) if _uses_limiter(dependant) else []
        if _uses_limiter(dependant):
            assert limits, f"{method} {path} takes the limiter but no rate_limit_* setting found"
        used |= set(limits)
        cells = ", ".join(f"`{n}`" for n in limits) or "none"
        rows.append(f"| `{method} {path}` | {cells} |")
    legend = ["| limit | default | counted per | variable |", "|---|---|---|---|"]
    for name in sorted(used):
        field = fields[f"rate_limit_{name}"]
        env = field.validation_alias.choices[0]  # type: ignore[union-attr]
        default = getattr(defaults, f"rate_limit_{name}")
        legend.append(f"| `{name}` | `{default}` | {field.description or '-'} | `{env}` |")
    head = ["| route | limits that may apply |", "|---|---|"]
    return "\n".join([START, *legend, "", *head, *rows, END])


def test_rate_limit_table_in_docs_is_current() -> None:
    table = rate_limit_table()
    text = DOC.read_text()
    current = text[text.index(START) : text.index(END) + len(END)]
    if os.environ.get("TROUPE_UPDATE_DOCS") == "1":
        DOC.write_text(text.replace(current, table))
        return
    assert current == table, (
        "docs/security.md rate-limit table is stale; regenerate with "
        "TROUPE_UPDATE_DOCS=1 uv run pytest tests/deploy/test_rate_limits.py"
    )


def test_session_start_and_login_are_limited() -> None:
    table = rate_limit_table()
    rows = {
        line.split(" | ")[0].strip("| `"): line.split(" | ")[1]
        for line in table.splitlines()
        if line.startswith("| `") and " /api/" in line
    }
    assert "`session_start`" in rows["POST /api/v1/sessions"]
    assert "`session_start_org`" in rows["POST /api/v1/sessions"]
    assert "`auth_ip`" in rows["POST /api/v1/auth/login"]
    assert "`auth_email`" in rows["POST /api/v1/auth/login"]
    assert rows["GET /api/v1/healthz"].startswith("none")

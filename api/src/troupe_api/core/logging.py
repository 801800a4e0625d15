"""Structured JSON logging through structlog; stdlib loggers (uvicorn, sqlalchemy) go through
the same renderer. Context (request_id, org_id, session_id, room) is bound with contextvars."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

_configured = False


class _TroupeHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, so reconfiguring replaces it without touching handlers others installed."""


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None) -> None:
    global _configured
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = _TroupeHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    if _configured:
        for h in list(root.handlers):
            if isinstance(h, _TroupeHandler):
                root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # We write one access line per request ourselves (with the request id).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    _configured = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


def bind_context(**values: Any) -> None:
    """Bind ids (org_id, session_id, room) to every log line of the current request."""
    structlog.contextvars.bind_contextvars(
        **{k: str(v) for k, v in values.items() if v is not None}
    )

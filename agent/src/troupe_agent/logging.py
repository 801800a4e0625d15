"""Structured logs: structlog on top of the stdlib logging that livekit-agents configures.

livekit-agents installs its own handler (JSON in ``start`` mode, coloured in ``dev``) in the
worker and forwards job-process records to it. We render structlog events to stdlib
``extra`` fields, so our key/value context (room, session_id, agent) lands in the same JSON
object as livekit's own fields instead of a second log format."""

from typing import Any

import structlog

_configured = False


def configure_logging() -> None:
    """Idempotent: safe to call from the worker and from each job process."""
    global _configured
    if _configured:
        return
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.format_exc_info,
            structlog.stdlib.render_to_log_kwargs,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _configured = True


def get_logger(name: str = "troupe_agent", **context: Any) -> structlog.stdlib.BoundLogger:
    configure_logging()
    log: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return log.bind(**context) if context else log

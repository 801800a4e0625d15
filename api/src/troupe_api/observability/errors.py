"""Optional error reporting to any Sentry-compatible endpoint, off unless ``SENTRY_DSN`` is set.

Nothing personal or secret leaves: ``send_default_pii=False`` drops cookies, client addresses
and user ids, and local variables of stack frames are not sent (Sentry sends them by default;
ours hold the raw ASGI scope with its ``Authorization`` header, passwords and tokens). Request
bodies are never attached."""

from __future__ import annotations

from troupe_api.core.logging import get_logger
from troupe_api.observability.settings import ObservabilitySettings

log = get_logger(__name__)


def init_sentry(settings: ObservabilitySettings) -> bool:
    if settings.sentry_dsn is None:
        return False
    try:
        import sentry_sdk
    except ImportError:
        log.warning(
            "sentry_disabled", reason="SENTRY_DSN is set; install with: uv pip install sentry-sdk"
        )
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.sentry_environment,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
    )
    return True

"""Optional error reporting to any Sentry-compatible endpoint, off unless ``SENTRY_DSN`` is set.
``sentry-sdk`` is not a default dependency: install it in the image to use this."""

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
    )
    return True

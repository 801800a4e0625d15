"""Operational signals of the API: Prometheus metrics, security headers, optional OpenTelemetry
tracing and optional Sentry. ``install(app)`` is the only hook the app factory calls; everything
else is configured from the environment (see docs/observability.md)."""

from __future__ import annotations

from fastapi import FastAPI

from troupe_api.observability.errors import init_sentry
from troupe_api.observability.metrics import MetricsMiddleware, metrics_endpoint
from troupe_api.observability.security import SecurityHeadersMiddleware
from troupe_api.observability.settings import ObservabilitySettings
from troupe_api.observability.tracing import TracingMiddleware, current_trace_context, init_tracing


def install(app: FastAPI, settings: ObservabilitySettings | None = None) -> None:
    """Add the middleware and the ``/metrics`` route. Call after the app's own middleware so
    these wrap it (outermost): their timings and headers then cover error responses too."""
    settings = settings or ObservabilitySettings()
    app.state.observability = settings
    init_sentry(settings)
    if init_tracing(settings, service_name=settings.otel_service_name or "troupe-api"):
        app.add_middleware(TracingMiddleware)
    if settings.security_headers:
        app.add_middleware(
            SecurityHeadersMiddleware,
            hsts_max_age_s=settings.hsts_max_age_s,
            force_hsts=settings.force_hsts,
        )
    if settings.metrics_enabled:
        app.add_middleware(MetricsMiddleware)
        app.add_api_route(
            settings.metrics_path,
            metrics_endpoint(settings),
            methods=["GET"],
            include_in_schema=False,
        )


__all__ = ["ObservabilitySettings", "current_trace_context", "install"]

"""Settings of the observability hooks, read from the environment only (they are operator
switches, not application configuration)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ObservabilitySettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    metrics_enabled: bool = Field(default=True, validation_alias=_env("TROUPE_METRICS_ENABLED"))
    metrics_path: str = Field(default="/metrics", validation_alias=_env("TROUPE_METRICS_PATH"))
    metrics_token: SecretStr | None = Field(
        default=None,
        validation_alias=_env("TROUPE_METRICS_TOKEN"),
        description="When set, /metrics requires `Authorization: Bearer <token>`.",
    )
    security_headers: bool = Field(default=True, validation_alias=_env("TROUPE_SECURITY_HEADERS"))
    hsts_max_age_s: int = Field(default=63072000, validation_alias=_env("TROUPE_HSTS_MAX_AGE"))
    force_hsts: bool = Field(
        default=False,
        validation_alias=_env("TROUPE_FORCE_HSTS"),
        description="Send HSTS even when the request arrived over plain HTTP (TLS terminated "
        "by a proxy that does not send X-Forwarded-Proto).",
    )
    otel_endpoint: str | None = Field(
        default=None, validation_alias=_env("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    otel_service_name: str | None = Field(default=None, validation_alias=_env("OTEL_SERVICE_NAME"))
    sentry_dsn: SecretStr | None = Field(default=None, validation_alias=_env("SENTRY_DSN"))
    sentry_environment: str | None = Field(
        default=None, validation_alias=_env("SENTRY_ENVIRONMENT")
    )
    sentry_traces_sample_rate: float = Field(
        default=0.0, validation_alias=_env("SENTRY_TRACES_SAMPLE_RATE")
    )

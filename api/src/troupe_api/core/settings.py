"""The one Settings object of the API, read from the environment (and ``.env``).

Outside production any value works so a fresh checkout starts; in production the API refuses
to start with a missing, default or short secret.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "change-me"
MIN_SECRET_LENGTH = 32
MIN_API_KEY_LENGTH = 10
MIN_DEMO_PASSWORD_LENGTH = 12


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=os.environ.get("TROUPE_ENV_FILE", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    env: Literal["development", "test", "production"] = Field(
        default="development", validation_alias=_env("TROUPE_ENV")
    )

    database_url: str = Field(
        default="postgresql+asyncpg://troupe:troupe@127.0.0.1:5544/troupe",
        validation_alias=_env("DATABASE_URL"),
    )
    db_pool_size: int = Field(default=10, ge=1, validation_alias=_env("TROUPE_DB_POOL_SIZE"))
    db_max_overflow: int = Field(default=20, ge=0, validation_alias=_env("TROUPE_DB_MAX_OVERFLOW"))
    db_pool_timeout_s: float = Field(
        default=10.0, gt=0, validation_alias=_env("TROUPE_DB_POOL_TIMEOUT")
    )
    db_pool_recycle_s: int = Field(default=1800, validation_alias=_env("TROUPE_DB_POOL_RECYCLE"))
    db_connect_retries: int = Field(
        default=30, ge=1, validation_alias=_env("TROUPE_DB_CONNECT_RETRIES")
    )

    redis_url: str = Field(default="redis://127.0.0.1:6399/0", validation_alias=_env("REDIS_URL"))

    livekit_url: str = Field(default="ws://127.0.0.1:7880", validation_alias=_env("LIVEKIT_URL"))
    livekit_api_url: str | None = Field(
        default=None,
        validation_alias=_env("LIVEKIT_API_URL"),
        description="URL the API itself uses for LiveKit server calls; LIVEKIT_URL when unset.",
    )
    livekit_api_key: str = Field(default=DEFAULT_SECRET, validation_alias=_env("LIVEKIT_API_KEY"))
    livekit_api_secret: str = Field(
        default=DEFAULT_SECRET, validation_alias=_env("LIVEKIT_API_SECRET")
    )
    livekit_token_ttl_s: int = Field(
        default=900, ge=60, le=6 * 3600, validation_alias=_env("TROUPE_LIVEKIT_TOKEN_TTL_S")
    )
    livekit_token_refresh_grace_s: int = Field(
        default=300,
        ge=0,
        validation_alias=_env("TROUPE_LIVEKIT_TOKEN_REFRESH_GRACE_S"),
        description="Seconds after expiry a participant token may still refresh itself.",
    )

    api_url: str = Field(default="http://127.0.0.1:8000", validation_alias=_env("TROUPE_API_URL"))
    api_port: int = Field(default=8000, validation_alias=_env("TROUPE_API_PORT"))
    web_url: str = Field(default="http://127.0.0.1:3000", validation_alias=_env("TROUPE_WEB_URL"))
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("TROUPE_CORS_ORIGINS")
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", validation_alias=_env("TROUPE_FORWARDED_ALLOW_IPS")
    )

    jwt_secret: str = Field(default=DEFAULT_SECRET, validation_alias=_env("TROUPE_JWT_SECRET"))
    runtime_token: str = Field(
        default=DEFAULT_SECRET, validation_alias=_env("TROUPE_RUNTIME_TOKEN")
    )
    encryption_key: str = Field(
        default=DEFAULT_SECRET, validation_alias=_env("TROUPE_ENCRYPTION_KEY")
    )

    demo_email: str = Field(
        default="admin@demo.troupe.local", validation_alias=_env("TROUPE_DEMO_EMAIL")
    )
    demo_password: str = Field(
        default=DEFAULT_SECRET, validation_alias=_env("TROUPE_DEMO_PASSWORD")
    )
    enable_test_providers: bool = Field(
        default=False, validation_alias=_env("TROUPE_ENABLE_TEST_PROVIDERS")
    )

    rate_limit_session_start: str = Field(
        default="10/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_SESSION_START"),
        description="Session starts per end user (end_user_id, else address) per deployment.",
    )
    rate_limit_session_start_org: str = Field(
        default="600/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_SESSION_START_ORG"),
        description="Session starts per organization.",
    )
    rate_limit_prefix: str = Field(
        default="troupe:rl", validation_alias=_env("TROUPE_RATE_LIMIT_PREFIX")
    )

    readiness_timeout_s: float = Field(
        default=2.0, gt=0, validation_alias=_env("TROUPE_READINESS_TIMEOUT_S")
    )
    log_level: str = Field(default="INFO", validation_alias=_env("TROUPE_LOG_LEVEL"))

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    @field_validator("enable_test_providers", mode="before")
    @classmethod
    def _empty_is_false(cls, value: object) -> object:
        return False if value == "" else value

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Settings:
        if self.env != "production":
            return self
        problems = [
            f"{name} {why}"
            for name, value, minimum in (
                ("LIVEKIT_API_KEY", self.livekit_api_key, MIN_API_KEY_LENGTH),
                ("LIVEKIT_API_SECRET", self.livekit_api_secret, MIN_SECRET_LENGTH),
                ("TROUPE_JWT_SECRET", self.jwt_secret, MIN_SECRET_LENGTH),
                ("TROUPE_RUNTIME_TOKEN", self.runtime_token, MIN_SECRET_LENGTH),
                ("TROUPE_ENCRYPTION_KEY", self.encryption_key, MIN_SECRET_LENGTH),
            )
            if (why := _secret_problem(value, minimum))
        ]
        # An empty demo password means "no demo user" in production; a set one must be strong.
        if self.demo_password and (
            why := _secret_problem(self.demo_password, MIN_DEMO_PASSWORD_LENGTH)
        ):
            problems.append(f"TROUPE_DEMO_PASSWORD {why}")
        if self.enable_test_providers:
            problems.append("TROUPE_ENABLE_TEST_PROVIDERS must be false")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def livekit_server_url(self) -> str:
        return self.livekit_api_url or self.livekit_url

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def embed_origins(self) -> list[str]:
        """Origins the seeded demo deployments accept: the web app and the CORS list."""
        origins = [self.web_url.rstrip("/"), *self.cors_origins]
        return list(dict.fromkeys(origins))


def _secret_problem(value: str, minimum: int) -> str | None:
    if not value:
        return "is missing"
    if value == DEFAULT_SECRET:
        return "still has the default value"
    if len(value) < minimum:
        return f"is shorter than {minimum} characters"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()

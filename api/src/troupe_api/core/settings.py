"""The one Settings object of the API, read from the environment (and ``.env``).

Outside production any value works so a fresh checkout starts; in production the API refuses
to start with a missing, default or short secret.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "change-me"
MIN_SECRET_LENGTH = 32
MIN_API_KEY_LENGTH = 10
MIN_DEMO_PASSWORD_LENGTH = 12


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class JwtKey(BaseModel):
    """One key of the access-token keyring. Retired keys no longer verify."""

    kid: str = Field(min_length=1, max_length=64)
    alg: Literal["HS256", "ES256", "RS256"]
    secret: str | None = None
    private_key: str | None = None
    public_key: str | None = None
    retired: bool = False

    @model_validator(mode="after")
    def _material(self) -> JwtKey:
        if self.alg == "HS256" and not self.secret:
            raise ValueError(f"jwt key {self.kid}: HS256 needs a secret")
        if self.alg != "HS256" and not self.public_key:
            raise ValueError(f"jwt key {self.kid}: {self.alg} needs a public_key")
        return self


class OAuthProvider(BaseModel):
    """An OAuth2 provider. ``google`` and ``github`` fill in their well-known endpoints."""

    client_id: str
    client_secret: str
    authorize_url: str = ""
    token_url: str = ""
    userinfo_url: str = ""
    emails_url: str = Field(default="", description="GitHub: where verified emails are listed.")
    scope: str = ""


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
    livekit_webhook_max_age_s: int = Field(
        default=600,
        ge=1,
        validation_alias=_env("TROUPE_LIVEKIT_WEBHOOK_MAX_AGE_S"),
        description="LiveKit webhook events whose own createdAt is older than this (or this "
        "far in the future) are refused, so a captured event cannot be replayed later.",
    )
    session_user_left_grace_s: float = Field(
        default=10.0,
        ge=0,
        validation_alias=_env("TROUPE_SESSION_USER_LEFT_GRACE_S"),
        description="Seconds after the end user leaves the room (a closed tab) before the "
        "session ends, unless they came back.",
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
        default="admin@demo.troupe.dev", validation_alias=_env("TROUPE_DEMO_EMAIL")
    )
    demo_password: str = Field(
        default=DEFAULT_SECRET, validation_alias=_env("TROUPE_DEMO_PASSWORD")
    )
    enable_test_providers: bool = Field(
        default=False, validation_alias=_env("TROUPE_ENABLE_TEST_PROVIDERS")
    )
    encryption_keys_previous: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("TROUPE_ENCRYPTION_KEYS_PREVIOUS"),
        description="Comma-separated former TROUPE_ENCRYPTION_KEY values, still accepted for "
        "decryption while `troupe-api rotate-secrets` re-encrypts with the current key.",
    )
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("TROUPE_WEBHOOK_ALLOWED_HOSTS"),
        description="Comma-separated host names webhook dry-runs and customer webhook "
        "deliveries may call even though they "
        "resolve to private, loopback or link-local addresses.",
    )
    openai_api_key: str = Field(default="", validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str = Field(default="", validation_alias=_env("OPENAI_BASE_URL"))
    analysis_extractor: Literal["auto", "rules", "llm"] = Field(
        default="auto",
        validation_alias=_env("TROUPE_ANALYSIS_EXTRACTOR"),
        description="Post-session field extraction: `rules` (offline, deterministic), `llm` "
        "(OpenAI-compatible structured output), `auto` = `llm` when OPENAI_API_KEY is set.",
    )
    analysis_model: str = Field(
        default="gpt-4.1-mini", validation_alias=_env("TROUPE_ANALYSIS_MODEL")
    )
    webhook_delivery_max_attempts: int = Field(
        default=8, ge=1, validation_alias=_env("TROUPE_WEBHOOK_DELIVERY_MAX_ATTEMPTS")
    )
    webhook_delivery_backoff_s: float = Field(
        default=30.0,
        gt=0,
        validation_alias=_env("TROUPE_WEBHOOK_DELIVERY_BACKOFF_S"),
        description="Customer webhook retries wait backoff * 2^(attempt-1) seconds.",
    )
    config_environment: Literal["dev", "staging", "production"] | None = Field(
        default=None,
        validation_alias=_env("TROUPE_CONFIG_ENVIRONMENT"),
        description="Which session-template environment override the runtime config applies; "
        "`production` when TROUPE_ENV is production, else `dev`.",
    )

    rate_limit_session_start: str = Field(
        default="10/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_SESSION_START"),
        description="Session starts per client address per deployment (behind the proxies "
        "TROUPE_FORWARDED_ALLOW_IPS trusts); server-side starts: per API key and end_user_id.",
    )
    rate_limit_session_start_deployment: str = Field(
        default="120/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_SESSION_START_DEPLOYMENT"),
        description="Session starts per deployment (all its visitors together).",
    )
    rate_limit_session_start_org: str = Field(
        default="600/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_SESSION_START_ORG"),
        description="Session starts per organization.",
    )
    rate_limit_voice_preview: str = Field(
        default="20/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_VOICE_PREVIEW"),
        description="Voice previews rendered per signed-in user.",
    )
    rate_limit_prefix: str = Field(
        default="troupe:rl", validation_alias=_env("TROUPE_RATE_LIMIT_PREFIX")
    )

    # --- auth ---------------------------------------------------------------------------------
    jwt_issuer: str = Field(default="troupe-api", validation_alias=_env("TROUPE_JWT_ISSUER"))
    jwt_audience: str = Field(default="troupe", validation_alias=_env("TROUPE_JWT_AUDIENCE"))
    jwt_keys: Annotated[list[JwtKey], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("TROUPE_JWT_KEYS"),
        description=(
            "JSON list of signing keys {kid, alg: HS256|ES256|RS256, secret | private_key + "
            "public_key (PEM), retired}. Empty: HS256 with TROUPE_JWT_SECRET, kid 'default'."
        ),
    )
    jwt_active_kid: str | None = Field(
        default=None,
        validation_alias=_env("TROUPE_JWT_ACTIVE_KID"),
        description="kid that signs new tokens; the first non-retired key when unset.",
    )
    access_token_ttl_s: int = Field(
        default=900, ge=60, le=3600, validation_alias=_env("TROUPE_ACCESS_TOKEN_TTL_S")
    )
    refresh_token_ttl_s: int = Field(
        default=30 * 86400, ge=3600, validation_alias=_env("TROUPE_REFRESH_TOKEN_TTL_S")
    )
    invitation_ttl_s: int = Field(
        default=7 * 86400, ge=3600, validation_alias=_env("TROUPE_INVITATION_TTL_S")
    )
    cookie_secure: bool | None = Field(
        default=None,
        validation_alias=_env("TROUPE_COOKIE_SECURE"),
        description="Secure flag on auth cookies; default: on except in development and test.",
    )
    oauth_providers: Annotated[dict[str, OAuthProvider], NoDecode] = Field(
        default_factory=dict,
        validation_alias=_env("TROUPE_OAUTH_PROVIDERS"),
        description=(
            "JSON object name -> {client_id, client_secret, authorize_url, token_url, "
            "userinfo_url, scope}; 'google' and 'github' get their endpoints filled in."
        ),
    )
    platform_admin_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("TROUPE_PLATFORM_ADMIN_EMAILS"),
        description=(
            "Comma-separated emails of the platform's operators: only they may set an "
            "organization's plan and trial (/platform/... routes; the CLI needs no account)."
        ),
    )
    trial_days: int = Field(
        default=14,
        ge=0,
        le=365,
        validation_alias=_env("TROUPE_TRIAL_DAYS"),
        description=(
            "A new self-registered organization starts on the trial plan for this many days; "
            "0: it starts on the free plan with no trial."
        ),
    )
    rate_limit_user: str = Field(
        default="600/minute", validation_alias=_env("TROUPE_RATE_LIMIT_USER")
    )
    rate_limit_api_key: str = Field(
        default="600/minute", validation_alias=_env("TROUPE_RATE_LIMIT_API_KEY")
    )
    rate_limit_org: str = Field(
        default="3000/minute", validation_alias=_env("TROUPE_RATE_LIMIT_ORG")
    )
    rate_limit_auth_ip: str = Field(
        default="30/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_AUTH_IP"),
        description="Login, register and refresh attempts per client address.",
    )
    rate_limit_auth_email: str = Field(
        default="10/minute",
        validation_alias=_env("TROUPE_RATE_LIMIT_AUTH_EMAIL"),
        description="Login and register attempts per email address.",
    )
    rate_limit_email_verification: str = Field(
        default="5/hour",
        validation_alias=_env("TROUPE_RATE_LIMIT_EMAIL_VERIFICATION"),
        description="Verification e-mails a signed-in user may ask to be sent again.",
    )

    # --- files (recordings) ---------------------------------------------------------------
    data_dir: Path = Field(
        default=Path(".data/dev"),
        validation_alias=_env("TROUPE_DATA_DIR"),
        description="Local data folder; the default file store lives in <data_dir>/storage.",
    )
    mailbox_dir: Path | None = Field(
        default=None,
        validation_alias=_env("TROUPE_MAILBOX_DIR"),
        description="Without TROUPE_SMTP_HOST, outgoing email (confirmation links, invitations, "
        "alerts) is written here as .eml files, one a message, and logged; default "
        "<data_dir>/mailbox.",
    )
    smtp_host: str = Field(
        default="",
        validation_alias=_env("TROUPE_SMTP_HOST"),
        description="SMTP server for outgoing email; empty = the development mailbox "
        "(TROUPE_MAILBOX_DIR). Set, every message is stored and sent by the job worker, "
        "retried with backoff.",
    )
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        validation_alias=_env("TROUPE_SMTP_PORT"),
        description="SMTP port; default 587 with starttls, 465 with tls, 25 with none.",
    )
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        validation_alias=_env("TROUPE_SMTP_TLS"),
        description="starttls = upgrade a plain connection (required), tls = TLS from the first "
        "byte (SMTPS), none = no encryption (a relay on the same host only).",
    )
    smtp_user: str = Field(
        default="",
        validation_alias=_env("TROUPE_SMTP_USER"),
        description="SMTP login; empty = no authentication.",
    )
    smtp_password: str = Field(
        default="", validation_alias=_env("TROUPE_SMTP_PASSWORD"), description="SMTP password."
    )
    smtp_ca_file: Path | None = Field(
        default=None,
        validation_alias=_env("TROUPE_SMTP_CA_FILE"),
        description="PEM file of the CAs that sign the SMTP server's certificate; default the "
        "system's.",
    )
    smtp_timeout_s: float = Field(
        default=20.0,
        gt=0,
        validation_alias=_env("TROUPE_SMTP_TIMEOUT_S"),
        description="Seconds one SMTP conversation may take.",
    )
    mail_from: str = Field(
        default="Troupe <no-reply@troupe.invalid>",
        validation_alias=_env("TROUPE_MAIL_FROM"),
        description="The From address of outgoing email.",
    )
    storage_url: str = Field(
        default="",
        validation_alias=_env("TROUPE_STORAGE_URL"),
        description="Where files go: empty = local filesystem under TROUPE_DATA_DIR/storage, "
        "file:///abs/path = that folder, s3://bucket[/prefix] = any S3-compatible store.",
    )
    storage_s3_endpoint: str = Field(
        default="",
        validation_alias=_env("TROUPE_STORAGE_S3_ENDPOINT"),
        description="Endpoint of an S3-compatible store (MinIO, R2, ...); empty = AWS.",
    )
    storage_s3_region: str = Field(
        default="us-east-1", validation_alias=_env("TROUPE_STORAGE_S3_REGION")
    )
    storage_s3_access_key_id: str = Field(
        default="", validation_alias=_env("TROUPE_STORAGE_S3_ACCESS_KEY_ID")
    )
    storage_s3_secret_access_key: str = Field(
        default="", validation_alias=_env("TROUPE_STORAGE_S3_SECRET_ACCESS_KEY")
    )
    recording_url_ttl_s: int = Field(
        default=300,
        ge=10,
        le=24 * 3600,
        validation_alias=_env("TROUPE_RECORDING_URL_TTL_S"),
        description="Lifetime of signed recording download URLs.",
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

    @field_validator("jwt_keys", "oauth_providers", mode="before")
    @classmethod
    def _parse_json(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else None
        return value

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator(
        "encryption_keys_previous", "webhook_allowed_hosts", "platform_admin_emails", mode="before"
    )
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("config_environment", mode="before")
    @classmethod
    def _empty_environment_is_none(cls, value: object) -> object:
        return None if value == "" else value

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
                *(
                    [("TROUPE_JWT_SECRET", self.jwt_secret, MIN_SECRET_LENGTH)]
                    if not self.jwt_keys
                    else [
                        (f"TROUPE_JWT_KEYS[{k.kid}].secret", k.secret, MIN_SECRET_LENGTH)
                        for k in self.jwt_keys
                        if k.alg == "HS256" and k.secret is not None
                    ]
                ),
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
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.env not in ("development", "test")

    @property
    def effective_config_environment(self) -> str:
        """The template environment override that runtime configs apply."""
        if self.config_environment:
            return self.config_environment
        return "production" if self.env == "production" else "dev"

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

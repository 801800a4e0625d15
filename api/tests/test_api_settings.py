from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError
from troupe_api.core.settings import Settings

STRONG = {
    "LIVEKIT_API_KEY": "APIkey" + secrets.token_hex(8),
    "LIVEKIT_API_SECRET": secrets.token_urlsafe(32),
    "TROUPE_JWT_SECRET": secrets.token_urlsafe(32),
    "TROUPE_RUNTIME_TOKEN": secrets.token_urlsafe(32),
    "TROUPE_ENCRYPTION_KEY": secrets.token_urlsafe(32),
    "TROUPE_DEMO_PASSWORD": secrets.token_urlsafe(16),
    "TROUPE_ENABLE_TEST_PROVIDERS": "false",
}


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for key, value in {**STRONG, "TROUPE_ENV": "production", **env}.items():
        monkeypatch.setenv(key, value)
    return Settings(_env_file=None)


def test_production_accepts_strong_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings(monkeypatch).is_production


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TROUPE_JWT_SECRET", "change-me"),
        ("TROUPE_RUNTIME_TOKEN", ""),
        ("TROUPE_ENCRYPTION_KEY", "short"),
        ("LIVEKIT_API_SECRET", "change-me"),
        ("LIVEKIT_API_KEY", "key"),
        ("TROUPE_DEMO_PASSWORD", "change-me"),
        ("TROUPE_ENABLE_TEST_PROVIDERS", "true"),
    ],
)
def test_production_refuses_weak_secrets(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    with pytest.raises(ValidationError, match=name):
        _settings(monkeypatch, **{name: value})


def test_development_allows_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, TROUPE_ENV="development", TROUPE_JWT_SECRET="change-me")
    assert settings.jwt_secret == "change-me"


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch,
        TROUPE_CORS_ORIGINS="http://a.test:3000/, http://b.test",
        TROUPE_WEB_URL="http://w.test",
    )
    assert settings.cors_origins == ["http://a.test:3000", "http://b.test"]
    assert settings.embed_origins == ["http://w.test", "http://a.test:3000", "http://b.test"]

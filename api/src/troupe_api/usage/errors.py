"""Usage and plan errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import NotFound, RateLimited, TroupeError


class PriceNotFound(NotFound):
    code = "price_not_found"
    default_message = "Price override not found."


class QuotaSessionsPerDay(RateLimited):
    code = "quota_sessions_per_day"
    default_message = "The organization has started as many sessions today as its plan allows."


class QuotaConcurrentSessions(RateLimited):
    code = "quota_concurrent_sessions"
    default_message = "The organization has as many sessions running as its plan allows."


class TrialExpired(TroupeError):
    status_code = 402
    code = "trial_expired"
    default_message = "The organization's trial has ended; choose a plan to start sessions."

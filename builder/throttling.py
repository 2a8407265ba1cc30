"""Pure policies against guessing and flooding: sign-in cooldowns and per-client rate limits.

Failed sign-ins are counted per typed username — whether the account exists or not, so the
cooldown itself does not reveal which usernames exist. After ``FREE_FAILURES`` failures in a window
the next attempts wait a cooldown that doubles per further failure, capped at ``MAX_COOLDOWN``:
never a permanent lockout an attacker could use to keep staff out (OWASP ASVS 5.0 §6.3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from builder.ports import ThrottleRecord

FREE_FAILURES = 5
WINDOW = timedelta(minutes=15)
FIRST_COOLDOWN = timedelta(minutes=1)
MAX_COOLDOWN = timedelta(minutes=15)


def throttle_key(username: str) -> str:
    """The same key for "Roads", " roads" and "roads"; at most the column's 64 characters."""
    return username.strip().lower()[:64]


def username_fingerprint(key: str) -> str:
    """What the append-only audit log keeps of a typed username: the first 12 hex digits of the
    SHA-256 of its throttle key. What is typed as a username is sometimes a password typed in the wrong
    field, and the log can never be cleaned; an administrator who suspects an account can still match
    it (``sha256("roads")``, lower-case and trimmed, starts with the same 12 digits)."""
    return hashlib.sha256(throttle_key(key).encode()).hexdigest()[:12]


def wait_left(record: ThrottleRecord | None, now: datetime) -> timedelta | None:
    """How long sign-ins for this username must still wait, or None when they may proceed."""
    if record is None or record.blocked_until is None or record.blocked_until <= now:
        return None
    return record.blocked_until - now


def after_failure(record: ThrottleRecord | None, key: str, now: datetime) -> ThrottleRecord:
    """The throttle state after one more failed sign-in."""
    if record is None or throttle_is_over(record, now):
        record = ThrottleRecord(key, 0, now)
    failures = record.failures + 1
    blocked_until = None
    if failures >= FREE_FAILURES:
        cooldown = min(FIRST_COOLDOWN * 2 ** (failures - FREE_FAILURES), MAX_COOLDOWN)
        blocked_until = now + cooldown
    return ThrottleRecord(key, failures, record.window_started_at, blocked_until)


def minutes_text(wait: timedelta) -> str:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@dataclass(frozen=True)
class RateRule:
    """At most ``limit`` events per ``period`` for one client, counted in fixed windows."""

    kind: str
    limit: int
    period: timedelta

    def window(self, now: datetime) -> str:
        """The window's name, e.g. ``submit:29401234`` (the period's index since the epoch)."""
        return f"{self.kind}:{int(now.timestamp() // self.period.total_seconds())}"

    def time_left(self, now: datetime) -> timedelta:
        """How long until the current window ends and the client's count starts again from zero."""
        seconds = self.period.total_seconds()
        return timedelta(seconds=seconds - now.timestamp() % seconds)


# A household or a city-hall kiosk behind one address stays well below these; a script does not.
ANONYMOUS_SUBMISSIONS = RateRule("submit", 20, timedelta(hours=1))
SIGNED_IN_SUBMISSIONS = RateRule("submit-user", 60, timedelta(hours=1))
TRACKING_LOOKUPS = RateRule("track", 30, timedelta(minutes=10))
# Every chosen file is stored at once (before the request is sent): a few files per request, retries
# and replaced photos included, stay well below this; filling the database with uploads does not.
FILE_UPLOADS = RateRule("upload", 30, timedelta(hours=1))
RATE_RULES = {rule.kind: rule for rule in (ANONYMOUS_SUBMISSIONS, SIGNED_IN_SUBMISSIONS, TRACKING_LOOKUPS,
                                           FILE_UPLOADS)}


def window_is_over(window: str, now: datetime) -> bool:
    """Whether a counter's window (``kind:index``) has ended, so its row only takes up space."""
    kind, _, index = window.rpartition(":")
    rule = RATE_RULES.get(kind)
    if rule is None or not index.isdigit():
        return True  # a rule that no longer exists counts nothing
    return (int(index) + 1) * rule.period.total_seconds() <= now.timestamp()


def throttle_is_over(record: ThrottleRecord, now: datetime) -> bool:
    """A sign-in throttle row that no longer blocks or counts anything."""
    quiet_since = record.blocked_until or record.window_started_at
    return now - record.window_started_at > WINDOW and now - quiet_since > WINDOW


def after_success(key: str, now: datetime) -> ThrottleRecord:
    """A successful sign-in starts a fresh window."""
    return ThrottleRecord(key, 0, now)


# Self-registration of resident accounts, per client: every well-formed attempt counts (a created account
# or a taken username), so creating accounts in bulk or probing which usernames exist is slowed, while
# a household or a city-hall kiosk registering a few residents an hour is not refused.
REGISTRATIONS = RateRule("register", 10, timedelta(hours=1))
RATE_RULES[REGISTRATIONS.kind] = REGISTRATIONS

"""Sign-in records do not pile up: the daily purge forgets expired sessions and idle throttle counters,
and keeps everything that still protects someone (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from builder.throttling import TRACKING_LOOKUPS
from storage import retention
from storage.models import AuthSession, LoginThrottle, RateLimit

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _rows(engine: Engine) -> tuple[list[str], list[str], list[str]]:
    with Session(engine) as session:
        return (sorted(s.id for s in session.exec(select(AuthSession))),
                sorted(t.username for t in session.exec(select(LoginThrottle))),
                sorted(r.window for r in session.exec(select(RateLimit))))


def test_purge_forgets_dead_sign_in_records_and_keeps_live_ones(engine: Engine) -> None:
    current_window = TRACKING_LOOKUPS.window(NOW)
    with Session(engine) as session:
        session.add_all([
            AuthSession(id="old", username="roads", created_at=NOW - timedelta(days=2),
                        last_seen_at=NOW - timedelta(days=2)),
            AuthSession(id="live", username="roads", created_at=NOW - timedelta(hours=1), last_seen_at=NOW),
            LoginThrottle(username="typo-from-last-week", failures=2, window_started_at=NOW - timedelta(days=7)),
            LoginThrottle(username="still-blocked", failures=9, window_started_at=NOW - timedelta(hours=1),
                          blocked_until=NOW + timedelta(minutes=10)),
            LoginThrottle(username="counting", failures=1, window_started_at=NOW - timedelta(minutes=3)),
            RateLimit(client_key="203.0.113.9", window=TRACKING_LOOKUPS.window(NOW - timedelta(days=1)), count=30),
            RateLimit(client_key="203.0.113.9", window=current_window, count=4),
        ])
        session.commit()

    assert retention.forget_stale_sign_ins(engine, now=NOW) == 3

    sessions, throttles, windows = _rows(engine)
    assert sessions == ["live"]
    assert throttles == ["counting", "still-blocked"]
    assert windows == [current_window]

"""Settings, read from the environment (every one has a default; see README "Configuration")."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./data/formwork.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    # FORMWORK_DEMO_MODE: a single-machine demo; its only effect is that a missing cookie key is generated
    # into data/secret.key on PostgreSQL too (as always on SQLite). Weak keys are refused in every mode.
    demo_mode: bool = False
    holidays: tuple[date, ...] = ()
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "formwork@localhost"
    public_url: str = "http://localhost:8501"
    staff_idle_minutes: int = 30
    mail_worker_seconds: float = 5.0  # 0: the app sends no mail itself (``python -m storage outbox`` does)
    extra: dict[str, str] = field(default_factory=dict)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class InvalidSetting(ValueError):
    """An environment setting has a value Formwork cannot use; the message names the setting."""


def _dates(name: str, value: str | None) -> tuple[date, ...]:
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    try:
        return tuple(date.fromisoformat(part) for part in parts)
    except ValueError as exc:
        raise InvalidSetting(f"{name} must be comma-separated dates like 2026-12-25,2026-12-26; "
                             f"got {value!r}") from exc


def _whole(name: str, value: str | None, default: int, lowest: int, highest: int | None = None) -> int:
    """A whole number in [lowest, highest]; a typo in the environment names the setting it is in."""
    text = (value or "").strip() or str(default)
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or number < lowest or (highest is not None and number > highest):
        bounds = f"from {lowest} to {highest}" if highest is not None else f"of at least {lowest}"
        raise InvalidSetting(f"{name} must be a whole number {bounds}; got {value!r}")
    return number


def _seconds(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    text = value.strip() or "0"  # set but empty: off, as before
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also NaN
        raise InvalidSetting(f"{name} must be a number of seconds, 0 or more; got {value!r}")
    return seconds


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    return Settings(
        database_url=env.get("FORMWORK_DATABASE_URL", DEFAULT_DATABASE_URL),
        secret_key=env.get("FORMWORK_SECRET_KEY", ""),
        demo_mode=_flag(env.get("FORMWORK_DEMO_MODE")),
        holidays=_dates("FORMWORK_HOLIDAYS", env.get("FORMWORK_HOLIDAYS")),
        smtp_host=env.get("FORMWORK_SMTP_HOST", ""),
        smtp_port=_whole("FORMWORK_SMTP_PORT", env.get("FORMWORK_SMTP_PORT"), 25, 1, 65535),
        smtp_user=env.get("FORMWORK_SMTP_USER", ""),
        smtp_password=env.get("FORMWORK_SMTP_PASSWORD", ""),
        smtp_starttls=_flag(env.get("FORMWORK_SMTP_STARTTLS")),
        mail_from=env.get("FORMWORK_MAIL_FROM", "formwork@localhost"),
        public_url=env.get("FORMWORK_PUBLIC_URL", "http://localhost:8501"),
        staff_idle_minutes=_whole("FORMWORK_STAFF_IDLE_MINUTES", env.get("FORMWORK_STAFF_IDLE_MINUTES"), 30, 1),
        mail_worker_seconds=_seconds("FORMWORK_MAIL_WORKER_SECONDS", env.get("FORMWORK_MAIL_WORKER_SECONDS"), 5.0),
    )


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file (``./data/`` by default) so a fresh clone just starts."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite://" and ":memory:" not in url:
        Path(url[len(prefix):]).parent.mkdir(parents=True, exist_ok=True)

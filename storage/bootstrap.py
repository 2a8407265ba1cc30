"""What ``app.py`` needs from storage at start: a migrated engine and the cookie secret."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import Engine

from storage.engine import make_engine
from storage.migrate import upgrade
from storage.settings import Settings

# streamlit-authenticator's default ("some_key") and the placeholders people copy from examples.
WEAK_SECRETS = {"", "some_key", "secret", "changeme", "change-me", "formwork", "your-secret-key", "secret_key"}
_PLACEHOLDER_WORDS = ("change", "example", "some_key", "secret_key", "placeholder", "default")
MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 12


class InsecureConfiguration(RuntimeError):
    """The app refuses to start: a setting would make it unsafe."""


def open_database(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def cookie_secret(settings: Settings, data_dir: Path = Path("data")) -> str:
    """The key that signs login cookies.

    From ``FORMWORK_SECRET_KEY`` (or ``.streamlit/secrets.toml``, passed in by app.py); a weak or
    placeholder key is refused in every mode. Without one, a single machine on SQLite -- or any single
    machine with ``FORMWORK_DEMO_MODE`` on -- gets a random key generated once and kept in
    ``data/secret.key`` (readable by the owner only): unique to the installation, so neither a default
    nor missing. Otherwise (PostgreSQL, usually several replicas) a key shared by all must be configured.
    """
    configured = settings.secret_key.strip()
    if configured:
        problem = secret_problem(configured)
        if problem:
            raise InsecureConfiguration(f"FORMWORK_SECRET_KEY {problem}. Generate one with: "
                                        "python -c 'import secrets; print(secrets.token_urlsafe(48))'")
        return configured
    if not (settings.database_url.startswith("sqlite") or settings.demo_mode):
        raise InsecureConfiguration("Set FORMWORK_SECRET_KEY (shared by all replicas) when running on PostgreSQL.")
    key_file = data_dir / "secret.key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def secret_problem(key: str) -> str | None:
    """Why a configured cookie key is unsafe, or None. A random 48-byte key passes every rule."""
    lowered = key.lower()
    if lowered in WEAK_SECRETS or any(word in lowered for word in _PLACEHOLDER_WORDS):
        return "is a default or placeholder value"
    if len(key) < MIN_SECRET_LENGTH:
        return f"is too short: use at least {MIN_SECRET_LENGTH} random characters"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return "is not random enough (too few different characters)"
    return None

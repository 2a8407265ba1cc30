"""What ``app.py`` needs from storage at start: a migrated engine, the cookie secret, credentials."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import User
from storage.settings import Settings

WEAK_SECRETS = {"", "some_key", "secret", "changeme", "change-me", "formwork"}


class InsecureConfiguration(RuntimeError):
    """The app refuses to start: a setting would make it unsafe."""


def open_database(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def cookie_secret(settings: Settings, data_dir: Path = Path("data")) -> str:
    """The key that signs login cookies.

    From ``FORMWORK_SECRET_KEY`` (or ``.streamlit/secrets.toml``, passed in by app.py). A single
    machine on SQLite without one gets a random key generated once and kept in ``data/secret.key``
    (readable by the owner only); several replicas on PostgreSQL must share a configured key.
    """
    configured = settings.secret_key.strip()
    if configured:
        if configured.lower() in WEAK_SECRETS or len(configured) < 32:
            raise InsecureConfiguration("FORMWORK_SECRET_KEY is too weak: use at least 32 random characters.")
        return configured
    if not settings.database_url.startswith("sqlite"):
        raise InsecureConfiguration("Set FORMWORK_SECRET_KEY (shared by all replicas) when running on PostgreSQL.")
    key_file = data_dir / "secret.key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def authenticator_credentials(engine: Engine) -> dict[str, Any]:
    """The credentials dictionary streamlit-authenticator expects, read fresh from the database."""
    with Session(engine) as session:
        users = session.exec(select(User).where(User.is_active == True)).all()  # noqa: E712
    return {"usernames": {u.username: {"name": u.display_name, "email": u.email, "password": u.password_hash}
                          for u in users}}

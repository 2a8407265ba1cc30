"""Issue 6 at the level of the app: an unsafe cookie key stops ``app.py`` before anything runs.

The refusal must come first: no database file created or migrated, no navigation, no background thread.
The key can come from the environment or from ``.streamlit/secrets.toml`` (``AppTest.secrets``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from storage.bootstrap import InsecureConfiguration, cookie_secret, secret_problem
from storage.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "tests" / "ui" / "entry" / "run_app.py")  # the real app.py, see that file
STRONG = "test-only-cookie-key-0123456789-abcdefghijklmnop"
REFUSAL = "Formwork cannot start safely: "


@pytest.fixture
def fresh_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working folder (where ``data/`` would be created) and a database file not yet made."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORMWORK_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("FORMWORK_MAIL_WORKER_SECONDS", "0")
    monkeypatch.setenv("FORMWORK_FIGURES_REFRESH_SECONDS", "0")  # no thread outlives its test's database
    for name in ("FORMWORK_SECRET_KEY", "FORMWORK_DEMO_MODE"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


def _workers() -> int:
    return sum(t.name.startswith("formwork-") for t in threading.enumerate())


def _run(secrets: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    app.secrets.update(secrets or {})
    return app.run()


def _only_the_refusal(app: AppTest) -> str:
    """The page shows one error and nothing else; returns the error's text."""
    assert not app.exception
    shown = [node for node in app.main.children.values()]
    assert [type(node).__name__ for node in shown] == ["Error"], shown
    assert not app.sidebar.children  # no navigation, no language selector
    [error] = app.error
    assert error.value.startswith(REFUSAL)
    return error.value


@pytest.mark.parametrize("key", ["some_key", "changeme-please-0123456789-abcdefghij", "short-key", "x" * 40])
def test_a_weak_key_in_the_environment_stops_the_app_before_anything_runs(
        key: str, fresh_machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_SECRET_KEY", key)
    workers = _workers()
    shown = _only_the_refusal(_run())
    assert f"FORMWORK_SECRET_KEY {secret_problem(key)}" in shown
    assert "secrets.token_urlsafe" in shown  # and how to make a good one
    assert not (fresh_machine / "app.db").exists(), "the database was opened before the key was checked"
    assert not (fresh_machine / "data").exists()
    assert _workers() == workers, "a background thread started with an unsafe configuration"


@pytest.mark.parametrize(("name", "value"), [("FORMWORK_HOLIDAYS", "christmas"), ("FORMWORK_SMTP_PORT", "smtp"),
                                           ("FORMWORK_STAFF_IDLE_MINUTES", "half an hour")])
def test_a_setting_that_cannot_be_read_is_named_and_nothing_runs(name: str, value: str, fresh_machine: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, value)
    shown = _only_the_refusal(_run())
    assert name in shown and value in shown
    assert not (fresh_machine / "app.db").exists()


def test_postgresql_without_a_key_stops_before_connecting(fresh_machine: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on port 9: connecting first would raise instead of showing the refusal.
    monkeypatch.setenv("FORMWORK_DATABASE_URL", "postgresql+psycopg://formwork@127.0.0.1:9/formwork")
    shown = _only_the_refusal(_run())
    assert "PostgreSQL" in shown and not (fresh_machine / "data").exists()


def test_a_weak_key_in_secrets_toml_stops_the_app(fresh_machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _only_the_refusal(_run({"FORMWORK_SECRET_KEY": "your-secret-key"}))
    assert "default or placeholder" in shown
    assert not (fresh_machine / "app.db").exists()
    # secrets.toml wins over the environment, so a good environment key does not hide a weak secrets.toml one.
    monkeypatch.setenv("FORMWORK_SECRET_KEY", STRONG)
    assert "default or placeholder" in _only_the_refusal(_run({"FORMWORK_SECRET_KEY": "changeme" * 5}))


def test_a_strong_key_in_secrets_toml_starts_the_app_without_generating_one(fresh_machine: Path) -> None:
    app = _run({"FORMWORK_SECRET_KEY": STRONG})
    assert not app.exception and not app.error
    assert "Set up Formwork" in [t.value for t in app.title]  # the first page of an empty database
    assert (fresh_machine / "app.db").exists()
    assert not (fresh_machine / "data" / "secret.key").exists()  # the configured key was used


def test_without_a_key_a_fresh_sqlite_machine_starts_with_its_own_random_key(fresh_machine: Path) -> None:
    """The README's first command on a fresh machine: no key configured, SQLite, the app starts."""
    app = _run()
    assert not app.exception and not app.error
    key_file = fresh_machine / "data" / "secret.key"
    assert key_file.stat().st_mode & 0o077 == 0 and secret_problem(key_file.read_text().strip()) is None


# ------------------------------------------------------------------ FORMWORK_DEMO_MODE


def test_demo_mode_is_read_from_the_environment() -> None:
    assert load_settings({"FORMWORK_DEMO_MODE": "1"}).demo_mode
    assert not load_settings({}).demo_mode and not load_settings({"FORMWORK_DEMO_MODE": "off"}).demo_mode


def test_demo_mode_lets_a_single_postgresql_machine_generate_its_key(tmp_path: Path) -> None:
    postgres = "postgresql+psycopg://db/formwork"
    with pytest.raises(InsecureConfiguration, match="PostgreSQL"):
        cookie_secret(Settings(database_url=postgres), tmp_path)
    generated = cookie_secret(Settings(database_url=postgres, demo_mode=True), tmp_path)
    assert secret_problem(generated) is None
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
    assert cookie_secret(Settings(database_url=postgres, demo_mode=True), tmp_path) == generated


@pytest.mark.parametrize("key", ["some_key", "short-key", "x" * 40])
def test_demo_mode_never_accepts_a_weak_key(key: str, tmp_path: Path) -> None:
    for url in ("sqlite:///x.db", "postgresql+psycopg://db/formwork"):
        with pytest.raises(InsecureConfiguration):
            cookie_secret(Settings(database_url=url, secret_key=key, demo_mode=True), tmp_path)

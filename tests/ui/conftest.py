"""AppTest fixtures: the real app.py against a fresh SQLite file per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.usecases import forms
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation
from ui.nav import page

ROOT = Path(__file__).resolve().parents[2]
# The entry lives outside the repository root on purpose: see tests/ui/entry/run_app.py.
APP = str(ROOT / "tests" / "ui" / "entry" / "run_app.py")


@pytest.fixture
def app_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("FORMWORK_DATABASE_URL", url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", "test-only-cookie-key-0123456789-abcdefghijklmnop")
    monkeypatch.setenv("FORMWORK_MAIL_WORKER_SECONDS", "0")  # tests read the outbox as the pages left it
    monkeypatch.setenv("FORMWORK_FIGURES_REFRESH_SECONDS", "0")  # no thread outlives its test's database
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    st.cache_data.clear()  # cached figures of an earlier test's database must not show in this one
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def new_app(app_database: Engine) -> Callable[[], AppTest]:
    def make() -> AppTest:
        app = AppTest.from_file(APP, default_timeout=30)
        app.run()
        return app

    return make


def sign_in(app: AppTest, username: str, password: str | None = None) -> AppTest:
    app.switch_page(str(page("account"))).run()
    app.text_input[0].input(username)
    app.text_input[1].input(password or f"{username}-test-passphrase")
    next(b for b in app.button if b.label == "Sign in").click().run()
    return app


def open_page(app: AppTest, name: str, **query: str) -> AppTest:
    """Go to a page as a person following a link would (query parameters included)."""
    for key, value in query.items():
        app.query_params[key] = value
    return app.switch_page(str(page(name))).run()


def texts(app: AppTest) -> str:
    """Everything the page shows as text, for assertions on what a person would read."""
    parts = [e.value for e in app.title] + [e.value for e in app.subheader] + [e.value for e in app.text]
    parts += [e.value for e in app.markdown] + [e.value for e in app.success] + [e.value for e in app.error]
    parts += [e.value for e in app.warning] + [e.value for e in app.info] + [str(e.value) for e in app.metric]
    parts += [e.value for e in app.caption] + [e.value for e in app.code]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def street_party(app_database: Engine) -> Engine:
    """The test organisation with a draft of "Apply for a street-party permit" (for the builder's pages)."""
    forms.create_form(template("street-party-permit"), DESIGNER, seed_organisation(app_database))
    return app_database


@pytest.fixture
def download_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The files a page hands to its download buttons, by file name (what a person would download)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    handed: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self: MemoryMediaFileStorage, path_or_data: str | bytes, mimetype: str, kind: object,
             filename: str | None = None) -> str:
        handed[filename or ""] = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
        return original(self, path_or_data, mimetype, kind, filename)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    yield handed

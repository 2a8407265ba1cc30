"""The database file's disk full or read-only: a clear message, nothing half-written, nothing lost.

Real faults on a 4 MB tmpfs of the test's own (see tests/faults/conftest.py): "disk full" is
ENOSPC from the filesystem, "read-only" a read-only bind mount (EROFS). SQLite only.
"""

from __future__ import annotations

import gettext
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from builder.errors import StorageUnavailable
from builder.ports import Actor
from builder.usecases import requests, review
from builder.workflow import Action, Command
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.faults import conftest as fault_fixtures
from tests.faults.conftest import SmallDisk
from tests.load.workload import GROUP, Outcome, answers, prepare, stored_problems
from tests.ui.conftest import APP, open_page, texts

RESIDENT = Actor(None, "Resident")
REVIEWER = Actor("roads", "Robin Roads", reviewer_groups=frozenset({GROUP}))
TRY_AGAIN = "Nothing was changed. Please try again in a few minutes."
ROOT = Path(APP).parents[3]


@pytest.fixture
def disk_engine(small_disk: SmallDisk) -> Iterator[Engine]:
    engine = make_engine(small_disk.url)
    upgrade(engine)
    prepare(engine)
    yield engine
    engine.dispose()  # before the filesystem goes


def _submit(engine: Engine, key: str, outcome: Outcome) -> str:
    receipt = requests.submit("report-pothole", answers(1, len(outcome.receipts)), RESIDENT, SqlUnitOfWork(engine),
                              idempotency_key=key)
    outcome.receipts[key] = receipt.reference
    return receipt.reference


def _approve(engine: Engine, reference: str, outcome: Outcome) -> None:
    version = review.open_case(reference, REVIEWER, SqlUnitOfWork(engine)).request.row_version
    review.act(reference, Command(Action.APPROVE, REVIEWER), version, SqlUnitOfWork(engine))
    outcome.decisions.append((reference, "roads", "approve"))


def _whole(engine: Engine, outcome: Outcome) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert stored_problems(engine, outcome) == []


@pytest.mark.faults
def test_full_disk_refuses_writes_with_a_clear_message_and_stores_nothing(
        small_disk: SmallDisk, disk_engine: Engine) -> None:
    outcome = Outcome()
    first = _submit(disk_engine, "before", outcome)
    small_disk.fill(disk_engine)
    with pytest.raises(StorageUnavailable, match=TRY_AGAIN):
        _submit(disk_engine, "while-full", outcome)
    with pytest.raises(StorageUnavailable, match=TRY_AGAIN):
        _approve(disk_engine, first, outcome)
    assert review.inbox(REVIEWER, SqlUnitOfWork(disk_engine)).total == 1  # reading still works
    small_disk.free()
    assert _submit(disk_engine, "while-full", outcome).endswith("-00002")  # the retry: no number lost
    _approve(disk_engine, first, outcome)
    _whole(disk_engine, outcome)


@pytest.mark.faults
def test_read_only_database_refuses_writes_with_a_clear_message_and_stores_nothing(
        small_disk: SmallDisk, disk_engine: Engine) -> None:
    """A second app process (or the app restarted) opens the database on a filesystem that went
    read-only, while the first process keeps its connections (which keep their write access, as
    after a chmod). The WAL index the first one holds lets the newcomer read. (Without it a WAL
    database cannot be opened at all on a read-only filesystem: every use case then fails with the
    same message.)"""
    outcome = Outcome()
    first = _submit(disk_engine, "before", outcome)
    small_disk.make_read_only()
    newcomer = make_engine(small_disk.url)
    with pytest.raises(StorageUnavailable, match=TRY_AGAIN):
        _submit(newcomer, "while-read-only", outcome)
    with pytest.raises(StorageUnavailable, match=TRY_AGAIN):
        _approve(newcomer, first, outcome)
    assert review.inbox(REVIEWER, SqlUnitOfWork(newcomer)).total == 1  # reading still works
    newcomer.dispose()
    disk_engine.dispose()
    small_disk.make_writable()
    assert _submit(disk_engine, "while-read-only", outcome).endswith("-00002")  # the retry: no number lost
    _approve(disk_engine, first, outcome)
    _whole(disk_engine, outcome)


@pytest.fixture
def app_on_small_disk(small_disk: SmallDisk, disk_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("FORMWORK_DATABASE_URL", small_disk.url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", "test-only-cookie-key-0123456789-abcdefghijklmnop")
    for worker in ("FORMWORK_MAIL_WORKER_SECONDS", "FORMWORK_FIGURES_REFRESH_SECONDS"):
        monkeypatch.setenv(worker, "0")  # no background thread outlives the small disk it writes to
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    yield disk_engine
    st.cache_resource.clear()


def _in(language: str, message: str) -> str:
    return gettext.translation("formwork", str(ROOT / "locale"), [language], fallback=True).gettext(message)


@pytest.mark.faults
@pytest.mark.parametrize("language", ["en", "fr"])
def test_form_page_keeps_the_answers_when_the_disk_is_full(small_disk: SmallDisk, app_on_small_disk: Engine,
                                                           language: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60)  # slow shared CI machines
    app.run()
    open_page(app, "form", form="report-pothole", lang=language)
    app.text_input[0].input("Market Street 12")
    app.radio[0].set_value("medium")
    next(b for b in app.button if b.label == _in(language, "Next")).click().run()
    app.text_input[0].input("Riley")
    app.text_input[1].input("riley@example.org")
    small_disk.fill(app_on_small_disk)
    next(b for b in app.button if b.label == _in(language, "Submit")).click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [" ".join(_in(language, message) for message in (
        "We could not save your request just now because of a problem on our side, and nothing was sent. "
        "Please press Submit again in a few minutes.", "Your answers are still here; nothing was lost."))]
    assert [t.value for t in app.text_input] == ["Riley", "riley@example.org"]  # still typed in
    assert not app.metric  # no receipt for a request that was not stored
    with app_on_small_disk.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM submission")).scalar() == 0
    small_disk.free()
    next(b for b in app.button if b.label == _in(language, "Submit")).click().run()  # the person tries again
    assert _in(language, "Your request has been submitted.") in texts(app)
    assert str(app.metric[0].value).endswith("-00001")
    with app_on_small_disk.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM submission")).scalar() == 1


def test_a_machine_that_may_not_mount_skips_the_disk_tests_and_says_why(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    # Root in a container without CAP_SYS_ADMIN: `mount` refuses, and the disk tests say so instead of erroring.
    def refused(*args: str) -> None:
        raise subprocess.CalledProcessError(32, ["mount", *args], stderr="mount: /db: permission denied.\n")

    monkeypatch.setattr(fault_fixtures, "_mount", refused)
    monkeypatch.setattr(fault_fixtures.os, "geteuid", lambda: 0)
    with pytest.raises(pytest.skip.Exception, match="not permitted here: mount: /db: permission denied.$"):
        fault_fixtures.mount_tmpfs(tmp_path)

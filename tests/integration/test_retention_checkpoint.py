"""The purge's WAL checkpoint under live readers (SQLite only: PostgreSQL has no WAL file to empty).

A connection that holds a read transaction open keeps ``wal_checkpoint(TRUNCATE)`` busy: the purged
values then stay in the ``-wal`` file. The purge tries again a few times and, if still busy, says so in
its result and in the command's output, so that the administrator runs it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage import retention
from storage.__main__ import _records_command
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import template
from tests.helpers import DESIGNER, RESIDENT, ROADS, seed_organisation

CANARY = "Canary-Wal-Busy-Ysolde-0815"
LONG_AGO = datetime(2020, 1, 6, 10, tzinfo=UTC)  # old enough for the command, which purges as of today
NOW = LONG_AGO + timedelta(days=731)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'formwork.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "CHECKPOINT_ATTEMPTS", 4)
    monkeypatch.setattr(retention, "CHECKPOINT_WAIT_MS", 50)
    monkeypatch.setattr(retention, "CHECKPOINT_PAUSE_SECONDS", 0.1)


def _expired_request(engine: Engine) -> str:
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow, now=LONG_AGO - timedelta(days=1))
    forms.publish("report-pothole", DESIGNER, uow, now=LONG_AGO - timedelta(days=1))
    answers = {"location": "Market Street 12", "size": "small", "name": CANARY, "email": "ysolde@resident.example"}
    receipt = requests.submit("report-pothole", answers, RESIDENT, uow, idempotency_key="busy", now=LONG_AGO)
    review.act(receipt.reference, Command(Action.REJECT, ROADS, text="Not a pothole"), 1, uow, now=LONG_AGO)
    busy, _frames, _copied = retention.checkpoint(engine)
    assert busy == 0
    assert CANARY.encode() in _file_bytes(engine)  # the test can see the value before the purge
    return receipt.reference


def _file_bytes(engine: Engine) -> bytes:
    path = Path(engine.url.database or "")
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _reader(engine: Engine) -> Connection:
    """A connection in the middle of a read transaction (a page being shown, a backup being read)."""
    reader = engine.connect()
    assert reader.execute(text("SELECT count(*) FROM submission")).scalar_one() == 1  # BEGIN, and a snapshot
    return reader


def test_a_purge_under_a_live_reader_reports_the_busy_wal_and_a_second_run_empties_it(sqlite_engine: Engine) -> None:
    reference = _expired_request(sqlite_engine)
    reader = _reader(sqlite_engine)
    try:
        result = retention.purge(sqlite_engine, now=NOW)
        assert [p.reference for p in result.requests] == [reference]
        assert result.wal_emptied is False  # reported, not silently ignored
        busy, _frames, _copied = retention.checkpoint(sqlite_engine, wait_ms=0)
        assert busy == 1  # the reader still holds the WAL
    finally:
        reader.rollback()
        reader.close()

    again = retention.purge(sqlite_engine, now=NOW)
    assert again.requests == [] and again.wal_emptied is True
    assert CANARY.encode() not in _file_bytes(sqlite_engine)


def test_the_purge_tries_again_and_empties_the_wal_once_the_reader_has_left(sqlite_engine: Engine,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _expired_request(sqlite_engine)
    reader = _reader(sqlite_engine)
    answers: list[int] = []
    real_checkpoint = retention.checkpoint

    def checkpoint_then_reader_leaves(engine: Engine, *, wait_ms: int | None = None) -> tuple[int, int, int]:
        found = real_checkpoint(engine, wait_ms=wait_ms)
        answers.append(found[0])
        reader.rollback()  # the page finishes reading while the purge pauses
        return found

    monkeypatch.setattr(retention, "checkpoint", checkpoint_then_reader_leaves)
    try:
        result = retention.purge(sqlite_engine, now=NOW)
    finally:
        reader.close()
    assert answers == [1, 0]  # busy at first, then emptied on the next try
    assert [p.reference for p in result.requests] == [reference] and result.wal_emptied is True
    assert CANARY.encode() not in _file_bytes(sqlite_engine)


def test_the_purge_command_tells_the_administrator_to_run_it_again(sqlite_engine: Engine,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    reference = _expired_request(sqlite_engine)
    reader = _reader(sqlite_engine)
    try:
        assert _records_command("purge", [], sqlite_engine) == 1
    finally:
        reader.rollback()
        reader.close()
    out = capsys.readouterr().out
    assert "1 request(s) anonymised" in out and reference in out
    assert "WARNING" in out and "Run `python -m storage purge` again" in out

    assert _records_command("purge", [], sqlite_engine) == 0
    out = capsys.readouterr().out
    assert "0 request(s) anonymised" in out and "WARNING" not in out
    assert CANARY.encode() not in _file_bytes(sqlite_engine)

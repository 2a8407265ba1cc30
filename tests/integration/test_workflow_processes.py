"""Requests through the offices on real databases (SQLite and PostgreSQL), with real processes:
two reviewers deciding at once, a submitter killed with SIGKILL, a tampered audit log (issue 5)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from builder.errors import StaleRequest
from builder.usecases import requests, review
from builder.workflow import Action, Command
from storage import __main__ as cli
from storage.audit_check import verify_audit
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork
from tests.helpers import RESIDENT, ROADS, ROADS2

POTHOLE = {"location": "Market Street 12", "size": "large", "blocks_road": True, "email": "riley@example.org"}
FORK = multiprocessing.get_context("fork")


def _decide(url: str, reviewer: str, reference: str, version: int, start: object, results: object) -> None:
    actor = ROADS if reviewer == "roads" else ROADS2
    uow = SqlUnitOfWork(make_engine(url))
    start.wait(timeout=30)  # type: ignore[attr-defined]
    try:
        state = review.act(reference, Command(Action.APPROVE, actor, text=f"ok from {reviewer}"), version, uow)
        results.put((reviewer, "won", state))  # type: ignore[attr-defined]
    except StaleRequest as exc:
        results.put((reviewer, "stale", str(exc)))  # type: ignore[attr-defined]


def test_two_processes_decide_at_once_and_exactly_one_wins(seeded: SqlUnitOfWork, database_url: str,
                                                           engine: Engine) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="race")
    version = review.open_case(receipt.reference, ROADS, seeded).request.row_version
    start, results = FORK.Barrier(2), FORK.Queue()
    workers = [FORK.Process(target=_decide, args=(database_url, name, receipt.reference, version, start, results))
               for name in ("roads", "roads2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    outcomes = sorted(results.get(timeout=5) for _ in workers)
    assert [o[1] for o in outcomes].count("won") == 1, outcomes
    loser = next(o for o in outcomes if o[1] == "stale")
    assert "changed since you opened it" in loser[2]
    case = review.open_case(receipt.reference, ROADS, seeded)
    assert case.request.state == "approved"
    assert len(case.decisions) == 1  # the loser left nothing behind
    assert [e.event.action for e in case.history].count("approve") == 1
    assert verify_audit(engine)[1] is None


def _submit_forever(url: str, acknowledged: str) -> None:
    uow = SqlUnitOfWork(make_engine(url))
    with open(acknowledged, "a", encoding="utf-8") as out:
        number = 0
        while True:
            number += 1
            receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key=f"loop-{number}")
            out.write(receipt.reference + "\n")  # written only after submit returned: acknowledged
            out.flush()
            os.fsync(out.fileno())


def test_a_killed_submitter_loses_no_acknowledged_request(seeded: SqlUnitOfWork, database_url: str, engine: Engine,
                                                           tmp_path: Path) -> None:
    acknowledged = tmp_path / "acknowledged.txt"
    acknowledged.touch()
    child = FORK.Process(target=_submit_forever, args=(database_url, str(acknowledged)))
    child.start()
    deadline = time.monotonic() + 60
    while len(acknowledged.read_text().splitlines()) < 25 and time.monotonic() < deadline and child.is_alive():
        time.sleep(0.05)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=10)
    references = [line for line in acknowledged.read_text().splitlines() if line.strip()]
    assert len(references) >= 25
    fresh = SqlUnitOfWork(make_engine(database_url))
    with fresh.reading():
        missing = [ref for ref in references if fresh.requests.get(ref) is None]
    assert missing == []
    counted, broken = verify_audit(engine)
    assert broken is None and counted >= 2 * len(references)  # submit + enter_step for each


def _tamper(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        connection.execute(text("UPDATE audit_event SET actor = 'somebody-else' WHERE seq = 3"))


def test_verify_audit_names_the_first_broken_link(seeded: SqlUnitOfWork, engine: Engine, database_url: str,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    for key in ("a", "b"):
        requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key=key)
    monkeypatch.setenv("FORMWORK_DATABASE_URL", database_url)
    assert cli.main(["verify-audit"]) == 0
    assert "intact" in capsys.readouterr().out
    _tamper(engine)
    assert verify_audit(engine)[1] == 3
    assert cli.main(["verify-audit"]) == 1
    report = capsys.readouterr().out
    assert "BROKEN at event 3: submit on " in report and "somebody-else" in report


def test_removing_the_last_events_is_noticed(seeded: SqlUnitOfWork, engine: Engine) -> None:
    requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="a")
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        last = connection.execute(text("SELECT max(seq) FROM audit_event")).scalar_one()
        connection.execute(text("DELETE FROM audit_event WHERE seq = :last"), {"last": last})
    assert verify_audit(engine) == (last - 1, last)

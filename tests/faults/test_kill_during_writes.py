"""``kill -9`` of the app while it submits and decides, on SQLite and PostgreSQL.

An app process (tests/faults/busy_app.py) writes in a loop; the test kills it with SIGKILL at an
unpredictable point of a transaction, starts it again on the same database, and does that several
times. Afterwards the database must be whole: SQLite's integrity check passes, every write the app
acknowledged is stored, every stored request is complete (submission, audit event, outbox message),
no decision is half-written or doubled, reference numbers have no gaps, and the audit chain verifies.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.load.workload import Outcome, prepare, stored_problems

ROOT = Path(__file__).resolve().parents[2]
KILLS = 3
ROUND_TIMEOUT_S = 30


def _run_until_killed(database_url: str, outcome: Outcome, kill_after: int) -> None:
    """Start the app, let it acknowledge writes up to key number ``kill_after``, then SIGKILL it."""
    child = subprocess.Popen([sys.executable, "-m", "tests.faults.busy_app", database_url, "kill"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(ROUND_TIMEOUT_S, child.kill)  # a stuck app fails the test, not the suite
    watchdog.start()
    try:
        assert child.stdout is not None
        for line in child.stdout:
            _record(line, outcome)
            if line.startswith("S ") and int(line.split()[1].rsplit("-", 1)[1]) >= kill_after:
                os.kill(child.pid, signal.SIGKILL)
                break
        for line in child.stdout:  # acknowledged just before the kill landed
            _record(line, outcome)
    finally:
        watchdog.cancel()
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""


def _record(line: str, outcome: Outcome) -> None:
    kind, *fields = line.split()
    if kind == "S":
        key, reference = fields
        if outcome.receipts.setdefault(key, reference) != reference:
            outcome.unexpected.append(f"{key} answered {reference} after {outcome.receipts[key]}")
    elif kind == "D":
        reference, state = fields
        outcome.decisions.append((reference, "fault-reviewer", "approve"))
        if state != "approved":
            outcome.unexpected.append(f"{reference} decided into {state}")


@pytest.mark.faults
def test_kill_9_during_submissions_and_decisions_leaves_nothing_half_written(
        engine: Engine, database_url: str, record_property: pytest.RecordProperty) -> None:
    prepare(engine)
    outcome = Outcome()
    kill_after = 0
    for _ in range(KILLS):
        kill_after += random.randint(3, 9)
        _run_until_killed(database_url, outcome, kill_after)
    assert outcome.unexpected == []  # a retried key got the same reference; decisions approved
    assert len(outcome.receipts) >= kill_after  # the app made progress across restarts
    assert len(outcome.decisions) >= KILLS  # the kills fell among decisions as well as submissions
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    assert stored_problems(engine, outcome, every_write_acknowledged=False) == []
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT COUNT(*) FROM submission")).scalar_one()
    record_property("figures", f"kill -9 ×{KILLS}, {engine.dialect.name}: {len(outcome.receipts)} submissions and "
                               f"{len(outcome.decisions)} decisions acknowledged, all stored; "
                               f"{stored - len(outcome.receipts)} stored but never acknowledged")

"""Load: 50 residents submitting and 10 reviewers deciding at the same time, on SQLite and PostgreSQL.

Browser-free and loopback-only: the workers call the same use cases the pages call. Bounded in count
(a fixed number of requests) and in time (``workload.TIME_LIMIT_S``). Throughput is reported in the
terminal summary ("load and fault figures"), never asserted: it depends on the machine.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest
from sqlalchemy import Engine

from tests.load.workload import Outcome, prepare, run_replica, run_workload, stored_problems

SUBMITTERS = 50
REVIEWERS = 10


def _figures(outcome: Outcome, label: str) -> str:
    requests = len(outcome.receipts)
    return (f"{label}: {requests} requests ({outcome.submit_calls} submit calls) and {len(outcome.decisions)} "
            f"decisions ({outcome.refused} refused as stale) in {outcome.seconds:.1f} s = "
            f"{requests / outcome.seconds:.0f} requests/s, {outcome.submit_calls / outcome.seconds:.0f} submit calls/s")


def _check(engine: Engine, outcome: Outcome, expected_requests: int) -> None:
    assert outcome.unexpected == []  # no driver error, no "database is locked", no crash reached anyone
    assert len(outcome.receipts) == expected_requests  # every resident got a reference
    assert outcome.submit_calls == 2 * expected_requests  # both clicks of every double submit answered
    assert stored_problems(engine, outcome) == []
    assert len(outcome.decisions) == expected_requests  # every request decided, each exactly once


@pytest.mark.load
def test_fifty_submitters_and_ten_reviewers_on_one_app(engine: Engine, record_property: pytest.RecordProperty) -> None:
    """One app process: 60 threads, each with its own unit of work on the app's shared engine."""
    prepare(engine)
    outcome = run_workload(engine, name="one", submitters=SUBMITTERS, per_submitter=2, reviewers=REVIEWERS)
    record_property("figures", _figures(outcome, f"one app, {engine.dialect.name}, 60 threads"))
    _check(engine, outcome, SUBMITTERS * 2)


@pytest.mark.load
def test_two_app_replicas_share_the_database(engine: Engine, database_url: str,
                                             record_property: pytest.RecordProperty) -> None:
    """Two app processes (replicas), each with its own engine and pool: SQLite's file locks and
    PostgreSQL's row locks are contended across processes, where the GIL cannot serialise anything.
    Both replicas submit the same keys, so a double submit also races across processes."""
    prepare(engine)
    outcome = Outcome()
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        replicas = [pool.submit(run_replica, database_url, "shared", f"replica{n}", SUBMITTERS // 2, 2, REVIEWERS // 2)
                    for n in range(2)]
        for replica in replicas:
            outcome.merge(replica.result(timeout=90))
    record_property("figures", _figures(outcome, f"two replicas, {engine.dialect.name}, 2×30 threads"))
    assert outcome.unexpected == []
    assert len(outcome.receipts) == SUBMITTERS // 2 * 2  # the same keys from both replicas: stored once
    assert stored_problems(engine, outcome) == []
    assert len(outcome.decisions) == len(outcome.receipts)

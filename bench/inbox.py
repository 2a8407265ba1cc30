"""The reviewer's inbox at a million requests, next to the bare indexed SQL query.

    python -m bench.inbox [--requests 1000000] [--queries 200]

Loads, in a temporary SQLite file, the wanted number of requests (batched inserts straight into the
``submission`` table) spread over 20 groups and the six states, two months of submissions. Then it
times, in the same run:

- baseline: ``SELECT id FROM submission WHERE group_name = ? AND state = ? ORDER BY submitted_at DESC
  LIMIT 50 OFFSET ?`` -- the bare query the composite index ix_submission_inbox serves;
- inbox: ``builder.usecases.review.inbox`` as the inbox page calls it for one page -- the rows with
  their form and version, the filters, and the count (capped at INBOX_COUNT_CAP);
- the tab counts of the inbox page (three capped counts);
- a reviewer in two groups, on the "Finished" tab (3 states): 6 index ranges merged.

Target: inbox p95 <= 20 ms on SQLite.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from bench.report import Result, emit
from builder.ports import Actor, InboxQuery
from builder.usecases import forms, review
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation

GROUPS = ["Road inspectors", *(f"Bench group {n:02d}" for n in range(19))]
STATES = ["in_review"] * 30 + ["needs_info"] * 5 + ["approved"] * 45 + ["rejected"] * 15 + ["withdrawn"] * 5
BATCH = 20_000
TARGET_MS = 20
ROADS = Actor("roads", "Robin", reviewer_groups=frozenset({"Road inspectors"}))
TWO = Actor("roads", "Robin", reviewer_groups=frozenset({"Road inspectors", "Bench group 00"}))


def load(engine: Engine, path: Path, count: int) -> float:
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    connection = sqlite3.connect(path)
    form_id, version_id = connection.execute("SELECT form_id, id FROM form_version LIMIT 1").fetchone()
    answers = json.dumps({"location": "Market Street 12", "size": "small"})
    start = datetime(2026, 9, 25, tzinfo=UTC)
    spread = 60 * 24 * 3600 / count
    rng = random.Random(5)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        rows = []
        for number in range(first, min(first + BATCH, count)):
            at = (start + timedelta(seconds=number * spread)).strftime("%Y-%m-%d %H:%M:%S.%f")
            due = (start + timedelta(seconds=number * spread, days=7)).strftime("%Y-%m-%d")
            rows.append((f"BN-2026-{number:07d}", "0" * 64, form_id, version_id, answers, rng.choice(STATES), 0,
                         "inspection", GROUPS[number % len(GROUPS)], due, at, at))
        connection.executemany(
            "INSERT INTO submission (reference, access_code_hash, form_id, version_id, answers, state, step_index, "
            "step_id, group_name, due_on, locale, submitted_at, updated_at, row_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'en', ?, ?, 1)", rows)
        connection.commit()
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def timed(runs: int, call: Callable[[int], object]) -> tuple[float, float]:
    times = []
    for run in range(runs):
        started = time.perf_counter()
        call(run)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inbox.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        seconds = load(engine, path, args.requests)
        print(f"loaded {args.requests:,} requests in {seconds:.1f} s")
        pages = [0, 0, 0, 1, 2, 5, 10, 20]  # mostly the first page, sometimes deeper
        bare = sqlite3.connect(path)

        def baseline(run: int) -> object:
            return bare.execute("SELECT id FROM submission WHERE group_name = ? AND state = ? ORDER BY submitted_at "
                                "DESC LIMIT 50 OFFSET ?", ("Road inspectors", "in_review",
                                                           50 * pages[run % len(pages)])).fetchall()

        def page(run: int) -> object:
            query = InboxQuery(groups=ROADS.reviewer_groups, offset=50 * pages[run % len(pages)])
            return review.inbox(ROADS, SqlUnitOfWork(engine), query)

        tabs = {"decision": ("in_review",), "resident": ("needs_info",), "finished": ("approved", "rejected", "withdrawn")}

        def counts(run: int) -> object:
            return review.inbox_counts(ROADS, SqlUnitOfWork(engine), tabs)

        def merged(run: int) -> object:
            query = InboxQuery(groups=TWO.reviewer_groups, states=tabs["finished"], newest_first=run % 2 == 0)
            return review.inbox(TWO, SqlUnitOfWork(engine), query)

        results = {name: timed(args.queries, call) for name, call in
                   (("bare indexed SQL (baseline)", baseline), ("inbox page (use case)", page),
                    ("tab counts (3, capped)", counts), ("2 groups x 3 states, merged", merged))}
        engine.dispose()
        bare.close()
    base_p50, base_p95 = results["bare indexed SQL (baseline)"]
    for name, (p50, p95) in results.items():
        print(f"{name:30} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   ({p95 / base_p95:5.1f}x baseline p95)")
    size = f"{args.requests:,}"
    rows = [Result("inbox", f"inbox page p95 at {size} requests vs bare indexed query", f"{p95:.2f} ms p95",
                   f"{base_p95:.2f} ms p95", p95 / base_p95, f"p95 <= {TARGET_MS} ms (SQLite)", p95 <= TARGET_MS)
            for p95 in [results["inbox page (use case)"][1]]]
    rows += [Result("inbox", f"  {name} at {size}", f"{p95:.2f} ms p95", f"{base_p95:.2f} ms p95", p95 / base_p95,
                    "—", None) for name, (_, p95) in results.items() if name.startswith(("tab", "2 groups"))]
    emit(rows)

if __name__ == "__main__":
    main()

"""``python -m bench.run`` still works: a quick run of three benchmarks gives a table row with a ratio for
each, the JSON file with the machine, and says "not run" for PostgreSQL when the server cannot be
reached; the inbox and dashboard benchmarks, run alone at tiny sizes (a few seconds each), print their
ratio rows. No timing is asserted: the tiny sizes measure nothing. (``bench.startup`` is left out: one
round starts Streamlit three times, about 20 s.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_prints_a_ratio_row_per_benchmark(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"  # nothing listens on port 1
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "validate,submit,render", "--output", str(output)],
        cwd=ROOT, env={**os.environ, "FORMWORK_BENCH_POSTGRES_URL": unreachable}, capture_output=True, text=True,
        timeout=120, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    report = json.loads(output.read_text())
    rows = {row["name"]: row for row in report["results"]}
    measured = [rows["submit pipeline vs raw inserts (SQLite)"], rows["validation vs fastjsonschema, 30-field answer"],
                rows["renderer vs hand-written Streamlit, 50-field form"]]
    assert all(row["ratio"] > 0 and row["met"] in (True, False) and row["target"] for row in measured)
    assert rows["submit (PostgreSQL)"]["measured"] == "not run" and "not reachable" in rows["submit (PostgreSQL)"]["note"]
    assert report["quick"] is True and report["machine"]["cpus"] >= 1 and report["machine"]["cpu_model"]
    table = finished.stdout[finished.stdout.index("| benchmark"):]
    assert "| submit pipeline vs raw inserts (SQLite)" in table and "| validation vs fastjsonschema" in table
    assert "| renderer vs hand-written Streamlit, 50-field form" in table
    assert "not run (PostgreSQL at 127.0.0.1:1/nothing not reachable" in table


@pytest.mark.parametrize(("module", "arguments", "row"), [
    ("bench.inbox", ("--requests", "2000", "--queries", "10"),
     re.escape("inbox page p95 at 2,000 requests vs bare indexed query")),
    # Requests are built until there are 3,000 audit events: how many requests that takes is the builder's.
    ("bench.dashboard", ("--events", "3000"), r"dashboard view at [0-9,]+ requests \([0-9,]+ events\) vs bare GROUP BY"),
], ids=["inbox", "dashboard"])
def test_a_benchmark_run_alone_prints_its_ratio_row(module: str, arguments: tuple[str, ...], row: str) -> None:
    finished = subprocess.run([sys.executable, "-m", module, *arguments], cwd=ROOT, capture_output=True, text=True,
                              timeout=60, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    # | name | measured | baseline | ratio | target | met |, the ratio a number
    line = re.search(rf"^\| {row} +\|[^|]+\|[^|]+\| *([0-9][0-9,.]*) *\|[^|]+\| *(met|NOT met) *\|$",
                     finished.stdout, re.MULTILINE)
    assert line, finished.stdout[-3000:]
    assert float(line.group(1).replace(",", "")) > 0

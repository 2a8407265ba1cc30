"""Run every benchmark and print one table of ratios against baselines measured in the same run.

    python -m bench.run [--quick] [--only submit,inbox,...] [--output test-output/bench.json]

Each benchmark runs in its own Python process (``python -m bench.<name>``), so that no memory, cache
or imported module of one leaks into the next; its detail lines are shown as they come, and its
result rows are collected from the file named by ``FORMWORK_BENCH_RESULTS``. ``--quick`` runs every
benchmark at a small size: a smoke run that the code still works, not a measurement.

The submit benchmark runs a second time on PostgreSQL when ``FORMWORK_BENCH_POSTGRES_URL`` (default:
the local test database) answers; it gets a schema of its own, dropped afterwards. Otherwise the
table says "not run" and why. The table and the machine it ran on are also written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.report import RESULTS_ENV, Result, not_run, read, table

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ENV = "FORMWORK_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    postgres: bool = False  # takes --database-url and runs once more on PostgreSQL


BENCHMARKS = (
    Benchmark("submit", "bench.submit", (), ("--count", "20"), postgres=True),
    Benchmark("inbox", "bench.inbox", (), ("--requests", "20000", "--queries", "30")),
    Benchmark("render", "bench.render", (), ("--runs", "1", "--quick")),
    Benchmark("validate", "bench.validate", (), ("--seconds", "0.15")),
    Benchmark("dashboard", "bench.dashboard", (), ("--events", "20000")),
    Benchmark("startup", "bench.startup", (), ("--rounds", "1")),
)
NAMES = tuple(b.name for b in BENCHMARKS)


def machine() -> dict[str, object]:
    """What the figures were measured on: they mean little without it."""
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor() or "unknown")
    kib = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "ram_gib": round(kib / 1024 / 1024, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load_average_at_start": _load()}


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _schema_url(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schema(url: str) -> Iterator[tuple[str | None, str]]:
    """A fresh schema on the PostgreSQL server, dropped afterwards; (None, why) when it cannot be reached."""
    from sqlalchemy import create_engine, text

    schema = f"bench_{secrets.token_hex(5)}"
    try:
        admin = create_engine(url, connect_args={"connect_timeout": 3})
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # any failure to reach or use the server means: run on SQLite only
        yield None, f"PostgreSQL at {url.split('@')[-1]} not reachable: {type(exc).__name__}"
        return
    try:
        yield _schema_url(url, schema), ""
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run_one(benchmark: Benchmark, arguments: Sequence[str], label: str) -> list[Result]:
    """One benchmark in its own process; its rows, or one failed row when it did not finish."""
    print(f"\n## {label}: python -m {benchmark.module} {' '.join(arguments)}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        results_file = Path(folder) / "results.jsonl"
        started = time.perf_counter()
        process = subprocess.run([sys.executable, "-m", benchmark.module, *arguments], cwd=ROOT,
                                 env={**os.environ, RESULTS_ENV: str(results_file)}, check=False)
        rows = read(results_file)
    print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    if process.returncode != 0 or not rows:
        return [Result(benchmark.name, label, "failed", "failed", None, "—", False,
                       f"exit code {process.returncode}, see its output above")]
    return rows


def run_all(chosen: Sequence[Benchmark], quick: bool, postgres_url: str) -> list[Result]:
    results: list[Result] = []
    for benchmark in chosen:
        arguments = list(benchmark.quick if quick else benchmark.full)
        results += run_one(benchmark, arguments, benchmark.name)
        if benchmark.postgres:
            with postgres_schema(postgres_url) as (url, why):
                if url is None:
                    results.append(not_run(benchmark.name, f"{benchmark.name} (PostgreSQL)", "—", why))
                else:
                    results += run_one(benchmark, [*arguments, "--database-url", url], f"{benchmark.name} (PostgreSQL)")
    return results


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    parser.add_argument("--only", default=",".join(NAMES), help=f"comma-separated, from: {', '.join(NAMES)}")
    parser.add_argument("--output", type=Path, default=ROOT / "test-output" / "bench.json")
    arguments = parser.parse_args(argv)
    unknown = set(arguments.only.split(",")) - set(NAMES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(NAMES)}")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    wanted = arguments.only.split(",")
    chosen = [b for b in BENCHMARKS if b.name in wanted]
    about = machine()
    results = run_all(chosen, arguments.quick, os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES))
    about["load_average_at_end"] = _load()
    print(f"\n# Benchmarks{' (quick mode: smoke sizes, not measurements)' if arguments.quick else ''}")
    print(f"{about['cpus']} CPUs ({about['cpu_model']}), {about['ram_gib']} GiB RAM, Python {about['python']}, "
          f"SQLite {about['sqlite']}, {about['date']}; load average {about['load_average_at_start']} at start, "
          f"{about['load_average_at_end']} at end\n")
    print(table(results))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps({"quick": arguments.quick, "machine": about,
                                            "results": [asdict(r) for r in results]}, indent=2) + "\n")
    print(f"\n(also written to {arguments.output})")
    return 1 if any(r.measured == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The result record every benchmark hands to ``bench.run``, and the table it is printed in.

A benchmark prints its own detail lines for people, then calls ``emit`` with one ``Result`` per
figure. Run on its own, ``emit`` prints the rows; under ``python -m bench.run`` (which sets
``FORMWORK_BENCH_RESULTS`` to a file) it also appends them as JSON lines for the runner to collect.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_ENV = "FORMWORK_BENCH_RESULTS"
NOT_RUN = "not run"


@dataclass(frozen=True)
class Result:
    """One row: what was measured, the baseline measured in the same run, their ratio and the target.

    ``ratio`` is always measured / baseline in the unit shown (a rate or a time), and ``target`` says
    in words which way is good. ``met`` is None for a row shown for information (no target of its own)
    and for a benchmark that did not run (``measured`` is "not run" and ``note`` says why).
    """

    benchmark: str
    name: str
    measured: str
    baseline: str
    ratio: float | None
    target: str
    met: bool | None
    note: str = ""


def not_run(benchmark: str, name: str, target: str, reason: str) -> Result:
    return Result(benchmark, name, NOT_RUN, NOT_RUN, None, target, None, reason)


def emit(results: Sequence[Result]) -> None:
    """Print the rows, and hand them to ``bench.run`` when it is the caller."""
    print(table(results))
    destination = os.environ.get(RESULTS_ENV)
    if destination:
        with Path(destination).open("a", encoding="utf-8") as out:
            for result in results:
                out.write(json.dumps(asdict(result)) + "\n")


def read(path: Path) -> list[Result]:
    if not path.exists():
        return []
    return [Result(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _verdict(result: Result) -> str:
    if result.met is None:
        return "not run" if result.measured == NOT_RUN else "—"
    return "met" if result.met else "NOT met"


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def table(results: Sequence[Result]) -> str:
    """A Markdown table, readable in a terminal and pasted as is into the README."""
    header = ("benchmark", "measured", "baseline (same run)", "ratio", "target", "")
    rows = [(r.name, r.measured, r.baseline, _ratio(r.ratio), r.target,
             _verdict(r) + (f" ({r.note})" if r.note else "")) for r in results]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])

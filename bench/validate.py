"""Validations per second of a 30-field answer: our safe validator next to fastjsonschema.

    python -m bench.validate [--seconds 2]

Same schema (draft-07 compatible, so fastjsonschema understands all of it), same answers, same
process. Ours is ``builder.validation.field_errors``: a validator built once per schema and cached,
RE2 patterns, our format checks, answer size/depth limits and plain-language messages.
fastjsonschema compiles the schema to Python code and only says valid / first error, so it is a
ceiling, not a peer. Prints both rates and the ratio (ours / fastjsonschema).

Target: our checks (RE2, size and depth limits, messages) cost at most half of what plain jsonschema
does, i.e. ours / fastjsonschema >= half of (jsonschema Draft 2020-12 validator built once) /
fastjsonschema, all three measured in this run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fastjsonschema  # noqa: E402 - after the path is set for standalone runs
from jsonschema import Draft202012Validator  # noqa: E402

from bench.report import Result, emit  # noqa: E402
from builder.validation import field_errors  # noqa: E402


def schema_30() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for i in range(30):
        properties[f"f{i:02d}"] = [
            {"type": "string", "maxLength": 200, "minLength": 1},
            {"type": "integer", "minimum": 0, "maximum": 1000},
            {"type": "string", "enum": ["alpha", "beta", "gamma", "delta"]},
            {"type": "boolean"},
            {"type": "string", "format": "date", "maxLength": 10},
            {"type": "string", "format": "email", "maxLength": 254},
            {"type": "string", "pattern": "^[0-9]{4}$", "maxLength": 4},
        ][i % 7]
    return {"type": "object", "properties": properties, "required": [f"f{i:02d}" for i in range(0, 30, 3)],
            "additionalProperties": False}


def answers_30() -> dict[str, Any]:
    values = ["Market Street 12", 42, "gamma", True, "2026-03-14", "riley@example.org", "1000"]
    return {f"f{i:02d}": values[i % 7] for i in range(30)}


def rate(check: Callable[[], object], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            check()
        count += 100
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    schema, answers = schema_30(), answers_30()
    compiled = fastjsonschema.compile(schema, formats={"date": r"^\d{4}-\d{2}-\d{2}$"})
    assert field_errors(schema, answers) == [] and compiled(answers) == answers
    plain = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert plain.is_valid(answers)
    rates = {"fast": 0.0, "plain": 0.0, "ours": 0.0}
    checks = {"fast": lambda: compiled(answers), "plain": lambda: plain.is_valid(answers),
              "ours": lambda: field_errors(schema, answers)}
    for _ in range(3):  # alternate, so that a neighbour's load on a shared machine falls on all three
        for name, check in checks.items():
            rates[name] += rate(check, args.seconds / 3) / 3
    print(f"fastjsonschema:          {rates['fast']:,.0f} validations/s (30-field answer)")
    print(f"jsonschema, built once:  {rates['plain']:,.0f} validations/s")
    print(f"builder.validation:      {rates['ours']:,.0f} validations/s")
    ratio, floor = rates["ours"] / rates["fast"], rates["plain"] / rates["fast"] / 2
    emit([Result("validate", "validation vs fastjsonschema, 30-field answer", f"{rates['ours']:,.0f}/s",
                 f"{rates['fast']:,.0f}/s", ratio, f"rate ratio >= {floor:.3f} (half of plain jsonschema's)",
                 ratio >= floor)])

if __name__ == "__main__":
    main()

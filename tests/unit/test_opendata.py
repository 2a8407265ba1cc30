"""Open data export: personal canaries never leave, small groups are suppressed, formulas are defused."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from builder.definition import parse_definition
from builder.opendata import OpenRecord, build_export, publishable_fields, to_csv, to_json

KEY = b"k" * 32
TEMPLATES = Path(__file__).resolve().parents[2] / "schemas" / "templates"
CANARY_NAME = "Zebulon Quaxworth"
CANARY_EMAIL = "canary-7f3a@resident.example"


def pothole(**settings: object) -> object:
    document = json.loads((TEMPLATES / "report-pothole.json").read_text())
    document["settings"].update(settings)
    return parse_definition(document)


def record(n: int, size: str = "small", dangerous: bool = False, day: int = 3, **extra: object) -> OpenRecord:
    answers = {"location": f"{n} Main Street", "size": size, "dangerous": dangerous, "name": CANARY_NAME,
               "email": CANARY_EMAIL, **extra}
    return OpenRecord(f"PW-2026-{n:05d}", datetime(2026, 10, day, 14, 37, tzinfo=UTC), "approved", answers)


def everything(export: object) -> str:
    return to_csv(export.columns, export.rows) + to_json(export)  # type: ignore[attr-defined]


def test_personal_canaries_never_appear_even_when_also_marked_publishable() -> None:
    # The designer (wrongly) marks the name publishable too: personal wins.
    definition = pothole(open_data=["size", "dangerous", "name", "details"])
    records = [record(n, details=f"Ask {CANARY_NAME} at {CANARY_EMAIL} = neighbour") for n in range(8)]
    export = build_export(definition, records, KEY)
    text = everything(export)
    assert CANARY_NAME not in text and CANARY_NAME.lower() not in text.lower()
    assert CANARY_EMAIL not in text
    assert "name" not in export.columns and publishable_fields(definition) == ["size", "dangerous", "details"]
    assert export.rows[0]["details"] == "Ask [removed] at [removed] = neighbour"


def test_unpublished_fields_and_references_stay_inside() -> None:
    export = build_export(pothole(), [record(n) for n in range(6)], KEY)
    text = everything(export)
    assert "Main Street" not in text  # location is not marked publishable
    assert "PW-2026-" not in text
    assert export.columns == ["id", "month", "status", "size", "dangerous"]
    assert len({row["id"] for row in export.rows}) == 6
    # Same key, same pseudonym; another key gives others.
    again = build_export(pothole(), [record(n) for n in range(6)], KEY)
    other = build_export(pothole(), [record(n) for n in range(6)], b"o" * 32)
    assert [r["id"] for r in again.rows] == [r["id"] for r in export.rows]
    assert not {r["id"] for r in other.rows} & {r["id"] for r in export.rows}


def test_dates_are_generalised_to_the_month() -> None:
    export = build_export(pothole(), [record(n, day=1 + n) for n in range(5)], KEY)
    assert {row["month"] for row in export.rows} == {"2026-10"}
    assert "14:37" not in everything(export) and "2026-10-03" not in everything(export)


def test_groups_smaller_than_five_are_suppressed() -> None:
    records = [record(n, size="small") for n in range(6)] + [record(100 + n, size="large") for n in range(2)]
    export = build_export(pothole(), records, KEY)
    assert {row["size"] for row in export.rows} == {"small"}
    assert export.suppressed_rows == 2
    counts = {(a["dimension"], a["value"]): a["count"] for a in export.aggregates}
    assert counts[("size", "small")] == 6
    assert counts[("size", "large")] == "<5"
    assert counts[("month", "2026-10")] == 8


@pytest.mark.parametrize("payload", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_spreadsheet_formulas_are_escaped(payload: str) -> None:
    definition = pothole(open_data=["size", "details"])
    export = build_export(definition, [record(n, details=payload) for n in range(5)], KEY)
    csv_text = to_csv(export.columns, export.rows)
    cells = [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]
    assert "'" + payload in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t"))]
    assert json.loads(to_json(export))["rows"][0]["details"] == "'" + payload


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="too short"):
        build_export(pothole(), [], b"short")

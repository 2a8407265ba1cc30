"""Open data export: personal canaries never leave, small groups are suppressed, formulas are defused."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from builder.definition import parse_definition
from builder.opendata import (OpenRecord, area, build_export, postcode_district, publishable_fields, to_csv,
                              to_json)

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


# ------------------------------------------------------------------ addresses: published as their area

CANARY_STREET = "Quillonby Crescent 42"
ADDRESS = {"type": "object", "title": "Where", "required": ["street", "city"], "properties": {
    "street": {"type": "string", "title": "Street and number"}, "postcode": {"type": "string", "title": "Postcode"},
    "city": {"type": "string", "title": "Town or city"}}}


def with_address(**settings: object) -> object:
    document = json.loads((TEMPLATES / "report-pothole.json").read_text())
    document["schema"]["properties"]["where"] = ADDRESS
    document["settings"].update({"open_data": ["size", "where"], **settings})
    return parse_definition(document)


def at(n: int, postcode: str | None, city: str = "Springfield") -> OpenRecord:
    address = {"street": f"{CANARY_STREET}-{n}", "city": city} | ({"postcode": postcode} if postcode else {})
    return record(n, where=address)


def test_an_address_is_published_as_its_area_never_its_street() -> None:
    records = ([at(n, "1234 AB") for n in range(6)] + [at(10 + n, "1234 XY") for n in range(2)]
               + [at(20 + n, "SW1A 1AA", "London") for n in range(5)] + [at(30 + n, None, "Shelbyville") for n in range(5)])
    export = build_export(with_address(), records, KEY)
    text = everything(export)
    assert "Quillonby" not in text and "Crescent" not in text
    assert " AB" not in text and "1AA" not in text  # the postcode's inward part stays too
    assert {row["where"] for row in export.rows} == {"1234 Springfield", "SW1A London", "Shelbyville"}
    counts = {(a["dimension"], a["value"]): a["count"] for a in export.aggregates}
    assert counts[("area", "1234 Springfield")] == 8  # "1234 AB" and "1234 XY": the same district
    assert counts[("area", "SW1A London")] == 5
    assert counts[("area", "Shelbyville")] == 5
    assert "where" in export.columns


def test_small_areas_are_neither_published_nor_named() -> None:
    records = ([at(n, "1234 AB") for n in range(6)] + [at(10, "9876 ZZ", "Hamletton")]
               + [at(11 + n, "5555 QQ", "Tinyburg") for n in range(3)])
    export = build_export(with_address(), records, KEY)
    text = everything(export)
    assert "Hamletton" not in text and "Tinyburg" not in text and "9876" not in text
    assert {row["where"] for row in export.rows} == {"1234 Springfield"}
    assert export.suppressed_rows == 4
    counts = {(a["dimension"], a["value"]): a["count"] for a in export.aggregates if a["dimension"] == "area"}
    assert counts == {("area", "1234 Springfield"): 6, ("area", "(other areas)"): "<5"}
    # Pooled small areas are counted once they are five together, still without their names.
    more = records + [at(20, "4444 PP", "Smallford")]
    pooled = {a["value"]: a["count"] for a in build_export(with_address(), more, KEY).aggregates
              if a["dimension"] == "area"}
    assert pooled == {"1234 Springfield": 6, "(other areas)": 5}


def test_an_address_marked_personal_is_not_published_and_its_street_is_scrubbed_from_texts() -> None:
    definition = with_address(open_data=["size", "where", "details"], personal_data=["name", "email", "where"])
    records = [record(n, where={"street": CANARY_STREET, "postcode": "1234 AB", "city": "Springfield"},
                      details=f"Near {CANARY_STREET}") for n in range(5)]
    export = build_export(definition, records, KEY)
    assert "where" not in export.columns and CANARY_STREET not in everything(export)


@pytest.mark.parametrize(("postcode", "district"), [
    ("1234 AB", "1234"), ("1234ab", "1234"), ("SW1A 1AA", "SW1A"), ("sw1a1aa", "SW1A"), ("75001", "75001"),
    ("K1A 0B1", "K1A"), ("Flat 3", None), ("Jane", None), ("", None), (None, None)])
def test_the_district_of_a_postcode(postcode: str | None, district: str | None) -> None:
    assert postcode_district(postcode) == district


def test_the_area_of_an_address() -> None:
    assert area({"street": CANARY_STREET, "postcode": "1234 AB", "city": "Springfield"}) == "1234 Springfield"
    assert area({"street": CANARY_STREET, "city": " Spring  field "}) == "Spring field"
    assert area({"street": CANARY_STREET, "postcode": "not a code", "city": "Springfield"}) == "Springfield"
    assert area("Market Street 12") is None


@pytest.mark.parametrize("payload", ["\n=1+1", "\r=1+1", "＝HYPERLINK(\"http://evil\")", "＋1+1", "－2+3", "＠SUM(A1)"])
def test_open_data_and_the_staff_exports_escape_by_the_same_rule(payload: str) -> None:
    """Line breaks and the full-width signs a spreadsheet reads as = + - @ are escaped in every export."""
    from builder.spreadsheet import to_csv as sheet_csv, to_xlsx

    open_csv = to_csv(["details"], [{"details": payload}])
    assert list(csv.reader(io.StringIO(open_csv, newline="")))[1] == ["'" + payload]
    staff_csv = sheet_csv([{"details": payload}]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(staff_csv, newline="")))[1] == ["'" + payload]
    import openpyxl
    cell = openpyxl.load_workbook(io.BytesIO(to_xlsx([{"details": payload}]))).active["A2"].value
    assert cell.startswith("'") and cell[1:].strip() == payload.strip()  # XML stores a lone "\r" as "\n"


def test_numbers_in_a_staff_export_are_not_taken_for_formulas() -> None:
    from builder.spreadsheet import to_csv as sheet_csv

    exported = sheet_csv([{"Days": -1.5, "Count": 3, "Note": "-1.5", "Empty": None}]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(exported)))[1] == ["-1.5", "3", "'-1.5", ""]

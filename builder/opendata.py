"""Open data: what a form's requests may tell the public (pure: no database, no Streamlit).

Only the fields the designer marked publishable (``settings.open_data``) leave, and never one that is
also marked personal (``settings.personal_data``): personal wins. On top of that:

- each request is named by a keyed HMAC of its reference, so rows can be followed from one export
  to the next but not traced back to a reference without the city's key;
- dates are generalised to the month (the submission date and any published date field);
- an address is generalised to its area: the postcode's district part (``1234 AB`` → ``1234``,
  ``SW1A 1AA`` → ``SW1A``) and the town or city, e.g. ``1234 Springfield``; the street and number
  never leave. Areas count as categories for the groups below, and an area shared by fewer than
  ``MIN_GROUP`` requests is not named in the aggregates: those are counted together as
  ``OTHER_AREAS`` (the aggregates' dimension is ``area``, or ``area:<field>`` when a form
  publishes several address fields);
- a published text that happens to contain a personal value of any exported request (a resident
  who typed their name into "details") has that value replaced by ``[removed]``;
- rows are published only when at least ``MIN_GROUP`` requests share the same month, status,
  category and area answers (k-anonymity on the answers a neighbour could know); aggregate counts below
  ``MIN_GROUP`` are shown as ``<5``;
- text cells starting with a spreadsheet formula character get a leading apostrophe (the one rule of
  ``builder.spreadsheet``, shared with the inbox and dashboard exports).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from builder.definition import FormDefinition
from builder.spreadsheet import escape_text

MIN_GROUP = 5
SUPPRESSED = f"<{MIN_GROUP}"
REMOVED = "[removed]"
OTHER_AREAS = "(other areas)"
AREA = "area"
_SHORTEST_SCRUBBED = 3  # shorter personal values ("A", "12") would blank ordinary words


@dataclass(frozen=True)
class OpenRecord:
    """One request as the export sees it."""

    reference: str
    submitted_at: datetime
    state: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class OpenDataExport:
    form: str
    columns: list[str]
    rows: list[dict[str, Any]]
    aggregates: list[dict[str, Any]]  # {"dimension", "value", "count"}
    suppressed_rows: int


def publishable_fields(definition: FormDefinition) -> list[str]:
    """The fields that may be published: marked open data and not marked personal."""
    personal = set(definition.settings.personal_data)
    return [name for name in definition.settings.open_data if name not in personal]


def pseudonym(key: bytes, form: str, reference: str) -> str:
    return hmac.new(key, f"{form}\x00{reference}".encode(), hashlib.sha256).hexdigest()[:20]


def build_export(definition: FormDefinition, records: Iterable[OpenRecord], key: bytes) -> OpenDataExport:
    if len(key) < 16:
        raise ValueError("The pseudonymisation key is too short.")
    fields = publishable_fields(definition)
    kinds = {name: _kind(_property_schema(definition.schema_, name) or {}) for name in fields}
    chosen = list(records)
    scrub = _scrubber(chosen, definition.settings.personal_data)
    rows = [_row(definition.slug, record, fields, kinds, key, scrub) for record in chosen]
    categories = ["month", "status"] + [name for name in fields if kinds[name] in {"category", "date", AREA}]
    groups = Counter(_group_key(row, categories) for row in rows)
    published = [row for row in rows if groups[_group_key(row, categories)] >= MIN_GROUP]
    columns = ["id", "month", "status", *fields]
    return OpenDataExport(definition.slug, columns, published, _aggregates(rows, categories, _area_dimensions(kinds)),
                          len(rows) - len(published))


def area(address: Any) -> str | None:
    """The area of an address answer: its postcode's district part and its town or city, never the street.

    ``{"street": "Market Street 12", "postcode": "1234 AB", "city": "Springfield"}`` → ``1234 Springfield``;
    without a (recognisable) postcode, the city alone.
    """
    if not isinstance(address, dict):
        return None
    city = " ".join(str(address.get("city") or "").split())
    parts = [part for part in (postcode_district(address.get("postcode")), city) if part]
    return " ".join(parts) or None


_SPACELESS = (re.compile(r"(\d+)[A-Z]+"),  # 1234AB (Netherlands) → 1234
              re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)\d[A-Z]{2}"))  # SW1A1AA (United Kingdom) → SW1A
_DISTRICT = re.compile(r"(?=[A-Z-]*\d)[A-Z0-9-]{2,8}")  # what a district looks like: short, with a digit


def postcode_district(postcode: Any) -> str | None:
    """The part of a postcode before the space (``1234 AB`` → ``1234``, ``SW1A 1AA`` → ``SW1A``), or the
    whole postcode when it has no inward part (``75001``); ``None`` when it does not look like one."""
    if not isinstance(postcode, str) or not postcode.strip():
        return None
    code = postcode.upper().split()[0]
    if len(postcode.split()) == 1:
        for spaceless in _SPACELESS:
            match = spaceless.fullmatch(code)
            if match:
                code = match.group(1)
                break
    return code if _DISTRICT.fullmatch(code) else None


def _area_dimensions(kinds: dict[str, str]) -> dict[str, str]:
    """Each published address field's aggregate dimension: ``area``, or ``area:<field>`` with several."""
    names = [name for name, kind in kinds.items() if kind == AREA]
    return {name: AREA if len(names) == 1 else f"{AREA}:{name}" for name in names}


def _row(form: str, record: OpenRecord, fields: list[str], kinds: dict[str, str], key: bytes,
         scrub: re.Pattern[str] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": pseudonym(key, form, record.reference),
                           "month": record.submitted_at.strftime("%Y-%m"), "status": record.state}
    for name in fields:
        value = record.answers.get(name)
        row[name] = _area_cell(value) if kinds[name] == AREA else _cell(value, kinds[name], scrub)
    return row


def _area_cell(value: Any) -> str | None:
    found = area(value)
    return None if found is None else escape_text(found)


def _cell(value: Any, kind: str, scrub: re.Pattern[str] | None) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        return "; ".join(str(_cell(item, kind, scrub)) for item in value)
    if isinstance(value, dict):
        if "street" in value:  # an address inside a published group of fields: its area only
            return _area_cell(value)
        return _cell(json.dumps(value, sort_keys=True, ensure_ascii=False), "text", scrub)
    text = str(value)
    if kind == "date":
        return text[:7]  # generalised to the month
    if scrub is not None:
        text = scrub.sub(REMOVED, text)
    return escape_text(text)


def _scrubber(records: list[OpenRecord], personal: list[str]) -> re.Pattern[str] | None:
    values: set[str] = set()
    for record in records:
        for name in personal:
            values.update(_strings(record.answers.get(name)))
    values = {v for v in values if len(v) >= _SHORTEST_SCRUBBED}
    if not values:
        return None
    # Longest first, so "Jane Doe" is removed whole rather than leaving "Doe".
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)), re.IGNORECASE)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value.strip()
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def _group_key(row: dict[str, Any], categories: list[str]) -> tuple[str, ...]:
    return tuple(str(row.get(name)) for name in categories)


def _aggregates(rows: list[dict[str, Any]], categories: list[str], areas: dict[str, str]) -> list[dict[str, Any]]:
    result = []
    for column in categories:
        counts = Counter("" if row.get(column) is None else str(row.get(column)) for row in rows)
        dimension = areas.get(column, column)
        if column in areas:  # free text in origin: a small area is not named, only counted with the others
            small = {value: count for value, count in counts.items() if value and count < MIN_GROUP}
            counts = Counter({value: count for value, count in counts.items() if value not in small})
            if small:
                counts[OTHER_AREAS] = sum(small.values())
        for value, count in sorted(counts.items()):
            result.append({"dimension": dimension, "value": escape_text(value),
                           "count": count if count >= MIN_GROUP else SUPPRESSED})
    return result


def _kind(schema: dict[str, Any]) -> str:
    """"category" for answers from a fixed list, "date" for dates, "area" for addresses, "text" for the rest."""
    if _is_address(schema.get("properties")):
        return AREA
    if schema.get("format") in {"date", "date-time"}:
        return "date"
    if "enum" in schema or "const" in schema or schema.get("type") == "boolean":
        return "category"
    options = schema.get("oneOf") or schema.get("anyOf")
    if options and all(isinstance(o, dict) and "const" in o for o in options):
        return "category"
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, dict) and _kind(items) == "category":
        return "category"
    return "text"


def _is_address(value: Any) -> bool:
    """An address field's properties (schema) or answer: a street and a city, as the builder writes it."""
    return isinstance(value, dict) and {"street", "city"} <= set(value)


def _property_schema(schema: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A top-level property's schema, also when it lives in a conditional branch."""
    properties = schema.get("properties")
    if isinstance(properties, dict) and isinstance(properties.get(name), dict):
        return properties[name]
    branches: list[Any] = [schema.get(k) for k in ("then", "else")]
    branches += list(schema.get("allOf", [])) + list(schema.get("oneOf", [])) + list(schema.get("anyOf", []))
    branches += list((schema.get("dependentSchemas") or {}).values())
    for branch in branches:
        if isinstance(branch, dict):
            found = _property_schema(branch, name)
            if found is not None:
                return found
    return None


def to_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    # RFC 4180 line ends: with "\n" alone the writer leaves a "\r" in a value unquoted, and a spreadsheet
    # would break the row there.
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, str):
        return escape_text(value)
    return "" if value is None else value


def to_json(export: OpenDataExport) -> str:
    return json.dumps({"form": export.form, "columns": export.columns, "rows": export.rows,
                       "aggregates": export.aggregates, "suppressed_rows": export.suppressed_rows,
                       "minimum_group_size": MIN_GROUP}, ensure_ascii=False, indent=2)

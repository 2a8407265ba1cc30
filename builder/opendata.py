"""Open data: what a form's requests may tell the public (pure: no database, no Streamlit).

Only the fields the designer marked publishable (``settings.open_data``) leave, and never one that is
also marked personal (``settings.personal_data``): personal wins. On top of that:

- each request is named by a keyed HMAC of its reference, so rows can be followed from one export
  to the next but not traced back to a reference without the city's key;
- dates are generalised to the month (the submission date and any published date field);
- a published text that happens to contain a personal value of any exported request (a resident
  who typed their name into "details") has that value replaced by ``[removed]``;
- rows are published only when at least ``MIN_GROUP`` requests share the same month, status and
  category answers (k-anonymity on the answers a neighbour could know); aggregate counts below
  ``MIN_GROUP`` are shown as ``<5``;
- text cells starting with a spreadsheet formula character get a leading apostrophe.
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

MIN_GROUP = 5
SUPPRESSED = f"<{MIN_GROUP}"
REMOVED = "[removed]"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
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


def escape_formula(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def build_export(definition: FormDefinition, records: Iterable[OpenRecord], key: bytes) -> OpenDataExport:
    if len(key) < 16:
        raise ValueError("The pseudonymisation key is too short.")
    fields = publishable_fields(definition)
    kinds = {name: _kind(_property_schema(definition.schema_, name) or {}) for name in fields}
    chosen = list(records)
    scrub = _scrubber(chosen, definition.settings.personal_data)
    rows = [_row(definition.slug, record, fields, kinds, key, scrub) for record in chosen]
    categories = ["month", "status"] + [name for name in fields if kinds[name] in {"category", "date"}]
    groups = Counter(_group_key(row, categories) for row in rows)
    published = [row for row in rows if groups[_group_key(row, categories)] >= MIN_GROUP]
    columns = ["id", "month", "status", *fields]
    return OpenDataExport(definition.slug, columns, published, _aggregates(rows, categories),
                          len(rows) - len(published))


def _row(form: str, record: OpenRecord, fields: list[str], kinds: dict[str, str], key: bytes,
         scrub: re.Pattern[str] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": pseudonym(key, form, record.reference),
                           "month": record.submitted_at.strftime("%Y-%m"), "status": record.state}
    for name in fields:
        row[name] = _cell(record.answers.get(name), kinds[name], scrub)
    return row


def _cell(value: Any, kind: str, scrub: re.Pattern[str] | None) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        return "; ".join(str(_cell(item, kind, scrub)) for item in value)
    if isinstance(value, dict):
        return _cell(json.dumps(value, sort_keys=True, ensure_ascii=False), "text", scrub)
    text = str(value)
    if kind == "date":
        return text[:7]  # generalised to the month
    if scrub is not None:
        text = scrub.sub(REMOVED, text)
    return escape_formula(text)


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


def _aggregates(rows: list[dict[str, Any]], categories: list[str]) -> list[dict[str, Any]]:
    result = []
    for dimension in categories:
        counts = Counter("" if row.get(dimension) is None else str(row.get(dimension)) for row in rows)
        for value, count in sorted(counts.items()):
            result.append({"dimension": dimension, "value": escape_formula(value),
                           "count": count if count >= MIN_GROUP else SUPPRESSED})
    return result


def _kind(schema: dict[str, Any]) -> str:
    """"category" for answers from a fixed list, "date" for dates, "text" for the rest."""
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
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, str):
        return escape_formula(value)
    return "" if value is None else value


def to_json(export: OpenDataExport) -> str:
    return json.dumps({"form": export.form, "columns": export.columns, "rows": export.rows,
                       "aggregates": export.aggregates, "suppressed_rows": export.suppressed_rows,
                       "minimum_group_size": MIN_GROUP}, ensure_ascii=False, indent=2)

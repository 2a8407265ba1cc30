"""CSV and XLSX exports that a spreadsheet cannot turn into formulas.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed, or with
the full-width ``＝ ＋ － ＠`` (which Excel and LibreOffice read as their ASCII forms), can be run as a
formula (CSV injection). Such cells get a leading apostrophe, the convention both programs show as
plain text. This is the one rule for every export: the inbox, the dashboard tables and open data
(``builder.opendata``). Numbers are written as they are -- a negative figure is not text to escape.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def escape_text(text: str) -> str:
    """Keep a spreadsheet from running a text cell as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def escape_cell(value: object) -> str:
    """A cell's text: None empty, numbers as written, any other value escaped as text."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return escape_text(str(value))


def _table(rows: Sequence[Mapping[str, object]]) -> tuple[list[str], list[list[str]]]:
    header = list(rows[0]) if rows else []
    return [escape_cell(h) for h in header], [[escape_cell(row.get(h, "")) for h in header] for row in rows]


def to_csv(rows: Sequence[Mapping[str, object]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows accents correctly."""
    header, body = _table(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[Mapping[str, object]], sheet: str = "Requests") -> bytes:
    header, body = _table(rows)
    book = Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(header)
    for row in body:
        worksheet.append(row)
    for cells in worksheet.iter_rows():
        for cell in cells:
            cell.data_type = "s"  # text, never a formula, whatever the content
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""CSV and XLSX exports that a spreadsheet cannot turn into formulas.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
Excel and LibreOffice (CSV injection). Such cells get a leading apostrophe, the convention both
programs show as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _table(rows: Sequence[dict[str, str]]) -> tuple[list[str], list[list[str]]]:
    header = list(rows[0]) if rows else []
    return [escape_cell(h) for h in header], [[escape_cell(row.get(h, "")) for h in header] for row in rows]


def to_csv(rows: Sequence[dict[str, str]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows accents correctly."""
    header, body = _table(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[dict[str, str]], sheet: str = "Requests") -> bytes:
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

"""CSV and XLSX downloads of a report's table: one helper that every report uses."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

EXPORT_FORMATS = ("csv", "xlsx")
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# a student name or class name from an SIS export is not trusted text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _safe_text(str(value))


def tabular_response(
    rows: Iterable[Sequence], headers: Sequence[str], filename: str, fmt: str
) -> HttpResponse:
    """A download of `rows` under `headers` as CSV or XLSX.

    Args:
        rows: one sequence of cell values per line; ints and Decimals stay numbers, dates
            stay dates (ISO 8601 in CSV), None is an empty cell, booleans are "yes"/"no",
            anything else is text (a leading =, +, - or @ is neutralised).
        headers: the first line.
        filename: the download's name without extension (".csv"/".xlsx" is added).
        fmt: "csv" or "xlsx".

    Raises:
        ValueError: for any other `fmt` (the view decides which formats it offers).
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    content = _csv_bytes(rows, headers) if fmt == "csv" else _xlsx_bytes(rows, headers)
    response = HttpResponse(content, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _csv_bytes(rows, headers) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    # A byte-order mark makes Excel read the file as UTF-8 (names with accents).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_bytes(rows, headers) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Report")
    bold = Font(bold=True)

    def cell(value, *, header: bool = False):
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, datetime.datetime):
            value = value.replace(tzinfo=None)
        elif value is not None and not isinstance(value, int | Decimal | float | datetime.date):
            value = str(value)
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            # openpyxl would store a text starting with "=" as a formula.
            written.data_type = "s"
        if isinstance(value, datetime.date):
            written.number_format = "yyyy-mm-dd"
        if header:
            written.font = bold
        return written

    sheet.append([cell(h, header=True) for h in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

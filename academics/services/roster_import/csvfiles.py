"""Reading roster CSV files as they come out of real SIS exports.

Handles CR (old Mac), LF and CRLF line endings, a missing final newline, a UTF-8 byte
order mark, UTF-16 with its byte order mark, Windows-1252 text, quoted fields with commas
or line breaks, shuffled and unknown extra columns, and blank lines. Every row remembers
the physical line it starts on (header = line 1) so an error can name file, line and
field. A file cut short, or holding NUL bytes or bytes no encoding explains, is refused
(docs/design/roster.md).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RosterImportError

PROGRESS_EVERY = 2000

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass
class CsvFile:
    """One roster file: its header and its non-blank rows."""

    name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list, repr=False)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def has_column(self, column: str) -> bool:
        return column.lower() in self._index

    def header_name(self, column: str) -> str:
        """The column's name as the file spells it (for messages)."""
        index = self._index.get(column.lower())
        return self.columns[index] if index is not None else column

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(slots=True)
class Row:
    file: CsvFile = field(repr=False)
    line: int
    values: list[str]

    def get(self, column: str) -> str:
        """The stripped value of `column`, "" when the column or the value is missing."""
        index = self.file._index.get(column.lower())
        if index is None or index >= len(self.values):
            return ""
        return self.values[index]

    def error(self, column: str | None, message: str) -> RosterImportError:
        name = self.file.header_name(column) if column else None
        return RosterImportError(self.file.name, self.line, name, message)

    def required(self, column: str) -> str:
        value = self.get(column)
        if not value:
            raise self.error(column, "is empty")
        return value

    def date(self, column: str, *, shift_years: int = 0, required: bool = True):
        """The column as a `date` (US or ISO), moved `shift_years` forward; None if empty
        and not required. Raises RosterImportError for anything that is not a date."""
        text = self.get(column)
        if not text:
            if required:
                raise self.error(column, "is empty, a date is needed")
            return None
        try:
            value = parse_date(text)
        except ValueError:
            raise self.error(column, f'"{text}" is not a date') from None
        return shift_date(value, shift_years)

    def birth_date(self, column: str, on_invalid: Callable[[str], None]) -> datetime.date | None:
        """A date of birth, or None; two-digit years never land in the future (4/2/98 is
        1998). A birth date is not needed to place a student, so one that is no date
        (Clever's sample has 02/29/2005) is reported through `on_invalid`, not raised."""
        text = self.get(column)
        if not text:
            return None
        try:
            value = parse_date(text)
        except ValueError:
            on_invalid(
                f'{self.file.name} line {self.line}: {self.file.header_name(column)} "{text}"'
            )
            return None
        if value > datetime.date.today():
            value = shift_date(value, -100)
        return value


def parse_date(text: str) -> datetime.date:
    """ISO (2020-08-17, also with a time part) or US month/day/year (8/1/15, 08/01/2015).

    Two-digit years follow the POSIX rule: 00–68 are 2000–2068, 69–99 are 1969–1999.
    Raises ValueError for anything else.
    """
    text = text.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    if match := _US_DATE.match(text):
        month, day, year_text = match.groups()
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year < 69 else 1900
        return datetime.date(year, int(month), int(day))
    raise ValueError(text)


def shift_date(value: datetime.date, years: int) -> datetime.date:
    """`value` moved `years` forward (29 February becomes 28 February in a common year)."""
    if not years:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def split_list(text: str) -> list[str]:
    """A quoted multi-value field ("a,b") as its non-empty, stripped parts."""
    return [part.strip() for part in text.split(",") if part.strip()]


def read_csv(
    folder: Path,
    name: str,
    *,
    required_columns: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> CsvFile:
    """Read `folder/name` (the name matched case-insensitively).

    Raises RosterImportError if the file is missing, is not CSV, or lacks one of
    `required_columns` (column names match case-insensitively, in any order).
    """
    path = find_file(folder, name)
    if path is None:
        raise RosterImportError(name, None, None, f"file is missing from {folder}")
    text, guessed = _decode(path.name, path.read_bytes())
    # Only bytes no encoding explains leave NULs or (in a cp1252 guess) U+FFFD behind.
    suspect = "\x00" in text or (guessed and "\ufffd" in text)
    # newline="" keeps CR, LF and CRLF as line ends for csv while line_num still counts
    # physical lines, so a quoted field spanning lines keeps later line numbers right.
    reader = csv.reader(io.StringIO(text, newline=""))
    table: CsvFile | None = None
    previous_end = 0
    last_start, last_values = 0, []
    try:
        for values in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not values or all(not value.strip() for value in values):
                continue
            values = [value.strip() for value in values]
            last_start, last_values = start, values
            if suspect:
                _refuse_undecodable(path.name, start, table, values, guessed)
            if table is None:
                table = CsvFile(name=path.name, columns=values)
                for index, column in enumerate(values):
                    table._index.setdefault(column.lower(), index)
                continue
            table.rows.append(Row(file=table, line=start, values=values))
            if progress and len(table.rows) % PROGRESS_EVERY == 0:
                progress(f"  {path.name}: {len(table.rows):,} rows read")
    except csv.Error as exc:
        raise RosterImportError(
            path.name, reader.line_num, None, f"not valid CSV ({exc})"
        ) from None
    if table is None:
        first = required_columns[0] if required_columns else None
        raise RosterImportError(path.name, 1, first, "the file is empty (no header line)")
    _refuse_truncated(table, text, last_start, last_values)
    for column in required_columns:
        if not table.has_column(column):
            raise RosterImportError(path.name, 1, column, "column is missing from the header")
    if progress:
        progress(f"Read {path.name}: {len(table.rows):,} rows")
    return table


def _decode(name: str, data: bytes) -> tuple[str, bool]:
    """The file's text, and whether its encoding was guessed (cp1252).

    UTF-8 (with or without a byte order mark) and UTF-16 with its byte order mark (a
    spreadsheet's "Unicode" export) are read as such; anything else is taken as cp1252,
    the usual encoding of a Windows export. Raises RosterImportError for a file that starts
    like UTF-16 but does not decode as it.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError as exc:
            raise RosterImportError(
                name, None, None, f"starts like UTF-16 but is not UTF-16 ({exc.reason})"
            ) from None
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), True


def _refuse_undecodable(
    name: str, line: int, table: CsvFile | None, values: list[str], guessed: bool
) -> None:
    """Raise RosterImportError naming the first field holding a NUL byte (UTF-16 without
    a byte order mark, or a binary file: PostgreSQL cannot store NUL in text) or, in a
    file taken as cp1252, a byte that is no cp1252 character either."""
    for index, value in enumerate(values):
        column = f"column {index + 1}" if table is None else _column_name(table, index)
        where = "the header" if table is None else "the field"
        if "\x00" in value:
            raise RosterImportError(
                name,
                line,
                column,
                f"{where} holds a NUL byte: the file is UTF-16 without a byte order mark or "
                "not text at all; save it as UTF-8 CSV",
            )
        if guessed and "\ufffd" in value:
            raise RosterImportError(
                name,
                line,
                column,
                f"{where} holds a byte that is neither UTF-8 nor Windows-1252: save the file "
                "as UTF-8 CSV",
            )


def _refuse_truncated(table: CsvFile, text: str, last_start: int, last_values: list[str]) -> None:
    """Raise RosterImportError when the file was cut short: it ends inside a
    quoted field, or its last row stops short of the header's columns with no line break
    after it (a complete export ends its last row whole)."""
    if not last_start:
        return
    tail = text[_line_offset(text, last_start) :]
    open_field = _open_quote_field(tail)
    if open_field is not None:
        raise RosterImportError(
            table.name,
            last_start,
            _column_name(table, open_field),
            "the file ends inside this quoted field: it was cut short",
        )
    if (
        last_values is not table.columns
        and len(last_values) < len(table.columns)
        and not text.endswith(("\n", "\r"))
    ):
        raise RosterImportError(
            table.name,
            last_start,
            _column_name(table, len(last_values) - 1),
            f"the file ends in this field, {len(last_values)} of the header's "
            f"{len(table.columns)} columns into the row: it was cut short",
        )


def _column_name(table: CsvFile, index: int) -> str:
    return table.columns[index] if index < len(table.columns) else f"column {index + 1}"


def _line_offset(text: str, line: int) -> int:
    """Where physical line `line` (1 = the first) starts in `text`; CR, LF and CRLF end
    lines, as for the csv module."""
    if line <= 1:
        return 0
    for count, match in enumerate(_LINE_END.finditer(text), 2):
        if count == line:
            return match.end()
    return len(text)


def _open_quote_field(record: str) -> int | None:
    """The index of the field whose opening quote is never closed in `record` (one CSV
    record running to the end of the file), or None when every quote closes."""
    index, at_start, position = 0, True, 0
    while position < len(record):
        char = record[position]
        if at_start and char == '"':
            position += 1
            while True:
                closing = record.find('"', position)
                if closing == -1:
                    return index
                if record.startswith('""', closing):
                    position = closing + 2
                    continue
                position = closing + 1
                break
            at_start = False
            continue
        if char == ",":
            index, at_start = index + 1, True
        elif char in "\r\n":
            index, at_start = 0, True
        else:
            at_start = False
        position += 1
    return None


def find_file(folder: Path, name: str) -> Path | None:
    """`folder/name`, matching the name case-insensitively (Windows exports vary)."""
    exact = folder / name
    if exact.is_file():
        return exact
    for candidate in folder.iterdir():
        if candidate.is_file() and candidate.name.lower() == name.lower():
            return candidate
    return None

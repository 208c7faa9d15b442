"""Reading roster CSV files as they come out of real SIS exports.

Handles CR (old Mac), LF and CRLF line endings, a missing final newline, a UTF-8 byte
order mark, Windows-1252 text, quoted fields with commas or line breaks, shuffled and
unknown extra columns, and blank lines. Every row remembers the physical line it starts
on (header = line 1) so an error can name file, line and field.
"""

from __future__ import annotations

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
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet exports on Windows are often cp1252; it decodes every byte we meet.
        text = data.decode("cp1252", errors="replace")
    # newline="" keeps CR, LF and CRLF as line ends for csv while line_num still counts
    # physical lines, so a quoted field spanning lines keeps later line numbers right.
    reader = csv.reader(io.StringIO(text, newline=""))
    table: CsvFile | None = None
    previous_end = 0
    try:
        for values in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not values or all(not value.strip() for value in values):
                continue
            values = [value.strip() for value in values]
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
        raise RosterImportError(path.name, 1, None, "the file is empty (no header line)")
    for column in required_columns:
        if not table.has_column(column):
            raise RosterImportError(path.name, 1, column, "column is missing from the header")
    if progress:
        progress(f"Read {path.name}: {len(table.rows):,} rows")
    return table


def find_file(folder: Path, name: str) -> Path | None:
    """`folder/name`, matching the name case-insensitively (Windows exports vary)."""
    exact = folder / name
    if exact.is_file():
        return exact
    for candidate in folder.iterdir():
        if candidate.is_file() and candidate.name.lower() == name.lower():
            return candidate
    return None

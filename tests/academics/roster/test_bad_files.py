"""Roster import fed damaged files (docs/design/roster.md): truncated, mis-encoded,
column-shuffled, missing a column, header-only, empty, a bad date, an unknown id.

Each damaged copy of a real roster (../shared/data, copied into tmp_path, never into the
repository) is imported over an earlier successful import of the same roster, so "the
database as it was" is a full one. A refused import must name file, line and field, and
leave every academics table exactly as it was; a damaged file the importer can still read
whole (shuffled columns, UTF-16 with a byte order mark, Windows-1252 text) must import the
same rows as the original.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from academics.models import StudentProfile, TimetableSlot
from academics.services.roster_import import RosterImportError, import_roster
from tests.snapshots import app_models, changed_tables, snapshot

from .helpers import CLEVER, GRAND_BEND, copy_roster

pytestmark = pytest.mark.django_db

LINE_END = re.compile(r"\r\n|\r|\n")


def academics_tables() -> dict[str, list[tuple]]:
    return snapshot(*app_models("academics"))


def read_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text, newline="")) if row]


def write_rows(path: Path, rows: list[list[str]], **options) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", **options).writerows(rows)
    path.write_text(out.getvalue(), newline="")


def physical_lines(path: Path) -> list[str]:
    return LINE_END.split(path.read_bytes().decode("utf-8-sig").rstrip("\r\n"))


def cut_last_row_inside(path: Path, column: str) -> int:
    """Cut the file in the middle of `column` of its last row (no final line break, as a
    download that stopped). Returns the line that is cut."""
    header, *_ = read_rows(path)
    lines = physical_lines(path)
    index = header.index(column)
    fields = lines[-1].split(",")
    assert len(fields[index]) >= 2, "the field must have something to cut"
    kept = ",".join(fields[:index]) + "," + fields[index][: len(fields[index]) // 2]
    path.write_text("\n".join([*lines[:-1], kept]), newline="")
    return len(lines)


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(physical_lines(path), 1) if needle in line)


def drop_column(path: Path, column: str) -> None:
    header, *rows = read_rows(path)
    index = header.index(column)
    write_rows(path, [[v for i, v in enumerate(row) if i != index] for row in [header, *rows]])


def shuffle_columns(path: Path) -> None:
    """Every column in another order (reversed, then rotated), values kept with their
    header; ragged rows (an extra trailing field) are cut to the header's width."""
    header, *rows = read_rows(path)
    width = len(header)
    order = list(reversed(range(width)))
    order = order[width // 2 :] + order[: width // 2]
    write_rows(path, [[row[i] if i < len(row) else "" for i in order] for row in [header, *rows]])


def header_only(path: Path) -> None:
    path.write_text(physical_lines(path)[0] + "\n")


def replace_once(path: Path, old: bytes, new: bytes) -> int:
    data = path.read_bytes()
    assert data.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_bytes(data.replace(old, new))
    before = data[: data.index(old)].decode("latin-1")
    return len(LINE_END.findall(before)) + 1  # the physical line the change is on


@pytest.fixture
def grand_bend():
    import_roster(GRAND_BEND)
    return GRAND_BEND


@pytest.fixture
def clever():
    import_roster(CLEVER)
    return CLEVER


# --- refused: file, line and field named; nothing written ---------------------------------


def _truncated_mid_row(folder: Path):
    line = cut_last_row_inside(folder / "users.csv", "givenName")
    return ("users.csv", line, "givenName", "cut short")


def _truncated_mid_quoted_field(folder: Path):
    users = folder / "users.csv"
    write_rows(users, read_rows(users), quoting=csv.QUOTE_ALL)
    text = users.read_text().rstrip("\r\n")
    last = LINE_END.split(text)[-1]
    # Stop inside the quoted givenName of the last row ("Sara" → "Sa).
    start = text.rfind(last) + last.index('"Sara"')
    users.write_text(text[: start + 3])
    return ("users.csv", 11, "givenName", "ends inside this quoted field")


def _utf16_without_bom(folder: Path):
    users = folder / "users.csv"
    users.write_bytes(users.read_bytes().decode("utf-8").encode("utf-16-le"))
    return ("users.csv", 1, "column 1", "NUL byte")


def _a_nul_byte(folder: Path):
    users = folder / "users.csv"
    replace_once(users, b",Kyle,Hughes,", b",Ky\x00le,Hughes,")
    return ("users.csv", 3, "givenName", "NUL byte")


def _invalid_utf8(folder: Path):
    users = folder / "users.csv"
    # 0x81 is no UTF-8 (a lone continuation byte) and no Windows-1252 character either.
    replace_once(users, b",Kyle,Hughes,", b",Ky\x81le,Hughes,")
    return ("users.csv", 3, "givenName", "neither UTF-8 nor Windows-1252")


def _missing_required_column(folder: Path):
    drop_column(folder / "enrollments.csv", "classSourcedId")
    return ("enrollments.csv", 1, "classSourcedId", "column is missing from the header")


def _header_only_users(folder: Path):
    header_only(folder / "users.csv")
    return ("enrollments.csv", 2, "userSourcedId", 'unknown user "604863"')


def _empty_file(folder: Path):
    (folder / "classes.csv").write_bytes(b"")
    return ("classes.csv", 1, "sourcedId", "the file is empty")


def _bad_date(folder: Path):
    enrollments = folder / "enrollments.csv"
    line = replace_once(enrollments, b"604918,student,,2021-01-04", b"604918,student,,2021-02-30")
    return ("enrollments.csv", line, "beginDate", '"2021-02-30" is not a date')


def _unknown_reference(folder: Path):
    enrollments = folder / "enrollments.csv"
    line = replace_once(enrollments, b",604918,student,,2021-01-04", b",999999,student,,2021-01-04")
    return ("enrollments.csv", line, "userSourcedId", 'unknown user "999999"')


GRAND_BEND_DAMAGE: dict[str, Callable[[Path], tuple]] = {
    "truncated mid-row": _truncated_mid_row,
    "truncated mid-quoted-field": _truncated_mid_quoted_field,
    "UTF-16 without byte order mark": _utf16_without_bom,
    "NUL byte": _a_nul_byte,
    "invalid UTF-8": _invalid_utf8,
    "missing required column": _missing_required_column,
    "header-only users file": _header_only_users,
    "empty file": _empty_file,
    "bad date": _bad_date,
    "unknown reference id": _unknown_reference,
}


@pytest.mark.parametrize("damage", GRAND_BEND_DAMAGE, ids=list(GRAND_BEND_DAMAGE))
def test_a_damaged_oneroster_file_is_refused_naming_file_line_and_field(
    tmp_path, grand_bend, damage
):
    folder = copy_roster(grand_bend, tmp_path / "roster")
    mary_before = StudentProfile.objects.get(source_id="604863").user.first_name
    replace_once(folder / "users.csv", b",Mary,Archer,", b",Maria,Archer,")  # an update
    file, line, field, message = GRAND_BEND_DAMAGE[damage](folder)
    before = academics_tables()

    with pytest.raises(RosterImportError) as error:
        import_roster(folder)

    assert (error.value.file, error.value.line, error.value.field) == (file, line, field)
    assert str(error.value).startswith(f'{file}, line {line}, field "{field}": ')
    assert message in error.value.message
    assert changed_tables(before, academics_tables()) == []
    assert StudentProfile.objects.get(source_id="604863").user.first_name == mary_before


def _clever_truncated(folder: Path):
    line = cut_last_row_inside(folder / "students.csv", "Last_name")
    return ("students.csv", line, "Last_name", "cut short")


def _clever_missing_column(folder: Path):
    drop_column(folder / "sections.csv", "Term_start")
    return ("sections.csv", 1, "Term_start", "column is missing from the header")


def _clever_header_only_students(folder: Path):
    header_only(folder / "students.csv")
    return ("enrollments.csv", 2, "Student_id", 'unknown student "100095233"')


def _clever_bad_date(folder: Path):
    sections = folder / "sections.csv"
    rows = read_rows(sections)
    term_end = rows[0].index("Term_end")
    rows[40][term_end] = "6/31/16"
    write_rows(sections, rows)
    return ("sections.csv", 41, "Term_end", '"6/31/16" is not a date')


def _clever_unknown_section(folder: Path):
    enrollments = folder / "enrollments.csv"
    rows = read_rows(enrollments)
    rows[500][rows[0].index("Section_id")] = "NO-SUCH-SECTION"
    write_rows(enrollments, rows)
    return ("enrollments.csv", 501, "Section_id", 'unknown section "NO-SUCH-SECTION"')


def _clever_latin1_cut(folder: Path):
    # A Windows export of teachers.csv whose download stopped inside a row.
    teachers = folder / "teachers.csv"
    teachers.write_bytes(teachers.read_bytes().decode("utf-8").encode("cp1252"))
    line = cut_last_row_inside(teachers, "Teacher_email")
    return ("teachers.csv", line, "Teacher_email", "cut short")


CLEVER_DAMAGE: dict[str, Callable[[Path], tuple]] = {
    "truncated students": _clever_truncated,
    "missing required column": _clever_missing_column,
    "header-only students file": _clever_header_only_students,
    "bad date": _clever_bad_date,
    "unknown section id": _clever_unknown_section,
    "Windows-1252, truncated": _clever_latin1_cut,
}


@pytest.mark.parametrize("damage", CLEVER_DAMAGE, ids=list(CLEVER_DAMAGE))
def test_a_damaged_clever_file_is_refused_naming_file_line_and_field(tmp_path, clever, damage):
    folder = copy_roster(clever, tmp_path / "roster")
    file, line, field, message = CLEVER_DAMAGE[damage](folder)
    before = academics_tables()

    with pytest.raises(RosterImportError) as error:
        import_roster(folder)

    assert (error.value.file, error.value.line, error.value.field) == (file, line, field)
    assert str(error.value).startswith(f'{file}, line {line}, field "{field}": ')
    assert message in error.value.message
    assert changed_tables(before, academics_tables()) == []


# --- still readable: imports exactly what the original does ------------------------------


@pytest.mark.parametrize("source", [GRAND_BEND, CLEVER], ids=["OneRoster", "Clever"])
def test_shuffled_columns_import_the_same_rows_as_the_original(tmp_path, source):
    """Columns are found by their header names (csvfiles.read_csv), so an export with its
    columns in another order is the same roster: re-importing it over the original
    changes nothing, and importing it alone gives the same rows."""
    import_roster(source)
    original = academics_tables()
    folder = copy_roster(source, tmp_path / "roster")
    for path in folder.glob("*.csv"):
        shuffle_columns(path)
    assert (
        read_rows(folder / "schools.csv" if source is CLEVER else folder / "users.csv")[0]
        != (read_rows(source / ("schools.csv" if source is CLEVER else "users.csv"))[0])
    )

    summary = import_roster(folder)

    assert all(
        counts.created == counts.updated == counts.removed == 0
        for counts in summary.counts.values()
    ), summary.render()
    assert changed_tables(original, academics_tables()) == []


def test_utf16_with_a_byte_order_mark_imports_like_utf8(tmp_path, grand_bend):
    """A spreadsheet's "Unicode" export (UTF-16 with a byte order mark) reads as text."""
    before = academics_tables()
    folder = copy_roster(grand_bend, tmp_path / "roster")
    for path in folder.glob("*.csv"):
        path.write_bytes(path.read_bytes().decode("utf-8").encode("utf-16"))

    summary = import_roster(folder)

    assert sum(c.created + c.updated for c in summary.counts.values()) == 0, summary.render()
    assert changed_tables(before, academics_tables()) == []


def test_a_windows_1252_file_keeps_its_accents(tmp_path, grand_bend):
    folder = copy_roster(grand_bend, tmp_path / "roster")
    users = folder / "users.csv"
    users.write_bytes(
        users.read_bytes().replace(b",Mary,Archer,", ",Marie-Hélène,Archer,".encode("cp1252"))
    )

    summary = import_roster(folder)

    assert summary.counts["students"].updated == 1
    assert StudentProfile.objects.get(source_id="604863").user.first_name == "Marie-Hélène"


def test_a_header_only_enrollments_file_removes_nobody(tmp_path, grand_bend):
    """No rows is nothing to import, not "remove everyone": only rows marked tobedeleted
    remove what an earlier import made. The timetable follows the roster, though: with no
    teacher enrolments its slots are left without a teacher."""
    before = academics_tables()
    folder = copy_roster(grand_bend, tmp_path / "roster")
    header_only(folder / "enrollments.csv")

    import_roster(folder)

    assert changed_tables(before, academics_tables()) == ["academics.TimetableSlot"]
    assert not TimetableSlot.objects.filter(teacher__isnull=False).exists()

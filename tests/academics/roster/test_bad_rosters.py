"""Roster import (docs/design/roster.md): Clever SIS CSV and OneRoster bulk CSV folders:
bad input changes nothing and says where; real-file quirks (line endings, byte order
marks, shuffled columns, tobedeleted rows, taken usernames) are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from academics.models import (
    Enrollment,
    Membership,
    Role,
    SchoolClass,
    StudentProfile,
    TimetableSlot,
    User,
)
from academics.services.roster_import import RosterImportError, import_roster
from academics.services.roster_import import summary as w
from tests.academics.factories import SchoolFactory, UserFactory

from .helpers import (
    GRAND_BEND,
    GRAND_BEND_COUNTS,
    copy_roster,
    created,
    db_counts,
    line_of,
    replace_in,
    tiny_clever,
)

pytestmark = pytest.mark.django_db


# Bad input: nothing is written, and the error says where -----------------------------------


def test_a_bad_date_changes_nothing_and_names_file_line_and_field(tmp_path):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    enrollments = folder / "enrollments.csv"
    replace_in(enrollments, "604918,student,,2021-01-04", "604918,student,,13/45/15")
    line = line_of(enrollments, "13/45/15")

    with pytest.raises(RosterImportError) as error:
        import_roster(folder)

    assert line == 16
    assert (
        str(error.value) == 'enrollments.csv, line 16, field "beginDate": "13/45/15" is not a date'
    )
    assert db_counts() == dict.fromkeys(GRAND_BEND_COUNTS, 0)
    assert not User.objects.exists()


def test_a_bad_file_leaves_an_earlier_import_as_it_was(tmp_path):
    import_roster(GRAND_BEND)
    before = db_counts()
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    replace_in(folder / "users.csv", ",Mary,Archer,", ",Maria,Archer,")  # would be an update
    # A truncated export: the last row stops inside its classSourcedId.
    lines = (folder / "enrollments.csv").read_text().splitlines()
    lines[-1] = lines[-1][:55]
    (folder / "enrollments.csv").write_text("\n".join(lines))

    with pytest.raises(RosterImportError) as error:
        import_roster(folder)

    assert (error.value.file, error.value.line, error.value.field) == (
        "enrollments.csv",
        25,
        "classSourcedId",
    )
    assert "cut short" in str(error.value)
    assert db_counts() == before
    assert StudentProfile.objects.get(source_id="604863").user.first_name == "Mary"


def test_a_missing_column_is_named_on_the_header_line(tmp_path):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    replace_in(folder / "classes.csv", ",termSourcedIds,", ",terms,")

    with pytest.raises(RosterImportError) as error:
        import_roster(folder)

    assert str(error.value) == (
        'classes.csv, line 1, field "termSourcedIds": column is missing from the header'
    )


def test_a_folder_in_neither_format_is_refused(tmp_path):
    (tmp_path / "students.txt").write_text("nothing here")

    with pytest.raises(RosterImportError, match="neither OneRoster"):
        import_roster(tmp_path)


# Real-file robustness ---------------------------------------------------------------------


@pytest.mark.parametrize("line_end", ["\r", "\r\n"], ids=["CR", "CRLF"])
def test_cr_and_crlf_line_endings_import_like_lf(tmp_path, line_end):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    for path in folder.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", line_end.encode()))

    summary = import_roster(folder)

    assert created(summary) == GRAND_BEND_COUNTS


def test_line_numbers_are_physical_lines_with_cr_endings_and_a_multiline_field(tmp_path):
    folder = tiny_clever(tmp_path / "roster")
    sections = folder / "sections.csv"
    sections.write_text(
        "School_id,Section_id,Teacher_id,Name,Grade,Course_name,Period,Term_name,Term_start,"
        "Term_end\r"
        'S1,H1,T1,"Homeroom K\rmorning group",Kindergarten,"Class K, Homeroom",0,Y1,8/1/15,6/1/16\r'
        "S1,M1,T1,Maths K,Kindergarten,Maths,1,Y1,8/1/15,6/31/16"  # no final newline
    )

    with pytest.raises(RosterImportError) as error:
        import_roster(folder)

    assert str(error.value) == 'sections.csv, line 4, field "Term_end": "6/31/16" is not a date'


def test_a_byte_order_mark_shuffled_and_extra_columns_are_read(tmp_path):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    users = folder / "users.csv"
    header, *rows = [line.split(",") for line in users.read_text().splitlines()]
    # Every column in reverse order, an unknown one in front (the teachers' rows carry a
    # trailing extra field in the original, dropped here to keep the columns aligned).
    lines = [["favouriteColour", *reversed(header)]]
    lines += [["teal", *reversed(row[: len(header)])] for row in rows]
    users.write_text("\r\n".join(",".join(line) for line in lines))
    for path in folder.glob("*.csv"):  # a UTF-8 byte order mark before "sourcedId"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    summary = import_roster(folder)

    assert created(summary) == GRAND_BEND_COUNTS
    mary = StudentProfile.objects.select_related("user").get(source_id="604863")
    assert (mary.user.first_name, mary.user.last_name) == ("Mary", "Archer")
    assert mary.enrollments.get().grade.name == "Grade 9"


def test_tobedeleted_rows_are_never_imported_as_live(tmp_path):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    mark_deleted(folder)

    summary = import_roster(folder)

    # Micheal Turner (2 English rows), the Algebra class (10 student rows) and one
    # enrolment row are gone: 20 - 2 - 10 - 1 memberships are left.
    assert not User.objects.filter(last_name="Turner").exists()
    assert not SchoolClass.objects.filter(source_id="25590100102Trad220ALG112011").exists()
    assert not Membership.objects.filter(source_id="40940E37-074D-446B-9B74-0D79948978C5").exists()
    assert summary.counts["students"].created == 7
    assert summary.counts["classes"].created == 1
    assert Membership.objects.count() == 7
    assert TimetableSlot.objects.count() == 10  # English only: 2 semesters × 5 weekdays


def test_tobedeleted_rows_deactivate_or_remove_what_an_earlier_import_made(tmp_path):
    import_roster(GRAND_BEND)
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    mark_deleted(folder)

    summary = import_roster(folder)

    turner = StudentProfile.objects.select_related("user").get(source_id="605015")
    assert not turner.is_active and not turner.user.is_active
    assert not SchoolClass.objects.get(source_id="25590100102Trad220ALG112011").is_active
    assert not Membership.objects.filter(source_id="40940E37-074D-446B-9B74-0D79948978C5").exists()
    assert (summary.counts["students"].removed, summary.counts["classes"].removed) == (1, 1)
    assert summary.counts["memberships"].removed == 1
    assert Membership.objects.count() == 19


def mark_deleted(folder: Path) -> None:
    """Mark Micheal Turner, the Algebra class and one English enrolment tobedeleted."""
    replace_in(folder / "users.csv", "605015,,,true", "605015,tobedeleted,,true")
    replace_in(
        folder / "classes.csv",
        "25590100102Trad220ALG112011,,,",
        "25590100102Trad220ALG112011,tobedeleted,,",
    )
    replace_in(
        folder / "enrollments.csv",
        "40940E37-074D-446B-9B74-0D79948978C5,,,",
        "40940E37-074D-446B-9B74-0D79948978C5,tobedeleted,,",
    )


def test_roster_passwords_are_never_stored(tmp_path):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    replace_in(folder / "users.csv", "(950) 336 6601,,09,", "(950) 336 6601,,09,Secret-pass-1")

    import_roster(folder)

    mary = StudentProfile.objects.get(source_id="604863").user
    assert not mary.has_usable_password()
    assert not mary.check_password("Secret-pass-1")
    assert not any(u.has_usable_password() for u in User.objects.all())


def test_a_taken_username_is_made_unique_and_kept_on_reimport():
    other_school = SchoolFactory()
    UserFactory(school=other_school, username="Mary.Archer")

    first = import_roster(GRAND_BEND)
    import_roster(GRAND_BEND)

    mary = StudentProfile.objects.get(source_id="604863").user
    assert mary.username == "Mary.Archer-255901001"  # "Mary Archer" in users.csv
    assert first.warning_count(w.USERNAME_TAKEN) == 1
    assert User.objects.filter(username__startswith="Mary.Archer").count() == 2


def test_every_student_user_gets_a_profile_and_staff_a_staff_profile():
    import_roster(GRAND_BEND)

    assert not User.objects.filter(role=Role.STUDENT, student_profile__isnull=True).exists()
    assert not User.objects.filter(role=Role.TEACHER, staff_profile__isnull=True).exists()


def test_unknown_grades_are_warned_about_and_their_students_not_placed(tmp_path):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    replace_in(folder / "users.csv", "(950) 336 6601,,09,", "(950) 336 6601,,UG,")

    summary = import_roster(folder)

    assert summary.warning_count(w.UNKNOWN_GRADE) == 1
    assert summary.warning_count(w.NO_ENROLLMENT) == 1
    assert Enrollment.objects.count() == 7
    assert StudentProfile.objects.count() == 8

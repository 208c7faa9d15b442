"""Roster import (issue 2): Clever SIS CSV and OneRoster bulk CSV folders.

The real example folders are read in place from ../shared/data. The expected numbers
are worked out from the files themselves (see the comments), not from the importer.
"""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Membership,
    Role,
    School,
    SchoolClass,
    StaffProfile,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)
from academics.services.roster_import import RosterImportError, import_roster
from academics.services.roster_import import summary as w
from academics.services.roster_import.csvfiles import parse_date
from academics.services.roster_import.roster import grade_level
from tests.academics.factories import AcademicYearFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
CLEVER = DATA / "clever-district"
GRAND_BEND = DATA / "oneroster-grandbend"

# What Grand Bend holds (oneroster-grandbend/*.csv, 2020-2021):
GRAND_BEND_COUNTS = {
    "schools": 1,  # orgs.csv: a district and one org of type school
    "academic years": 1,  # academicSessions.csv: one schoolYear…
    "terms": 2,  # …and two semesters
    "grades": 1,  # every user and class has grades "09"
    "subjects": 2,  # courses.csv: English I, Algebra I
    "classes": 2,  # classes.csv: two scheduled classes, no homeroom
    "staff": 2,  # users.csv: two teachers…
    "students": 8,  # …and eight students
    "enrollments": 8,  # one per student for the year (no homeroom, so no class)
    "memberships": 20,  # enrollments.csv: 24 rows, 4 of them teachers
    "timetable slots": 20,  # 2 classes × 2 semesters × 1 period × 5 weekdays
}

# What the Clever district holds (clever-district/*.csv, 2015-16):
CLEVER_COUNTS = {
    "schools": 3,  # schools.csv: three rows
    "academic years": 3,  # one per school: every section runs 8/1/15–6/1/16
    "terms": 5,  # Term_name: Y1 at each school, plus S1 and S2 at 27Q321
    "grades": 13,  # Low_grade–High_grade: K–5, 6–8 and 9–12
    # distinct Course_name per school, all "…Homeroom" courses as one subject "Homeroom"
    # per school: 117 + 91 + 79
    "subjects": 287,
    "classes": 379,  # sections.csv rows: 39 homerooms ("Homeroom" in Course_name) + 340
    # 89 teachers.csv rows + 7 teachers with sections at a school they are not listed at
    # (4, 8, 12, 16, 20 of 13K123 and 46, 83 of 27Q321 teach at 02M800)
    "staff": 96,
    "students": 1004,  # students.csv rows
    "enrollments": 1004,  # every student is in exactly one homeroom
    "memberships": 8971,  # enrollments.csv rows, none repeated
    "timetable slots": 1895,  # 379 sections, each with a Period 0–9, × 5 weekdays
}


def db_counts() -> dict[str, int]:
    """The rows in the database, per summary kind."""
    return {
        "schools": School.objects.count(),
        "academic years": AcademicYear.objects.count(),
        "terms": Term.objects.count(),
        "grades": Grade.objects.count(),
        "subjects": Subject.objects.count(),
        "classes": SchoolClass.objects.count(),
        "staff": StaffProfile.objects.count(),
        "students": StudentProfile.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "memberships": Membership.objects.count(),
        "timetable slots": TimetableSlot.objects.count(),
    }


def created(summary) -> dict[str, int]:
    return {kind: c.created for kind, c in summary.counts.items()}


def copy_roster(source: Path, target: Path) -> Path:
    """A writable copy of a roster folder (the shared data is read-only)."""
    target.mkdir()
    for path in source.glob("*.csv"):
        (target / path.name).write_bytes(path.read_bytes())
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new))


def line_of(path: Path, needle: str) -> int:
    """The physical line (header = 1) holding `needle`."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.fixture
def autumn_2026(monkeypatch):
    """School-local today is 2026-11-21 (the demo's date), whatever the clock says."""
    monkeypatch.setattr(School, "today", lambda self: datetime.date(2026, 11, 21))


# The real Clever district ----------------------------------------------------------------


def test_clever_district_imports_every_row_then_reimports_as_unchanged(
    autumn_2026, django_assert_max_num_queries
):
    sections = (CLEVER / "sections.csv").read_bytes()
    assert b"\r" in sections and b"\n" not in sections  # old-Mac CR line endings, as published
    assert not (CLEVER / "schools.csv").read_bytes().endswith((b"\r", b"\n"))

    lines: list[str] = []
    # One read per model, then bulk writes of up to 1,000 rows (44 queries when measured):
    # no query per row, or the 8,971 memberships alone would blow this.
    with django_assert_max_num_queries(60):
        summary = import_roster(CLEVER, shift_years=11, progress=lines.append)

    assert summary.format == "clever"
    assert created(summary) == CLEVER_COUNTS
    assert db_counts() == CLEVER_COUNTS
    assert SchoolClass.objects.filter(kind=SchoolClass.Kind.HOMEROOM).count() == 39
    assert SchoolClass.objects.filter(kind=SchoolClass.Kind.TEACHING).count() == 340
    assert Enrollment.objects.filter(school_class__kind=SchoolClass.Kind.HOMEROOM).count() == 1004
    assert summary.seconds < 60, f"the district took {summary.seconds:.1f} s"
    # Progress: a line per file, and every 2,000 rows of enrollments.csv (8,971 rows).
    assert "Read sections.csv: 379 rows" in lines
    assert "  enrollments.csv: 8,000 rows read" in lines

    # Data-quality problems found in the data by hand, imported anyway:
    assert summary.warning_count(w.PERIOD_CLASH) == 1303  # (student, term, period) booked twice+
    assert summary.warning_count(w.GRADE_MISMATCH) == 156  # grade 7/8 students in grade 6 electives
    assert summary.warning_count(w.CO_TEACHERS) == 53  # sections with a Teacher_2_id
    assert summary.warning_count(w.TEACHER_OTHER_SCHOOL) == 7
    # robertd99, paulf13, williams21 are each two students; the 7 second staff accounts
    assert summary.warning_count(w.USERNAME_TAKEN) == 10
    assert summary.warning_count(w.BAD_BIRTH_DATE) == 1  # 02/29/2005 does not exist
    assert all(len(group.examples) <= 5 for group in summary.warnings.values())
    report = summary.render()
    assert "student booked into two sections in the same period of the same term: 1,303" in report
    assert "Steve Ziemann (100095233): period 1 of 2015-2016/Y1 in sections 748, 844" in report

    # Passwords in students.csv/teachers.csv are never stored.
    users = User.objects.all()
    assert users.count() == 1004 + 96
    assert not any(user.has_usable_password() for user in users)
    assert not User.objects.get(username="dianes10").check_password("eel7Thohd")

    again = import_roster(CLEVER, shift_years=11)

    assert db_counts() == CLEVER_COUNTS
    assert all(c.created == c.updated == c.removed == 0 for c in again.counts.values())
    assert {kind: c.unchanged for kind, c in again.counts.items()} == CLEVER_COUNTS
    assert "Nothing changed" in again.render()


def test_clever_rows_map_to_rollbook_people_classes_and_timetable(autumn_2026):
    import_roster(CLEVER, shift_years=11)

    elementary = School.objects.get(source_id="13K123")
    assert (elementary.name, elementary.code) == ("Pineapple Elementary School", "13K123")
    assert (elementary.low_grade, elementary.high_grade) == ("Kindergarten", "Grade 5")
    assert list(Grade.objects.filter(school=elementary).values_list("level", "name")) == [
        (0, "Kindergarten")
    ] + [(n, f"Grade {n}") for n in range(1, 6)]

    # 2015-2016 moved 11 years; the year holding 2026-11-21 is each school's current year.
    year = AcademicYear.objects.get(school=elementary)
    assert (year.name, year.start_date, year.end_date) == (
        "2026-2027",
        datetime.date(2026, 8, 1),
        datetime.date(2027, 6, 1),
    )
    assert AcademicYear.objects.filter(is_current=True).count() == 3

    # Section 708 "Class 001, Homeroom", teacher 68, Kindergarten, period 0.
    homeroom = SchoolClass.objects.get(school=elementary, source_id="708")
    assert homeroom.kind == SchoolClass.Kind.HOMEROOM
    assert homeroom.subject.name == "Homeroom"
    assert homeroom.grade.level == 0
    assert homeroom.advisor.staff_profile.source_id == "68"
    placed = list(
        Enrollment.objects.filter(school_class=homeroom)
        .order_by("roll_number")
        .values_list("roll_number", "student__user__last_name", "student__user__first_name")
    )
    assert [roll for roll, *_ in placed] == list(range(1, len(placed) + 1))
    assert [name for _, *name in placed] == sorted(name for _, *name in placed)
    assert homeroom.memberships.count() == len(placed)

    # Section 581 Group Guidance: teacher 86, co-teachers 87–89 (not slot teachers), P0.
    guidance = SchoolClass.objects.get(source_id="581")
    assert guidance.kind == SchoolClass.Kind.TEACHING and guidance.advisor is None
    slots = TimetableSlot.objects.filter(school_class=guidance)
    assert sorted(slots.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    assert {(s.period_number, s.valid_from, s.valid_to) for s in slots} == {
        (0, datetime.date(2026, 8, 1), datetime.date(2027, 6, 1))
    }
    assert {s.teacher.staff_profile.source_id for s in slots} == {"86"}

    # Teacher 4 is listed at the elementary school but teaches City High's sections.
    accounts = StaffProfile.objects.filter(source_id="4").select_related("user", "school")
    assert sorted(p.school.source_id for p in accounts) == ["02M800", "13K123"]
    assert all(p.user.school == p.school and p.user.role == Role.TEACHER for p in accounts)
    assert StaffProfile.objects.get(source_id="47").title == "Grade 9 English Teacher"

    # Diane Schmeler: Dob 11/1/98 (birth dates are not shifted), grade 9.
    diane = StudentProfile.objects.select_related("user").get(source_id="738733110")
    assert diane.date_of_birth == datetime.date(1998, 11, 1)
    assert (diane.user.username, diane.user.school.source_id) == ("dianes10", "02M800")
    assert diane.enrollments.get().grade.name == "Grade 9"
    membership = diane.memberships.first()
    assert (membership.joined_on, membership.left_on) == (
        datetime.date(2026, 8, 1),
        datetime.date(2027, 6, 1),
    )


# The real OneRoster Grand Bend folder -----------------------------------------------------


def test_grand_bend_imports_every_row():
    summary = import_roster(GRAND_BEND)

    assert (summary.format, summary.version) == ("oneroster", "1.1")
    assert created(summary) == GRAND_BEND_COUNTS
    assert db_counts() == GRAND_BEND_COUNTS
    school = School.objects.get()
    assert (school.name, school.source_id) == ("Grand Bend High School", "255901001")

    # The semesters have no parentSourcedId: attached by their dates, with a warning.
    assert summary.warning_count(w.UNLINKED_TERM) == 2
    year = AcademicYear.objects.get()
    assert year.name == "2020-2021"
    assert sorted(year.terms.values_list("name", flat=True)) == [
        "2020-2021 Fall Semester",
        "2020-2021 Spring Semester",
    ]

    # No homerooms: each student still has an Enrollment with their grade and no class.
    assert set(Enrollment.objects.values_list("grade__name", "school_class", "roll_number")) == {
        ("Grade 9", None, None)
    }
    mary = StudentProfile.objects.select_related("user").get(source_id="604863")
    assert mary.user.get_full_name() == "Mary Archer"
    assert mary.date_of_birth == datetime.date(1997, 5, 30)  # demographics.csv
    assert sorted(
        mary.memberships.values_list("school_class__source_id", "joined_on", "left_on")
    ) == [
        ("25590100101Trad120ENG112011", datetime.date(2020, 8, 17), datetime.date(2020, 12, 18)),
        ("25590100101Trad120ENG112011", datetime.date(2021, 1, 4), datetime.date(2021, 5, 28)),
        ("25590100102Trad220ALG112011", datetime.date(2020, 8, 17), datetime.date(2020, 12, 18)),
        ("25590100102Trad220ALG112011", datetime.date(2021, 1, 4), datetime.date(2021, 5, 28)),
    ]

    # English I meets in period 1 each weekday of each semester, taught by Sara Preston.
    english = SchoolClass.objects.get(source_id="25590100101Trad120ENG112011")
    assert (english.kind, english.subject.name) == (SchoolClass.Kind.TEACHING, "English I")
    slots = english.timetable_slots.all()
    assert {s.period_number for s in slots} == {1}
    assert sorted({(s.valid_from, s.valid_to) for s in slots}) == [
        (datetime.date(2020, 8, 17), datetime.date(2020, 12, 18)),
        (datetime.date(2021, 1, 4), datetime.date(2021, 5, 28)),
    ]
    assert {s.teacher.get_full_name() for s in slots} == {"Sara Preston"}
    teacher = StaffProfile.objects.get(source_id="207268").user
    assert teacher.role == Role.TEACHER and teacher.school == school


def test_reimporting_grand_bend_creates_nothing_and_reports_unchanged():
    import_roster(GRAND_BEND)

    again = import_roster(GRAND_BEND)

    assert db_counts() == GRAND_BEND_COUNTS
    assert {kind: c.unchanged for kind, c in again.counts.items()} == GRAND_BEND_COUNTS
    assert not again.changed
    assert "Nothing changed" in again.render()


def test_a_changed_row_is_reported_updated_on_reimport(tmp_path):
    import_roster(GRAND_BEND)
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    replace_in(folder / "users.csv", ",Mary,Archer,", ",Mary,Archer-Smith,")

    summary = import_roster(folder)

    assert summary.counts["students"].updated == 1
    assert summary.counts["students"].unchanged == 7
    assert StudentProfile.objects.get(source_id="604863").user.last_name == "Archer-Smith"
    assert db_counts() == GRAND_BEND_COUNTS


def test_shift_years_moves_roster_dates_and_year_names_but_not_birth_dates(autumn_2026):
    summary = import_roster(GRAND_BEND, shift_years=6)

    assert created(summary) == GRAND_BEND_COUNTS
    year = AcademicYear.objects.get()
    assert (year.name, year.start_date, year.end_date) == (
        "2026-2027",
        datetime.date(2026, 8, 17),
        datetime.date(2027, 5, 28),
    )
    assert year.is_current  # it holds 2026-11-21
    assert sorted(Term.objects.values_list("name", "start_date")) == [
        ("2026-2027 Fall Semester", datetime.date(2026, 8, 17)),
        ("2026-2027 Spring Semester", datetime.date(2027, 1, 4)),
    ]
    assert min(Membership.objects.values_list("joined_on", flat=True)) == datetime.date(2026, 8, 17)
    assert max(TimetableSlot.objects.values_list("valid_to", flat=True)) == datetime.date(
        2027, 5, 28
    )
    dates_of_birth = StudentProfile.objects.values_list("date_of_birth", flat=True)
    assert {d.year for d in dates_of_birth} == {1997}


def test_a_school_that_already_has_a_current_year_keeps_it(autumn_2026):
    import_roster(GRAND_BEND)  # creates the school; 2020-2021 does not hold today
    school = School.objects.get()
    assert not AcademicYear.objects.filter(is_current=True).exists()
    kept = AcademicYearFactory(school=school, name="Bridging year", is_current=True)

    import_roster(GRAND_BEND, shift_years=6)

    assert list(AcademicYear.objects.filter(is_current=True)) == [kept]


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


# A small Clever district written here ----------------------------------------------------


def tiny_clever(folder: Path, *, extra_students: str = "", extra_enrollments: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "schools.csv").write_text(
        "School_id,School_name,Low_grade,High_grade\nS1,Tiny School,Kindergarten,1\n"
    )
    (folder / "teachers.csv").write_text(
        "School_id,Teacher_id,First_name,Last_name,Title,Username,Password\n"
        "S1,T1,Ada,Lovelace,Kindergarten Teacher,ada,secret1\n"
        "S1,T2,Grace,Hopper,Maths Teacher,grace,secret2\n"
    )
    (folder / "students.csv").write_text(
        "School_id,Student_id,First_name,Last_name,Dob,Grade,Username,Password\n"
        "S1,P1,Zoe,Young,1/2/19,Kindergarten,zoe,pw\n"
        "S1,P2,Mia,Brown,2/3/19,Kindergarten,mia,pw\n"
        "S1,P3,Leo,Clark,2019-03-04,1,leo,pw\n" + extra_students
    )
    (folder / "sections.csv").write_text(
        "School_id,Section_id,Teacher_id,Teacher_2_id,Name,Grade,Course_name,Period,Term_name,"
        "Term_start,Term_end\n"
        'S1,H1,T1,,Homeroom K,Kindergarten,"Class K, Homeroom",0,Y1,8/1/15,6/1/16\n'
        "S1,M1,T2,T1,Maths K,Kindergarten,Maths,1,Y1,08/01/2015,06/01/2016\n"
        "S1,A1,T1,,Art K,Kindergarten,Art,1,Y1,8/1/15,6/1/16\n"
    )
    (folder / "enrollments.csv").write_text(
        "School_id,Section_id,Student_id\n"
        "S1,H1,P1\nS1,H1,P2\nS1,H1,P3\n"
        "S1,M1,P1\nS1,M1,P3\nS1,A1,P1\n" + extra_enrollments
    )
    return folder


def test_a_small_clever_district_reports_each_data_quality_problem(tmp_path):
    summary = import_roster(tiny_clever(tmp_path / "roster"))

    assert summary.warning_count(w.PERIOD_CLASH) == 1  # Zoe: Maths and Art, both period 1
    assert summary.warnings[w.PERIOD_CLASH].examples == [
        "Zoe Young (P1): period 1 of 2015-2016/Y1 in sections M1, A1"
    ]
    assert summary.warning_count(w.GRADE_MISMATCH) == 2  # Leo (grade 1) in two K sections
    assert summary.warnings[w.CO_TEACHERS].examples == ["section M1: teachers T1"]
    maths = SchoolClass.objects.get(source_id="M1")
    assert {slot.teacher.username for slot in maths.timetable_slots.all()} == {"grace"}
    assert StudentProfile.objects.get(source_id="P3").date_of_birth == datetime.date(2019, 3, 4)


def test_roll_numbers_follow_names_and_are_kept_when_a_student_joins(tmp_path):
    folder = tiny_clever(tmp_path / "roster")
    import_roster(folder)

    def rolls():
        return dict(
            Enrollment.objects.filter(school_class__source_id="H1").values_list(
                "student__user__last_name", "roll_number"
            )
        )

    assert rolls() == {"Brown": 1, "Clark": 2, "Young": 3}

    tiny_clever(
        folder,
        extra_students="S1,P4,Amy,Adams,5/6/19,Kindergarten,amy,pw\n",
        extra_enrollments="S1,H1,P4\n",
    )
    summary = import_roster(folder)

    # Adams sorts first but joins last: the others keep their numbers.
    assert rolls() == {"Brown": 1, "Clark": 2, "Young": 3, "Adams": 4}
    assert summary.counts["enrollments"].created == 1
    assert summary.counts["enrollments"].unchanged == 3


# Parsing helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8/1/15", datetime.date(2015, 8, 1)),
        ("08/01/2015", datetime.date(2015, 8, 1)),
        ("11/1/98", datetime.date(1998, 11, 1)),
        ("2020-08-17", datetime.date(2020, 8, 17)),
        ("2020-08-17T00:00:00.000Z", datetime.date(2020, 8, 17)),
    ],
)
def test_us_and_iso_dates_are_read(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["13/45/15", "02/29/2005", "2020-13-01", "Aug 1", ""])
def test_anything_else_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Kindergarten", 0),
        ("0", 0),
        ("KG", 0),
        ("PK", -1),
        ("PreKindergarten", -1),
        ("09", 9),
        ("7", 7),
        ("12", 12),
        ("UG", None),
        ("Postgraduate", None),
        ("13", None),
    ],
)
def test_roster_grades_map_onto_the_ladder(text, level):
    assert grade_level(text) == level


# The command ---------------------------------------------------------------------------------


def test_the_command_prints_progress_and_the_summary():
    out = StringIO()

    call_command("import_roster", str(GRAND_BEND), stdout=out)

    output = out.getvalue()
    assert "Read users.csv: 10 rows" in output
    assert "Imported OneRoster bulk CSV 1.1" in output
    assert "term not linked to a school year" in output
    assert StudentProfile.objects.count() == 8


def test_the_command_reports_a_bad_roster_as_a_command_error(tmp_path):
    folder = copy_roster(GRAND_BEND, tmp_path / "roster")
    replace_in(folder / "academicSessions.csv", "2020-12-18", "2020-12-99")

    with pytest.raises(CommandError, match='academicSessions.csv, line 3, field "endDate"'):
        call_command("import_roster", str(folder), "--shift-years", "1", stdout=StringIO())

    assert not School.objects.exists()

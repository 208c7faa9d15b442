"""Roster import (docs/design/roster.md): Clever SIS CSV and OneRoster bulk CSV folders,
the real example folders.

The real example folders are read in place from ../shared/data. The expected numbers
are worked out from the files themselves (see the comments), not from the importer.
"""

from __future__ import annotations

import datetime

import pytest

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
    Term,
    TimetableSlot,
    User,
)
from academics.services.roster_import import import_roster
from academics.services.roster_import import summary as w
from tests.academics.factories import AcademicYearFactory

from .helpers import (
    CLEVER,
    CLEVER_COUNTS,
    GRAND_BEND,
    GRAND_BEND_COUNTS,
    copy_roster,
    created,
    db_counts,
    replace_in,
)

pytestmark = pytest.mark.django_db


# The real Clever district ----------------------------------------------------------------


def test_clever_district_imports_every_row_then_reimports_as_unchanged(
    autumn_2026, django_assert_max_num_queries
):
    sections = (CLEVER / "sections.csv").read_bytes()
    assert b"\r" in sections and b"\n" not in sections  # old-Mac CR line endings, as published
    assert not (CLEVER / "schools.csv").read_bytes().endswith((b"\r", b"\n"))

    lines: list[str] = []
    # One read per model, then bulk writes of up to 1,000 rows (69 queries when measured,
    # the 1,003 guardians and their links included): no query per row, or the 8,971
    # memberships alone would blow this.
    with django_assert_max_num_queries(80):
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
    # robertd99, paulf13, williams21 are each two students; the 7 second staff accounts;
    # upton.kari@example.net is the contact of children at two schools
    assert summary.warning_count(w.USERNAME_TAKEN) == 11
    assert summary.warning_count(w.GUARDIAN_SEVERAL_SCHOOLS) == 1
    assert summary.warning_count(w.BAD_BIRTH_DATE) == 1  # 02/29/2005 does not exist
    assert all(len(group.examples) <= 5 for group in summary.warnings.values())
    report = summary.render()
    assert "student booked into two sections in the same period of the same term: 1,303" in report
    assert "Steve Ziemann (100095233): period 1 of 2015-2016/Y1 in sections 748, 844" in report

    # Passwords in students.csv/teachers.csv are never stored.
    users = User.objects.all()
    assert users.count() == 1004 + 96 + CLEVER_COUNTS["guardians"]
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

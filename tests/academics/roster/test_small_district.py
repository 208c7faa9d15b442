"""Roster import (docs/design/roster.md): Clever SIS CSV and OneRoster bulk CSV folders:
a small Clever district written here, the parsing helpers and the command."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from academics.models import Enrollment, School, SchoolClass, StudentProfile
from academics.services.roster_import import import_roster
from academics.services.roster_import import summary as w
from academics.services.roster_import.csvfiles import parse_date
from academics.services.roster_import.roster import grade_level

from .helpers import GRAND_BEND, copy_roster, replace_in, tiny_clever

pytestmark = pytest.mark.django_db


# A small Clever district written here ----------------------------------------------------


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

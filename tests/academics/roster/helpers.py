"""What the roster import tests share: the example folders, what they hold, and ways to
copy and change them."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    GuardianProfile,
    Guardianship,
    Membership,
    School,
    SchoolClass,
    StaffProfile,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
)

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
    "guardians": 0,  # no parent/guardian users in this sample
    "guardian links": 0,
    "enrollments": 8,  # one per student for the year (no homeroom, so no class)
    "memberships": 20,  # enrollments.csv: 24 rows, 4 of them teachers
    "timetable slots": 20,  # 2 classes × 2 semesters × 1 period × 5 weekdays
}


def clever_contacts(folder: Path) -> dict[tuple[str, str], set[str]]:
    """(School_id, lower-cased Contact_email) → the Student_ids naming that contact, read
    from students.csv with the csv module (rows without an email left out)."""
    contacts: dict[tuple[str, str], set[str]] = {}
    with (folder / "students.csv").open(newline="") as file:
        for row in csv.DictReader(file):
            email = row["Contact_email"].strip().lower()
            if email:
                contacts.setdefault((row["School_id"], email), set()).add(row["Student_id"])
    return contacts


CLEVER_CONTACTS = clever_contacts(CLEVER)

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
    # one guardian per distinct Contact_email per school, one link per student naming it
    "guardians": len(CLEVER_CONTACTS),
    "guardian links": sum(len(students) for students in CLEVER_CONTACTS.values()),
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
        "guardians": GuardianProfile.objects.count(),
        "guardian links": Guardianship.objects.count(),
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

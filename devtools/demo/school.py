"""The small school `load_demo` generates when there is no roster folder to import."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Membership,
    Role,
    School,
    SchoolClass,
    Section,
    StaffProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)

from .dates import marking_day, school_year_start

# Demo only: every demo login shares this password, printed by `load_demo`.
DEMO_PASSWORD = "rollbook-demo"
DEMO_SCHOOL_NAME = "Rollbook Demo School"
DEFAULT_SCHOOL_DAYS = 15
DEMO_SEED = 2026
# A generated school year runs from 17 August to 30 June (stretched to today in the gap).
FIRST_DAY = (8, 17)
LAST_DAY = (6, 30)

_SUBJECTS = (
    ("Mathematics", "MTH", "Amina", "Hassan"),
    ("English", "ENG", "Daniel", "Okafor"),
    ("Science", "SCI", "Lucia", "Moretti"),
    ("History", "HIS", "Karim", "Mansour"),
    ("Art", "ART", "Hana", "Sato"),
)
_GRADES = ((9, "Grade 9"), (10, "Grade 10"), (11, "Grade 11"), (12, "Grade 12"))
_CLASSES = (
    ("Grade 9 – A", "G9-A", 9),
    ("Grade 10 – A", "G10-A", 10),
    ("Grade 11 – A", "G11-A", 11),
)
FIRST_NAMES = (
    "Adam", "Aisha", "Ben", "Carmen", "Dina", "Elif", "Farid", "Grace", "Hugo", "Ines",
    "Jonas", "Kofi", "Layla", "Mateo", "Nour", "Oscar", "Paula", "Qasim", "Rosa", "Sami",
    "Tara", "Umar", "Vera", "Wael", "Ximena", "Yusuf", "Zara", "Leo", "Mira", "Noah",
)  # fmt: skip
LAST_NAMES = (
    "Abbas", "Becker", "Costa", "Dubois", "Eriksen", "Farouk", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Khalil", "Lopez", "Mendes", "Nasser", "Olsen", "Petrov", "Quinn", "Rossi",
)  # fmt: skip
STUDENTS_PER_CLASS = 10
PERIODS_PER_DAY = len(_SUBJECTS)


@transaction.atomic
def generate_demo_school(
    *, today: datetime.date | None = None, name: str = DEMO_SCHOOL_NAME
) -> School:
    """Create a small, complete school around `today` (school-local date; default: now).

    One current academic year with two terms: the year begun by the demo's marking day
    (`marking_day(today)`), from 17 August to 30 June — or to `today` when that is later (in
    the summer gap the year that has ended is stretched, so the marking day and today are
    school days of it). Grades 9–12, five subjects with a teacher each, three homeroom
    classes of ten students (Enrollment, Section "A", Membership from the year's start) and
    a Monday–Friday timetable of five periods, valid all year, in which every class has
    every subject each day. No attendance and no logins: see `generate_attendance` and
    `create_demo_logins`. Students get no usable password.

    Returns the School. Deterministic: the same `today` gives the same school.
    """
    today = today or timezone.localdate()
    year_start = school_year_start(marking_day(today), first_day=FIRST_DAY)
    school = School.objects.create(name=name, code="DEMO", currency="USD", timezone="UTC")
    year = AcademicYear.objects.create(
        school=school,
        name=f"{year_start}-{year_start + 1}",
        start_date=datetime.date(year_start, *FIRST_DAY),
        end_date=max(datetime.date(year_start + 1, *LAST_DAY), today),
        is_current=True,
    )
    Term.objects.create(
        school=school,
        academic_year=year,
        name="Term 1",
        start_date=year.start_date,
        end_date=datetime.date(year_start, 12, 23),
    )
    Term.objects.create(
        school=school,
        academic_year=year,
        name="Term 2",
        start_date=datetime.date(year_start + 1, 1, 5),
        end_date=year.end_date,
    )
    grades = {
        level: Grade.objects.create(school=school, level=level, name=grade_name)
        for level, grade_name in _GRADES
    }
    subjects, teachers = [], []
    for subject_name, code, first, last in _SUBJECTS:
        subjects.append(Subject.objects.create(school=school, name=subject_name, code=code))
        teacher = _create_person(
            school=school, username=f"{first}.{last}".lower(), first=first, last=last,
            role=Role.TEACHER,
        )  # fmt: skip
        StaffProfile.objects.create(
            school=school, user=teacher, title=f"{subject_name} teacher", department=subject_name
        )
        teachers.append(teacher)

    rng = random.Random(DEMO_SEED)
    used_usernames: set[str] = set()
    slots = []
    for class_index, (class_name, class_code, level) in enumerate(_CLASSES):
        school_class = SchoolClass.objects.create(
            school=school,
            academic_year=year,
            grade=grades[level],
            name=class_name,
            code=class_code,
            kind=SchoolClass.Kind.HOMEROOM,
            advisor=teachers[class_index],
            price_per_session=Decimal("12.50"),
        )
        section = Section.objects.create(
            school=school, school_class=school_class, name="A", capacity=STUDENTS_PER_CLASS + 5
        )
        for roll_number in range(1, STUDENTS_PER_CLASS + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            username = f"{first}.{last}".lower()
            while username in used_usernames:
                username = f"{first}.{last}{rng.randint(2, 99)}".lower()
            used_usernames.add(username)
            student = _create_person(
                school=school, username=username, first=first, last=last, role=Role.STUDENT
            ).student_profile
            student.student_number = f"{year_start}{class_index + 1}{roll_number:02d}"
            student.save(update_fields=["student_number"])
            Enrollment.objects.create(
                school=school,
                student=student,
                academic_year=year,
                grade=grades[level],
                school_class=school_class,
                section=section,
                roll_number=roll_number,
                enrollment_date=year.start_date,
            )
            Membership.objects.create(
                school=school, student=student, school_class=school_class, joined_on=year.start_date
            )
        # Shift each class's subjects by one period so no teacher is in two rooms at once.
        for weekday in range(5):
            for period in range(PERIODS_PER_DAY):
                subject_index = (period + weekday + class_index) % len(subjects)
                slots.append(
                    TimetableSlot(
                        school=school,
                        school_class=school_class,
                        subject=subjects[subject_index],
                        teacher=teachers[subject_index],
                        weekday=weekday,
                        period_number=period + 1,
                        valid_from=year.start_date,
                        valid_to=year.end_date,
                    )
                )
    TimetableSlot.objects.bulk_create(slots)
    return school


def _create_person(*, school: School, username: str, first: str, last: str, role: str) -> User:
    user = User(
        school=school,
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@demo.rollbook.invalid",
        role=role,
    )
    user.set_unusable_password()
    user.save()  # the save signal gives a student user their StudentProfile
    return user

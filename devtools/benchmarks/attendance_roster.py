"""The benchmark school's people and timetable: classes, teachers, students and their
memberships (late joiners, movers), written with bulk inserts."""

from __future__ import annotations

import dataclasses
import datetime
import functools

from django.contrib.auth.hashers import make_password

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Holiday,
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
from devtools.demo import ATTENDANCE_RATES, FIRST_NAMES, LAST_NAMES

from .attendance_calendar import SCHOOL_WEEKDAYS
from .attendance_plan import (
    BENCHMARK_SCHOOL_NAME,
    BENCHMARK_SOURCE_ID,
    CLASS_SIZE,
    CLASSES_PER_TEACHER,
    JOINS_LATE_PLACE,
    MAX_GRADES,
    MOVES_BACK_PLACE,
    MOVES_PLACE,
    OVERRIDE_PLACE,
    PERIODS_PER_DAY,
    REMOVED_PERIOD,
    SUBJECTS,
    TRIAL_DAYS,
    Member,
    Period,
)


def create_roster(*, students, calendar, days, today, rng, say):
    school = School.objects.create(
        name=BENCHMARK_SCHOOL_NAME, code="BENCH", source_id=BENCHMARK_SOURCE_ID, timezone="UTC"
    )
    y = calendar.year_start.year
    year = AcademicYear.objects.create(
        school=school,
        name=f"{y}-{y + 1}",
        start_date=calendar.year_start,
        end_date=calendar.year_end,
        is_current=True,
    )
    semester_break = datetime.date(y + 1, 2, 1)
    Term.objects.bulk_create(
        [
            Term(
                school=school,
                academic_year=year,
                name="Semester 1",
                start_date=calendar.year_start,
                end_date=semester_break - datetime.timedelta(days=1),
            ),
            Term(
                school=school,
                academic_year=year,
                name="Semester 2",
                start_date=semester_break,
                end_date=calendar.year_end,
            ),
        ]
    )
    Holiday.objects.bulk_create(
        [Holiday(school=school, name=n, start_date=s, end_date=e) for n, s, e in calendar.breaks]
        + [Holiday(school=school, name=n, start_date=d, end_date=d) for n, d in calendar.closures]
    )
    class_count = max(2, round(students / CLASS_SIZE))
    grade_count = min(MAX_GRADES, class_count)
    grades = Grade.objects.bulk_create(
        [Grade(school=school, level=n, name=f"Grade {n}") for n in range(1, grade_count + 1)]
    )
    subjects = Subject.objects.bulk_create(
        [Subject(school=school, name=name, code=code) for name, code in SUBJECTS]
    )
    say(f"Creating {students:,} students in {class_count} classes …")

    # bulk_create skips User.save() (no password hashing per row, no profile signal): the
    # admin's is_staff and every profile are set here instead.
    unusable_password = make_password(None)
    prefix = f"bench{school.pk}"
    teams = -(-class_count // CLASSES_PER_TEACHER)  # teachers per subject

    def person(username: str, role: str, **extra) -> User:
        return User(
            school=school,
            username=f"{prefix}.{username}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            role=role,
            password=unusable_password,
            **extra,
        )

    staff = User.objects.bulk_create(
        [person("admin", Role.ADMIN, is_staff=True)]
        + [person(f"t{s}-{t}", Role.TEACHER) for s in range(len(subjects)) for t in range(teams)]
    )
    teachers = staff[1:]
    StaffProfile.objects.bulk_create(
        [StaffProfile(school=school, user=staff[0], title="Administrator")]
        + [
            StaffProfile(
                school=school,
                user=teacher,
                title=f"{subjects[n // teams].name} teacher",
                department=subjects[n // teams].name,
            )
            for n, teacher in enumerate(teachers)
        ]
    )

    def subject_index(class_index: int, weekday: int, period_number: int) -> int:
        # A Latin square: each subject once a day, and no teacher in two rooms at once.
        return (period_number + weekday + class_index) % len(subjects)

    def teacher_for(subject: int, class_index: int) -> User:
        return teachers[subject * teams + class_index // CLASSES_PER_TEACHER]

    classes = SchoolClass.objects.bulk_create(
        [
            SchoolClass(
                school=school,
                academic_year=year,
                grade=grades[c % grade_count],
                name=f"{grades[c % grade_count].name} {chr(ord('A') + c // grade_count)}",
                code=f"BENCH-{c:03d}",
                kind=SchoolClass.Kind.HOMEROOM,
                advisor=teacher_for(subject_index(c, 0, 1), c),
            )
            for c in range(class_count)
        ]
    )

    removed_on = datetime.date(y, 11, 1)
    periods: dict[tuple[int, int], list[Period]] = {}
    slots = []
    for c, school_class in enumerate(classes):
        for weekday in SCHOOL_WEEKDAYS:
            for period_number in range(1, PERIODS_PER_DAY + 1):
                s = subject_index(c, weekday, period_number)
                teacher = teacher_for(s, c)
                period = Period(school_class.pk, subjects[s].pk, None, period_number, teacher.pk)
                if c == 0 and (weekday, period_number) == REMOVED_PERIOD:
                    # Its slot is gone; the records marked before stay, orphaned.
                    period = dataclasses.replace(period, orphaned=True, removed_on=removed_on)
                else:
                    slots.append(
                        TimetableSlot(
                            school=school,
                            school_class=school_class,
                            subject=subjects[s],
                            teacher=teacher,
                            weekday=weekday,
                            period_number=period_number,
                            valid_from=calendar.first_day,
                            valid_to=calendar.last_day,
                        )
                    )
                periods.setdefault((c, weekday), []).append(period)
    slot_ids = {
        (slot.school_class_id, slot.weekday, slot.period_number): slot.pk
        for slot in TimetableSlot.objects.bulk_create(slots)
    }
    for (_, weekday), day_periods in periods.items():
        day_periods[:] = [
            p
            if p.orphaned
            else dataclasses.replace(
                p, slot_id=slot_ids[(p.school_class_id, weekday, p.period_number)]
            )
            for p in day_periods
        ]

    users = User.objects.bulk_create([person(f"s{i:05d}", Role.STUDENT) for i in range(students)])
    profiles = StudentProfile.objects.bulk_create(
        [
            StudentProfile(school=school, user=user, student_number=f"B{i:05d}")
            for i, user in enumerate(users)
        ]
    )
    late_days = days[len(days) // 8 : len(days) // 2]
    move_day, return_day = days[len(days) * 3 // 10], days[len(days) * 6 // 10]
    members: list[Member] = []
    enrollments = []
    for i, profile in enumerate(profiles):
        home, place = i % class_count, i // class_count
        other = (home + 1) % class_count
        rate = rng.choice(ATTENDANCE_RATES)
        first = calendar.first_day
        member = functools.partial(_member, profile.pk, rate)
        if place == JOINS_LATE_PLACE:
            joined = late_days[(home * 7) % len(late_days)]
            trial_start = days[max(0, days.index(joined) - TRIAL_DAYS)]
            members.append(member(home, joined, marked_from=trial_start))
        elif place == MOVES_PLACE and home % 2 == 0:
            members.append(member(home, first, _day_before(move_day)))
            members.append(member(other, move_day))
        elif place == MOVES_BACK_PLACE and home % 3 == 0:
            members.append(member(home, first, _day_before(move_day)))
            members.append(member(other, move_day, _day_before(return_day)))
            members.append(member(home, return_day))
        else:
            has_override = place == OVERRIDE_PLACE and home % 3 == 0
            members.append(member(home, first, has_override=has_override))
        enrollments.append(
            Enrollment(
                school=school,
                student=profile,
                academic_year=year,
                grade=classes[home].grade,
                school_class=classes[home],
                roll_number=place + 1,
                enrollment_date=members[-1].joined_on if place == JOINS_LATE_PLACE else first,
            )
        )
    Enrollment.objects.bulk_create(enrollments)
    Membership.objects.bulk_create(
        [
            Membership(
                school=school,
                student_id=m.student_id,
                school_class=classes[m.class_index],
                joined_on=m.joined_on,
                left_on=m.left_on,
            )
            for m in members
        ]
    )

    # Left unmarked: the timed class's first period on the latest school day before today
    # (`benchmark_calendar` builds a year with one).
    marking_day = max(d for d in days if d < today and d not in calendar.closure_days)
    unmarked = (slot_ids[(classes[0].pk, marking_day.weekday(), 1)], marking_day)
    return school, periods, members, unmarked


def _member(student_id, rate, class_index, joined, left=None, marked_from=None, **extra):
    return Member(student_id, class_index, joined, left, marked_from or joined, rate, **extra)


def _day_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=1)

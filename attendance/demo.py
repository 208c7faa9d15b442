"""The demo behind `manage.py load_demo`: a school, a login for every role, a few weeks of roll.

The school is the Clever sandbox district when its folder (`settings.ROLLBOOK_DEMO_ROSTER`)
exists — imported through `academics.services.roster_import` with its 2015-16 dates moved
to the current school year — and otherwise a small generated school. Neither source has
attendance, so the last `school_days` school days before today get generated marks
(seeded, so every run gives the same roll); the latest school day — today, or Friday at
a weekend — is left unmarked for the teacher to mark.

Lives in `attendance` because it writes attendance records and `academics` imports no
other app.
"""

from __future__ import annotations

import csv
import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Holiday,
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
from academics.services.roster_import import import_roster

from .models import AttendanceRecord, Status
from .services.staff_absence import mark_teacher_absent
from .signals import demo_loaded

# Demo only: every demo login shares this password, printed by `load_demo`.
DEMO_PASSWORD = "rollbook-demo"
DEMO_SCHOOL_NAME = "Rollbook Demo School"
DEFAULT_SCHOOL_DAYS = 15
DEMO_SEED = 2026
# Created inside the one loading transaction: its existence means the demo is complete.
MARKER_USERNAME = "demo.admin"
# The Clever district's biggest timetable; used when it is among the imported schools.
PREFERRED_SCHOOL_SOURCE_ID = "02M800"
ROLE_ORDER = (Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.TEACHER, Role.ACCOUNTANT, Role.STUDENT)
# Logins created for the demo (the teacher and student logins are people of the roster).
CREATED_LOGINS = {
    Role.ADMIN: ("demo.admin", "Rana", "Haddad", "School administrator"),
    Role.PRINCIPAL: ("demo.principal", "Theo", "Marsh", "Principal"),
    Role.HOD: ("demo.hod", "Priya", "Natarajan", "Head of department"),
    Role.ACCOUNTANT: ("demo.accountant", "Omar", "Fikry", "Accountant"),
}
# How a marked period turns out, given the student was not present (seed 001 codes).
NOT_PRESENT = (Status.ABSENT, Status.INFORMED_LEAVE, Status.UNINFORMED_LEAVE, Status.ON_DUTY)
NOT_PRESENT_WEIGHTS = (5, 3, 2, 1)
# Most students attend almost always; a few often miss, so the percentages differ.
ATTENDANCE_RATES = (0.98, 0.97, 0.96, 0.95, 0.93, 0.9, 0.85, 0.75)
INSERT_BATCH = 2000


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str
    note: str = ""


@dataclass
class AttendanceSummary:
    records: int = 0
    double_booked_skipped: int = 0
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    schools: int = 0
    seconds: float = 0.0

    def render(self) -> str:
        if not self.records:
            return "Attendance: no timetable periods met in the days before today: none generated."
        text = (
            f"Attendance: {self.records:,} records generated for {self.schools} school(s), "
            f"{self.first_day:%a %d %b %Y} – {self.last_day:%a %d %b %Y} "
            f"(school days only; the latest school day is left unmarked) in {self.seconds:.1f} s."
        )
        if self.double_booked_skipped:
            text += (
                f"\n  {self.double_booked_skipped:,} second bookings of a student in the same "
                "period skipped (the roster books some students into two sections at once)."
            )
        return text


@dataclass
class DemoResult:
    school: School
    logins: list[DemoLogin]
    already_loaded: bool = False
    loaded: str = ""
    shift_years: int = 0
    attendance: AttendanceSummary | None = None
    notes: list[str] = field(default_factory=list)


# --- dates ---------------------------------------------------------------------------------


def school_year_start(day: datetime.date) -> int:
    """The calendar year in which the school year containing `day` began (years start in
    August)."""
    return day.year if day.month >= 8 else day.year - 1


def school_days_before(today: datetime.date, count: int) -> list[datetime.date]:
    """The `count` weekdays (Monday–Friday) before `today`, oldest first; today excluded."""
    days: list[datetime.date] = []
    day = today
    while len(days) < count:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def marking_day(today: datetime.date) -> datetime.date:
    """The school day the demo leaves unmarked for the teacher: `today` on a weekday,
    otherwise the Friday before (a future day could not be marked)."""
    day = today
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _parse_roster_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _read_csv(path: Path) -> list[dict[str, str]]:
    # newline="" lets the csv module take the old-Mac CR line endings of the Clever files.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def roster_first_school_year(roster: Path) -> int | None:
    """The school year (by starting calendar year) of the earliest term in the roster folder.

    Reads Clever's `sections.csv` (Term_start) or OneRoster's `academicSessions.csv`
    (startDate); None when neither has a date.
    """
    starts: list[datetime.date] = []
    if (roster / "sections.csv").exists():
        starts = [
            _parse_roster_date(r.get("Term_start") or "")
            for r in _read_csv(roster / "sections.csv")
        ]
    elif (roster / "academicSessions.csv").exists():
        starts = [
            _parse_roster_date(r.get("startDate") or "")
            for r in _read_csv(roster / "academicSessions.csv")
        ]
    dated = [d for d in starts if d is not None]
    return school_year_start(min(dated)) if dated else None


def roster_school_ids(roster: Path) -> list[str]:
    """The SIS ids of the schools in the roster folder (Clever or OneRoster)."""
    if (roster / "schools.csv").exists():
        return [r["School_id"] for r in _read_csv(roster / "schools.csv") if r.get("School_id")]
    if (roster / "orgs.csv").exists():
        return [
            r["sourcedId"]
            for r in _read_csv(roster / "orgs.csv")
            if r.get("sourcedId") and (r.get("type") or "").strip().lower() == "school"
        ]
    return []


def shift_years_for(roster: Path, today: datetime.date) -> int:
    """Years to add to the roster's dates so its first school year is the one of `today`."""
    first = roster_first_school_year(roster)
    return 0 if first is None else school_year_start(today) - first


# --- the generated school ------------------------------------------------------------------

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

    One current academic year (August to June) with two terms, grades 9–12, five subjects
    with a teacher each, three homeroom classes of ten students (Enrollment, Section "A",
    Membership from the year's start) and a Monday–Friday timetable of five periods in which
    every class has every subject each day. No attendance and no logins: see
    `generate_attendance` and `create_demo_logins`. Students get no usable password.

    Returns the School. Deterministic: the same `today` gives the same school.
    """
    today = today or timezone.localdate()
    year_start = school_year_start(today)
    school = School.objects.create(name=name, code="DEMO", currency="USD", timezone="UTC")
    year = AcademicYear.objects.create(
        school=school,
        name=f"{year_start}-{year_start + 1}",
        start_date=datetime.date(year_start, 8, 17),
        end_date=datetime.date(year_start + 1, 6, 30),
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


# --- generated attendance ------------------------------------------------------------------


def generate_attendance(
    *,
    schools: Iterable[School],
    school_days: int = DEFAULT_SCHOOL_DAYS,
    seed: int = DEMO_SEED,
    today: datetime.date | None = None,
) -> AttendanceSummary:
    """Mark every timetabled period of the `school_days` weekdays before today (`today`, a
    school-local date, or by default each school's own today).

    For each TimetableSlot meeting on each of those days, one AttendanceRecord per student
    who is a member of the slot's class that day (joined_on ≤ day ≤ left_on), marked by the
    slot's teacher; mostly P, otherwise A/IL/UL/OD, from a per-student attendance rate drawn
    from `seed`. A student already marked in that period on that day (rosters book some
    students into two sections at once) is skipped: the unique key (student, date, period,
    subject) of seed 001 never fails, and nobody sits in two rooms at once. The latest
    school day (`marking_day`) is never marked. Inserts with bulk_create in batches (no
    history rows: nothing was corrected).

    Returns counts, the date range and the seconds taken.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    summary = AttendanceSummary()
    for school in sorted(schools, key=lambda s: s.pk):
        days = school_days_before(marking_day(today or school.today()), school_days)
        created, skipped = _mark_school(school=school, days=days, rng=rng)
        summary.records += created
        summary.double_booked_skipped += skipped
        if created:
            summary.schools += 1
            summary.first_day = min(filter(None, (summary.first_day, days[0])))
            summary.last_day = max(filter(None, (summary.last_day, days[-1])))
    summary.seconds = time.perf_counter() - started
    return summary


def _mark_school(
    *, school: School, days: list[datetime.date], rng: random.Random
) -> tuple[int, int]:
    first, last = days[0], days[-1]
    slots_by_weekday = defaultdict(list)
    for slot in (
        TimetableSlot.objects.filter(school=school, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .only(
            "pk",
            "school_class_id",
            "subject_id",
            "teacher_id",
            "weekday",
            "period_number",
            "valid_from",
            "valid_to",
        )  # fmt: skip
        .order_by("period_number", "pk")
    ):
        slots_by_weekday[slot.weekday].append(slot)
    members = defaultdict(list)
    for class_id, student_id, joined_on, left_on in (
        Membership.objects.filter(school=school, joined_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .order_by("pk")
        .values_list("school_class_id", "student_id", "joined_on", "left_on")
    ):
        members[class_id].append((student_id, joined_on, left_on))
    taken = set(
        AttendanceRecord.objects.filter(school=school, date__range=(first, last)).values_list(
            "student_id", "date", "period_number"
        )
    )
    rates: dict[int, float] = {}
    batch: list[AttendanceRecord] = []
    created = skipped = 0
    for day in days:
        for slot in slots_by_weekday[day.weekday()]:
            if not slot.meets_on(day):
                continue
            for student_id, joined_on, left_on in members[slot.school_class_id]:
                if joined_on > day or (left_on is not None and left_on < day):
                    continue
                key = (student_id, day, slot.period_number)
                if key in taken:
                    skipped += 1
                    continue
                taken.add(key)
                rate = rates.get(student_id)
                if rate is None:
                    rate = rates[student_id] = rng.choice(ATTENDANCE_RATES)
                if rng.random() < rate:
                    status = Status.PRESENT
                else:
                    status = rng.choices(NOT_PRESENT, NOT_PRESENT_WEIGHTS)[0]
                batch.append(
                    AttendanceRecord(
                        school_id=school.pk,
                        student_id=student_id,
                        school_class_id=slot.school_class_id,
                        subject_id=slot.subject_id,
                        slot_id=slot.pk,
                        date=day,
                        period_number=slot.period_number,
                        status=status,
                        marked_by_id=slot.teacher_id,
                    )
                )
                if len(batch) >= INSERT_BATCH:
                    AttendanceRecord.objects.bulk_create(batch)
                    created += len(batch)
                    batch = []
    if batch:
        AttendanceRecord.objects.bulk_create(batch)
        created += len(batch)
    return created, skipped


# --- logins --------------------------------------------------------------------------------


def periods_on(teacher: User, day: datetime.date) -> int:
    """How many timetable periods `teacher` has on `day` (school-local date)."""
    return sum(
        slot.meets_on(day)
        for slot in TimetableSlot.objects.filter(teacher=teacher, weekday=day.weekday())
    )


def pick_demo_school(candidates: Iterable[School]) -> School:
    """City High School (02M800) when imported, else the school with most timetable slots."""
    ranked = sorted(
        School.objects.filter(pk__in=[s.pk for s in candidates]).annotate(
            slot_count=Count("timetable_slots")
        ),
        key=lambda s: (s.source_id != PREFERRED_SCHOOL_SOURCE_ID, -s.slot_count, s.name),
    )
    return ranked[0]


def pick_demo_teacher(school: School, *, any_time: bool = False) -> User | None:
    """The teacher with the fullest week in the timetable in force on the demo's marking day.

    Ranked by distinct (weekday, period) pairs, then by slots, then username: real rosters
    book one teacher into several sections of the same period, which makes a crowded but
    not a full day. Chosen on the whole week, not today alone, so the same person is
    picked on every day and a second `load_demo` prints the login the first one set up.
    """
    day = marking_day(school.today())
    periods: dict[int, set[tuple[int, int]]] = defaultdict(set)
    slots: dict[int, int] = defaultdict(int)
    for teacher_id, weekday, period in (
        TimetableSlot.objects.filter(
            school=school,
            teacher__role=Role.TEACHER,
            teacher__is_active=True,
            teacher__school=school,
        )
        .filter(
            Q()
            if any_time
            else Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )
        .values_list("teacher_id", "weekday", "period_number")
    ):
        periods[teacher_id].add((weekday, period))
        slots[teacher_id] += 1
    if not periods and not any_time:
        # Between school years nothing is in force: take the fullest week of the timetable.
        return pick_demo_teacher(school, any_time=True)
    if not periods:
        return None
    teachers = User.objects.filter(pk__in=periods).select_related("school")
    return min(teachers, key=lambda t: (-len(periods[t.pk]), -slots[t.pk], t.username))


def pick_demo_student(teacher: User) -> User | None:
    """A member of one of `teacher`'s classes (first by class, then username), preferring
    one who sits in it on the demo's marking day."""
    day = marking_day(teacher.school.today())
    members = (
        Membership.objects.filter(
            school_class__in=TimetableSlot.objects.filter(teacher=teacher).values("school_class"),
            student__user__role=Role.STUDENT,
            student__user__is_active=True,
        )
        .select_related("student__user")
        .order_by("school_class__name", "student__user__username")
    )
    membership = (
        members.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .first()
    ) or members.first()
    return membership.student.user if membership else None


def create_demo_logins(*, school: School) -> list[DemoLogin]:
    """Give `school` a login of every role, all with DEMO_PASSWORD (demo only).

    Admin, principal, hod and accountant are new users `demo.<role>` (the admin with
    is_staff, so the Django admin lets them in); the teacher is the roster's teacher with
    most periods (`pick_demo_teacher`) and the student a member of one of their classes:
    real people of the school, whose password is set. The admin login (MARKER_USERNAME)
    marks the demo as loaded.
    """
    teacher = pick_demo_teacher(school)
    student = pick_demo_student(teacher) if teacher else None
    if teacher is None or student is None:
        raise ValueError(f"{school} has no teacher with timetabled classes and students.")
    department = getattr(getattr(teacher, "staff_profile", None), "department", "")
    for user in (teacher, student):
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    for role in (Role.PRINCIPAL, Role.HOD, Role.ACCOUNTANT, Role.ADMIN):
        username, first, last, title = CREATED_LOGINS[role]
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "school": school,
                "role": role,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.rollbook.invalid",
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "school": school,
                "title": title,
                "department": department if role == Role.HOD else "",
            },
        )
    return demo_logins(school=school)


def demo_logins(*, school: School) -> list[DemoLogin]:
    """The demo logins of `school` (see `create_demo_logins`), in DOMAIN.md's role order."""
    today = school.today()
    teacher = pick_demo_teacher(school)
    users = {
        role: User.objects.filter(username=CREATED_LOGINS[role][0], school=school).first()
        for role in CREATED_LOGINS
    }
    users[Role.TEACHER] = teacher
    users[Role.STUDENT] = pick_demo_student(teacher) if teacher else None
    logins = []
    for role in ROLE_ORDER:
        user = users.get(role)
        if user is None:
            continue
        note = ""
        if role == Role.TEACHER:
            note = _teacher_note(user, today)
        elif role == Role.STUDENT:
            note = f"in a class of {teacher.username}"
        logins.append(DemoLogin(role=role, username=user.username, name=str(user), note=note))
    return logins


def _teacher_note(teacher: User, today: datetime.date) -> str:
    day = marking_day(today)
    if day == today:
        return f"has {periods_on(teacher, today)} periods today, unmarked"
    return (
        f"has {periods_on(teacher, day)} periods on {day:%A %d %b}, left unmarked "
        f"(today is a {today:%A})"
    )


# --- the whole demo ------------------------------------------------------------------------


def load_demo(
    *,
    roster: Path | None,
    school_days: int = DEFAULT_SCHOOL_DAYS,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Load the demo once; later calls change nothing and return the logins again.

    Args:
        roster: a Clever or OneRoster folder to import (dates moved to the current school
            year), or None to generate a school (`generate_demo_school`).
        school_days: weekdays before today to mark (`generate_attendance`).
        progress: called with a line of text as the import goes.

    Returns a DemoResult: the demo school, its logins, what was loaded and the attendance
    generated (`already_loaded` True and nothing loaded if the demo was there).
    Raises RosterImportError on a bad roster and ValueError if the school has no timetabled
    teacher with students; everything runs in one transaction, so nothing is written then.
    """
    marker = User.objects.filter(username=MARKER_USERNAME).select_related("school").first()
    if marker is not None and marker.school is not None:
        return DemoResult(
            school=marker.school, logins=demo_logins(school=marker.school), already_loaded=True
        )
    with transaction.atomic():
        if roster is not None:
            result, schools = _load_roster(roster=roster, progress=progress)
        else:
            school = generate_demo_school(today=timezone.localdate())
            result = DemoResult(
                school=school,
                logins=[],
                loaded=(
                    f"Generated {school.name}: {school.students.count()} students in "
                    f"{school.classes.count()} classes, {school.subjects.count()} subjects, "
                    f"{school.timetable_slots.count()} weekly timetable periods."
                ),
            )
            schools = [school]
        result.attendance = generate_attendance(schools=schools, school_days=school_days)
        result.logins = create_demo_logins(school=result.school)
        result.notes += add_demo_calendar(school=result.school)
        # Apps built on attendance (billing) add their part: see `signals.demo_loaded`.
        for _receiver, notes in demo_loaded.send(
            sender=DemoResult, school=result.school, schools=schools, logins=result.logins
        ):
            result.notes += list(notes or [])
    return result


def add_demo_calendar(*, school: School) -> list[str]:
    """Give the demo school something for issue 3's screens, through their services:
    a two-day closure next week, and a colleague of the demo teacher marked absent on the
    unmarked marking day with the demo teacher as substitute ("Periods to resolve").

    Returns lines saying what was added (none for a part that does not apply).
    """
    notes = []
    today = school.today()
    thursday = today + datetime.timedelta(days=(3 - today.weekday()) % 7 or 7)
    closure = Holiday.objects.create(
        school=school,
        name="Staff development days (demo closure)",
        start_date=thursday,
        end_date=thursday + datetime.timedelta(days=1),
    )
    notes.append(f"Calendar: {closure} — marking is refused on those days.")

    teacher = pick_demo_teacher(school)
    hod = User.objects.filter(username=CREATED_LOGINS[Role.HOD][0], school=school).first()
    day = marking_day(today)
    if teacher is None or hod is None:
        return notes
    absent = (
        User.objects.filter(
            school=school,
            role=Role.TEACHER,
            timetable_slots__weekday=day.weekday(),
            timetable_slots__school_class__memberships__isnull=False,
        )
        .exclude(pk=teacher.pk)
        .order_by("username")
        .first()
    )
    if absent is None:
        return notes
    result = mark_teacher_absent(
        teacher=absent,
        day=day,
        substitute=teacher,
        reason="Demo: a sick day",
        actor=hod,
    )
    notes.append(
        f"Staff absence: {absent} marked absent on {day:%A %d %b} by {hod} "
        f"({result.created:,} records set to SA); {teacher.username} is the substitute "
        "and finds them under Periods to resolve."
    )
    return notes


def _load_roster(
    *, roster: Path, progress: Callable[[str], None] | None
) -> tuple[DemoResult, list[School]]:
    today = timezone.localdate()
    shift = shift_years_for(roster, today)
    summary = import_roster(roster, shift_years=shift, progress=progress)
    schools = _roster_schools(roster)
    if not schools:
        raise ValueError(f"The roster at {roster} gave no school with a timetable.")
    result = DemoResult(school=pick_demo_school(schools), logins=[], loaded=summary.render())
    result.shift_years = shift
    if shift:
        first = roster_first_school_year(roster)
        result.notes.append(
            f"Dates moved {shift:+d} years: the roster's {first}-{str(first + 1)[-2:]} school "
            f"year is now {first + shift}-{str(first + shift + 1)[-2:]}, the one containing "
            f"today ({today:%d %b %Y})."
        )
    return result, schools


def _roster_schools(roster: Path) -> list[School]:
    ids = roster_school_ids(roster)
    return list(
        School.objects.filter(Q(source_id__in=ids) | Q(code__in=ids))
        .filter(timetable_slots__isnull=False)
        .distinct()
        .order_by("pk")
    )

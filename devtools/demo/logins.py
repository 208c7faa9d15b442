"""The demo's logins: one of every role, all with DEMO_PASSWORD (demo only)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from academics.models import (
    Guardianship,
    Membership,
    Role,
    School,
    StaffProfile,
    TimetableSlot,
    User,
)

from .dates import marking_day
from .school import DEMO_PASSWORD

# Created inside the one loading transaction: its existence means the demo is complete.
MARKER_USERNAME = "demo.admin"
# The Clever district's biggest timetable; used when it is among the imported schools.
PREFERRED_SCHOOL_SOURCE_ID = "02M800"
ROLE_ORDER = (
    Role.ADMIN,
    Role.PRINCIPAL,
    Role.HOD,
    Role.TEACHER,
    Role.ACCOUNTANT,
    Role.STUDENT,
    Role.GUARDIAN,
)
# The demo student's guardian when the roster gives them none (a generated school).
GUARDIAN_LOGIN = ("demo.guardian", "Gina", "Parent")
# Logins created for the demo (the teacher and student logins are people of the roster).
CREATED_LOGINS = {
    Role.ADMIN: ("demo.admin", "Rana", "Haddad", "School administrator"),
    Role.PRINCIPAL: ("demo.principal", "Theo", "Marsh", "Principal"),
    Role.HOD: ("demo.hod", "Priya", "Natarajan", "Head of department"),
    Role.ACCOUNTANT: ("demo.accountant", "Omar", "Fikry", "Accountant"),
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str
    note: str = ""


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
    membership = members.active_on(day).first() or members.first()
    return membership.student.user if membership else None


def pick_demo_guardian(student: User) -> User | None:
    """The demo student's first guardian (by link), or None."""
    link = (
        Guardianship.objects.filter(student__user=student)
        .select_related("guardian__user")
        .order_by("pk")
        .first()
    )
    return link.guardian.user if link else None


def _ensure_demo_guardian(school: School, student: User) -> User:
    """The demo student's guardian: the roster's (a Clever contact), else `demo.guardian`,
    linked to them (docs/manual/guardians.md)."""
    guardian = pick_demo_guardian(student)
    if guardian is not None:
        return guardian
    username, first, last = GUARDIAN_LOGIN
    guardian, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "school": school,
            "role": Role.GUARDIAN,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.rollbook.invalid",
            "is_active": True,
        },
    )
    Guardianship.objects.get_or_create(
        school=school,
        guardian=guardian.guardian_profile,
        student=student.student_profile,
        defaults={"relationship": "Parent"},
    )
    return guardian


def create_demo_logins(*, school: School) -> list[DemoLogin]:
    """Give `school` a login of every role, all with DEMO_PASSWORD (demo only).

    Admin, principal, hod and accountant are new users `demo.<role>` (the admin with
    is_staff, so the Django admin lets them in); the teacher is the roster's teacher with
    most periods (`pick_demo_teacher`) and the student a member of one of their classes:
    real people of the school, whose password is set; the guardian is the student's (a
    roster contact, or `demo.guardian`). The admin login (MARKER_USERNAME) marks the demo
    as loaded.
    """
    teacher = pick_demo_teacher(school)
    student = pick_demo_student(teacher) if teacher else None
    if teacher is None or student is None:
        raise ValueError(f"{school} has no teacher with timetabled classes and students.")
    department = getattr(getattr(teacher, "staff_profile", None), "department", "")
    guardian = _ensure_demo_guardian(school, student)
    for user in (teacher, student, guardian):
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
    student = users[Role.STUDENT]
    users[Role.GUARDIAN] = pick_demo_guardian(student) if student else None
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
        elif role == Role.GUARDIAN:
            note = f"guardian of {student.username}"
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

"""Registers not taken: timetable periods that met and that nobody marked."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from academics.models import Membership, TimetableSlot, User

from ...access import can_see_all_not_taken
from ...models import AttendanceRecord
from ..periods import school_slots
from .counting import holiday_dates, in_any


@dataclass(frozen=True)
class MissingRegister:
    """A timetable period that met on `date` and has no record at all."""

    slot: TimetableSlot
    date: datetime.date

    @property
    def teacher(self) -> User | None:
        return self.slot.teacher


@dataclass
class TeacherDay:
    """The registers one teacher did not take on one date."""

    teacher: User | None
    date: datetime.date
    registers: list[MissingRegister]


def registers_not_taken(
    *,
    user: User,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    teacher: User | None = None,
) -> list[MissingRegister]:
    """Timetable periods from `start` to `end` that nobody marked (docs/design/attendance.md).

    Args:
        user: admin, principal or hod see the whole school; anyone else only the slots
            they teach.
        start, end: school-local range; days from `today` on are left out (a register of
            today may still be taken).
        today: the school's today.
        teacher: only this teacher's slots (for a school-wide reader's filter).

    Returns:
        One MissingRegister per slot-day: the slot met that day (weekday and validity), the
        day is no holiday, the class had a member that day, and no record exists for the
        slot's class + subject + period + date. Ordered by teacher name, date, period.

    Queries (slot-days are enumerated in Python): slots with class, subject, teacher ·
    holidays · the marked (class, subject, period, date) keys · the classes' membership
    spans.
    """
    last = min(end, today - datetime.timedelta(days=1))
    if start > last:
        return []
    slots = (
        school_slots(user=user)
        .filter(school_class__is_active=True, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    )
    if not can_see_all_not_taken(user):
        slots = slots.filter(teacher=user)
    elif teacher is not None:
        slots = slots.filter(teacher=teacher)
    slots = list(slots)
    if not slots:
        return []
    class_ids = {slot.school_class_id for slot in slots}
    closed = holiday_dates(school_id=user.school_id, start=start, end=last)
    marked = set(
        AttendanceRecord.objects.filter(
            school_id=user.school_id,
            school_class_id__in=class_ids,
            date__gte=start,
            date__lte=last,
        )
        .values_list("school_class_id", "subject_id", "period_number", "date")
        .distinct()
    )
    spans: dict[int, list] = defaultdict(list)
    for class_id, joined, left in (
        Membership.objects.overlapping(start, last)
        .filter(school_class_id__in=class_ids)
        .values_list("school_class_id", "joined_on", "left_on")
    ):
        spans[class_id].append((joined, left))

    by_weekday: dict[int, list[TimetableSlot]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot.weekday].append(slot)
    missing = []
    day = start
    while day <= last:
        if day not in closed:
            for slot in by_weekday.get(day.weekday(), ()):
                if (
                    slot.meets_on(day)
                    and in_any(day, spans.get(slot.school_class_id, ()))
                    and (slot.school_class_id, slot.subject_id, slot.period_number, day)
                    not in marked
                ):
                    missing.append(MissingRegister(slot=slot, date=day))
        day += datetime.timedelta(days=1)
    missing.sort(
        key=lambda m: (
            m.slot.teacher is None,
            (m.slot.teacher.last_name, m.slot.teacher.first_name, m.slot.teacher_id)
            if m.slot.teacher
            else ("", "", 0),
            m.date,
            m.slot.period_number,
            m.slot.school_class.name,
        )
    )
    return missing


def group_by_teacher_and_date(missing: list[MissingRegister]) -> list[TeacherDay]:
    """Consecutive MissingRegisters (as `registers_not_taken` orders them) grouped per
    teacher and date."""
    groups: list[TeacherDay] = []
    for item in missing:
        if groups and groups[-1].teacher == item.teacher and groups[-1].date == item.date:
            groups[-1].registers.append(item)
        else:
            groups.append(TeacherDay(teacher=item.teacher, date=item.date, registers=[item]))
    return groups


def not_taken_teachers(*, user: User) -> QuerySet[User]:
    """The school's users who have a timetable slot (the not-taken report's filter)."""
    return User.objects.filter(
        school_id=user.school_id,
        pk__in=TimetableSlot.objects.filter(school_id=user.school_id).values("teacher_id"),
    ).order_by("last_name", "first_name", "pk")

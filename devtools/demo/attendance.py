"""Generated attendance: a seeded roll for the school days before today."""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from academics.models import Membership, School, TimetableSlot
from attendance.models import AttendanceRecord, Status

from .dates import marking_day, school_days_before
from .school import DEFAULT_SCHOOL_DAYS, DEMO_SEED

# How a marked period turns out, given the student was not present (docs/design/attendance.md).
NOT_PRESENT = (Status.ABSENT, Status.INFORMED_LEAVE, Status.UNINFORMED_LEAVE, Status.ON_DUTY)
NOT_PRESENT_WEIGHTS = (5, 3, 2, 1)
# Most students attend almost always; a few often miss, so the percentages differ.
ATTENDANCE_RATES = (0.98, 0.97, 0.96, 0.95, 0.93, 0.9, 0.85, 0.75)
INSERT_BATCH = 2000


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
    subject; docs/design/attendance.md) never fails, and nobody sits in two rooms at once.
    The latest school day (`marking_day`) is never marked. Inserts with bulk_create in batches (no
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
        Membership.objects.overlapping(first, last)
        .filter(school=school)
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

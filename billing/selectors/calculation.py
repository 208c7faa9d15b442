"""What a group's students would be billed for a period: the preview that generation
writes (docs/design/billing.md, "Calculate Attendance Payments")."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from academics.models import Membership, SchoolClass, StudentProfile
from attendance.models import COUNTABLE_STATUSES, AttendanceRecord, Status

from ..models import Bill, BillLine
from .money import ZERO


def billable_records(
    *, school_class: SchoolClass, start: datetime.date, end: datetime.date
) -> QuerySet[AttendanceRecord]:
    """The group's records that a bill may charge for in the period: present (P), not
    orphaned by a timetable change (docs/design/attendance.md, EC-ATT-02), dated start..end
    inclusive."""
    return AttendanceRecord.objects.filter(
        school_class=school_class,
        date__range=(start, end),
        status=Status.PRESENT,
        is_orphaned=False,
    )


@dataclass
class StudentCalculation:
    """What one student would be billed for the period (docs/design/billing.md,
    `calculations[]`)."""

    student: StudentProfile
    price_per_session: Decimal
    record_ids: list[int]
    enrollment_date: datetime.date | None
    is_active: bool
    existing_bill: Bill | None = None
    existing_record_ids: frozenset[int] = frozenset()
    already_billed: int = 0  # P records of the period charged by another (overlapping) bill

    @property
    def sessions_attended(self) -> int:
        return len(self.record_ids)

    @property
    def total_amount(self) -> Decimal:
        """Sessions × price. A bill being recalculated keeps the price it was issued at."""
        price = (
            self.existing_bill.price_per_session if self.existing_bill else self.price_per_session
        )
        return price * self.sessions_attended

    @property
    def status(self) -> str:
        return "active" if self.is_active else "left"

    @property
    def changes_existing_bill(self) -> bool:
        return self.existing_bill is not None and (
            frozenset(self.record_ids) != self.existing_record_ids
        )


@dataclass
class BillingCalculation:
    """The preview of a group's bills for one period (docs/design/billing.md, calculate
    endpoint)."""

    school_class: SchoolClass
    start: datetime.date
    end: datetime.date
    price_per_session: Decimal | None
    total_sessions: int
    calculations: list[StudentCalculation] = field(default_factory=list)

    @property
    def total_students(self) -> int:
        return len(self.calculations)

    @property
    def active_students(self) -> int:
        """Students who attended at least one session of the period."""
        return sum(1 for c in self.calculations if c.sessions_attended)

    @property
    def total_revenue(self) -> Decimal:
        return sum((c.total_amount for c in self.calculations), ZERO)


def calculate_bills(
    *,
    school_class: SchoolClass,
    start: datetime.date,
    end: datetime.date,
    students: Iterable[StudentProfile] | None = None,
) -> BillingCalculation:
    """What each student of `school_class` would be billed for start..end (dates inclusive,
    school-local), without writing anything (docs/design/billing.md, "Calculate Attendance
    Payments").

    A student is in the calculation when a membership of theirs overlaps the period, or
    they already have a bill of this exact period. Their sessions are their billable
    records (`billable_records`) that no other bill charges: a record already on a bill
    of another (overlapping) period is left out and counted in `already_billed`, so a
    session is never billed twice (docs/design/billing.md). Records on their bill of this same
    period count, so the figure is what that bill would be recalculated to.

    `students` narrows the calculation to those students. The number of queries does not
    grow with the number of students. A group without a price per session still
    calculates, with `price_per_session` None and amounts of zero; generation refuses it.
    """
    price = school_class.price_per_session
    student_ids = {s.pk for s in students} if students is not None else None

    memberships = Membership.objects.overlapping(start, end).filter(school_class=school_class)
    existing_bills = Bill.objects.filter(
        school_class=school_class, period_start=start, period_end=end
    )
    records = billable_records(school_class=school_class, start=start, end=end)
    if student_ids is not None:
        memberships = memberships.filter(student_id__in=student_ids)
        existing_bills = existing_bills.filter(student_id__in=student_ids)
        records = records.filter(student_id__in=student_ids)

    joined: dict[int, datetime.date] = {}
    active: dict[int, bool] = defaultdict(bool)
    for student_id, joined_on, left_on in memberships.values_list(
        "student_id", "joined_on", "left_on"
    ):
        joined[student_id] = min(joined.get(student_id, joined_on), joined_on)
        active[student_id] |= left_on is None or left_on >= end
    bills_by_student = {bill.student_id: bill for bill in existing_bills}
    existing_lines: dict[int, set[int]] = defaultdict(set)
    for bill_id, record_id in BillLine.objects.filter(
        bill__in=list(bills_by_student.values())
    ).values_list("bill_id", "attendance_record_id"):
        existing_lines[bill_id].add(record_id)

    chargeable: dict[int, list[int]] = defaultdict(list)
    already_billed: dict[int, int] = defaultdict(int)
    for record_id, student_id, bill_id in records.order_by("date", "period_number").values_list(
        "pk", "student_id", "bill_line__bill_id"
    ):
        own_bill = bills_by_student.get(student_id)
        if bill_id is None or (own_bill is not None and bill_id == own_bill.pk):
            chargeable[student_id].append(record_id)
        else:
            already_billed[student_id] += 1

    ids = set(joined) | set(bills_by_student) | set(chargeable)
    people = StudentProfile.objects.filter(pk__in=ids).select_related("user")
    calculations = [
        StudentCalculation(
            student=student,
            price_per_session=price if price is not None else ZERO,
            record_ids=chargeable.get(student.pk, []),
            enrollment_date=joined.get(student.pk),
            is_active=active.get(student.pk, False),
            existing_bill=bills_by_student.get(student.pk),
            existing_record_ids=frozenset(
                existing_lines.get(bills_by_student[student.pk].pk, ())
                if student.pk in bills_by_student
                else ()
            ),
            already_billed=already_billed.get(student.pk, 0),
        )
        for student in people.order_by("user__last_name", "user__first_name", "pk")
    ]
    total_sessions = (
        AttendanceRecord.objects.filter(
            school_class=school_class,
            date__range=(start, end),
            status__in=COUNTABLE_STATUSES,
            is_orphaned=False,
        )
        .values("date", "period_number", "subject_id")
        .distinct()
        .count()
    )
    return BillingCalculation(
        school_class=school_class,
        start=start,
        end=end,
        price_per_session=price,
        total_sessions=total_sessions,
        calculations=calculations,
    )

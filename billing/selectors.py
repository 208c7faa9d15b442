"""Reads for billing (seed 002): what a group's students would be billed, bills with their
status, a group's revenue. Every function takes school-scoped objects; views scope them.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth

from academics.models import Membership, Role, SchoolClass, StudentProfile, User
from attendance.models import COUNTABLE_STATUSES, AttendanceRecord, Status

from .models import Bill, BillLine, BillStatus

# Seed 002 is the accountant's; admins may do everything an accountant does.
BILLING_ROLES = (Role.ADMIN, Role.ACCOUNTANT)
# A principal reads everything in the school (DOMAIN.md): bills and revenue, no writes.
BILLING_READERS = (*BILLING_ROLES, Role.PRINCIPAL)
ZERO = Decimal("0")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


class BillingPeriodError(ValueError):
    """A billing period that cannot be used (reversed, or empty of days)."""


# --- periods -------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a calendar month."""
    return datetime.date(year, month, 1), datetime.date(
        year, month, calendar.monthrange(year, month)[1]
    )


def last_ended_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The most recent calendar month that has ended by `today` (school-local): the
    month an accountant bills by default."""
    first_of_this_month = today.replace(day=1)
    previous = first_of_this_month - datetime.timedelta(days=1)
    return month_bounds(previous.year, previous.month)


def billing_period(
    *,
    school_class: SchoolClass,
    start: datetime.date | None,
    end: datetime.date | None,
    today: datetime.date,
) -> tuple[datetime.date, datetime.date]:
    """The period a preview or generation covers, from the optional `startDate`/`endDate`.

    Seed 002 makes both optional. Without a start: the first day of the group's term, else
    of its academic year, else of its first record (else `end`). Without an end: `today`
    (school-local). Raises BillingPeriodError when the start falls after the end.
    """
    if end is None:
        end = today
    if start is None:
        start = _group_start(school_class) or end
        start = min(start, end)
    if start > end:
        raise BillingPeriodError(
            f"The period starts on {start.isoformat()}, after it ends on {end.isoformat()}."
        )
    return start, end


def _group_start(school_class: SchoolClass) -> datetime.date | None:
    if school_class.term_id:
        return school_class.term.start_date
    if school_class.academic_year_id:
        return school_class.academic_year.start_date
    first = (
        AttendanceRecord.objects.filter(school_class=school_class)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return first


# --- the calculation (preview and generation) ----------------------------------------------


def billable_records(
    *, school_class: SchoolClass, start: datetime.date, end: datetime.date
) -> QuerySet[AttendanceRecord]:
    """The group's records that a bill may charge for in the period: present (P), not
    orphaned by a timetable change (seed 001, EC-ATT-02), dated start..end inclusive."""
    return AttendanceRecord.objects.filter(
        school_class=school_class,
        date__range=(start, end),
        status=Status.PRESENT,
        is_orphaned=False,
    )


@dataclass
class StudentCalculation:
    """What one student would be billed for the period (seed 002, `calculations[]`)."""

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
    """The preview of a group's bills for one period (seed 002, calculate endpoint)."""

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
    school-local), without writing anything (seed 002, "Calculate Attendance Payments").

    A student is in the calculation when a membership of theirs overlaps the period, or
    they already have a bill of this exact period. Their sessions are their billable
    records (`billable_records`) that no other bill charges: a record already on a bill
    of another (overlapping) period is left out and counted in `already_billed`, so a
    session is never billed twice (issue 5). Records on their bill of this same period
    count, so the figure is what that bill would be recalculated to.

    `students` narrows the calculation to those students. The number of queries does not
    grow with the number of students. A group without a price per session still
    calculates, with `price_per_session` None and amounts of zero; generation refuses it.
    """
    price = school_class.price_per_session
    student_ids = {s.pk for s in students} if students is not None else None

    memberships = Membership.objects.filter(school_class=school_class, joined_on__lte=end).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=start)
    )
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


# --- bills, their status and whether they need recalculating -------------------------------


def with_bill_status(bills: QuerySet[Bill], *, today: datetime.date) -> QuerySet[Bill]:
    """Annotate `status` (BillStatus value), `corrected_sessions` (a charged record is no
    longer P, or was orphaned: Exists) and `new_sessions` (an unbilled P record of the
    period: Exists); `needs_recalculation` is either (issue 5).

    Status (seed 002 and DOMAIN.md): paid when nothing is left to pay; overdue when the due
    date (period end + the school's payment terms) is before `today` and something is;
    partial when something has been paid; pending otherwise.
    """
    corrected = BillLine.objects.filter(bill=OuterRef("pk")).filter(
        ~Q(attendance_record__status=Status.PRESENT) | Q(attendance_record__is_orphaned=True)
    )
    new = AttendanceRecord.objects.filter(
        school_class=OuterRef("school_class"),
        student=OuterRef("student"),
        date__gte=OuterRef("period_start"),
        date__lte=OuterRef("period_end"),
        status=Status.PRESENT,
        is_orphaned=False,
        bill_line__isnull=True,
    )
    return bills.annotate(
        status=Case(
            When(paid_amount__gte=F("amount"), then=Value(BillStatus.PAID)),
            When(due_date__lt=today, then=Value(BillStatus.OVERDUE)),
            When(paid_amount__gt=0, then=Value(BillStatus.PARTIAL)),
            default=Value(BillStatus.PENDING),
            output_field=CharField(),
        ),
        corrected_sessions=Exists(corrected),
        new_sessions=Exists(new),
        needs_recalculation=ExpressionWrapper(
            Q(corrected_sessions=True) | Q(new_sessions=True), output_field=BooleanField()
        ),
    )


def school_bills(*, user: User) -> QuerySet[Bill]:
    """The bills `user` may read: every bill of their school for admins, accountants and
    principals, their own for a student, none for anyone else."""
    bills = Bill.objects.filter(school_id=user.school_id)
    if user.has_role(*BILLING_READERS):
        return bills
    if user.role == Role.STUDENT:
        return bills.filter(student__user=user)
    return bills.none()


def status_label(status: str) -> str:
    return BillStatus(status).label


@dataclass(frozen=True)
class Revenue:
    """A set of bills' money (seed 002, "Group Revenue Summary")."""

    expected: Decimal
    collected: Decimal
    pending: Decimal
    credit: Decimal
    sessions: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def revenue(bills: QuerySet[Bill], *, today: datetime.date) -> Revenue:
    """Expected (sum of amounts), collected (money received), pending (still owed, each
    bill at least zero), credit (overpaid after recalculation), sessions billed and the
    count of bills per status, in two queries."""
    totals = bills.aggregate(
        expected=Coalesce(Sum("amount"), ZERO, output_field=_MONEY),
        collected=Coalesce(Sum("paid_amount"), ZERO, output_field=_MONEY),
        pending=Coalesce(
            Sum(Greatest(F("amount") - F("paid_amount"), ZERO, output_field=_MONEY)),
            ZERO,
            output_field=_MONEY,
        ),
        credit=Coalesce(
            Sum(Greatest(F("paid_amount") - F("amount"), ZERO, output_field=_MONEY)),
            ZERO,
            output_field=_MONEY,
        ),
        sessions=Coalesce(Sum("sessions_attended"), 0),
    )
    counts = dict.fromkeys(BillStatus.values, 0)
    for row in (
        with_bill_status(bills.order_by(), today=today)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["status"]] = row["n"]
    return Revenue(counts=counts, **totals)


def revenue_by_month(bills: QuerySet[Bill]) -> list[dict]:
    """Expected and collected per month of the period's start, oldest first:
    `[{"month": date(first day), "expected": Decimal, "collected": Decimal}]`."""
    return list(
        bills.order_by()
        .annotate(month=TruncMonth("period_start"))
        .values("month")
        .annotate(
            expected=Coalesce(Sum("amount"), ZERO, output_field=_MONEY),
            collected=Coalesce(Sum("paid_amount"), ZERO, output_field=_MONEY),
        )
        .order_by("month")
    )

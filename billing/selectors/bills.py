"""Bills with their status, the bills a user may read, and the money of a set of bills
(docs/design/billing.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth

from academics.models import Role, SchoolClass, StudentProfile, User
from attendance.models import AttendanceRecord, Status

from ..access import can_read_bills
from ..models import Bill, BillLine, BillStatus, Payment
from .calculation import billable_records
from .money import MONEY, ZERO


def with_bill_status(bills: QuerySet[Bill], *, today: datetime.date) -> QuerySet[Bill]:
    """Annotate `status` (BillStatus value), `corrected_sessions` (a charged record is no
    longer P, or was orphaned: Exists) and `new_sessions` (an unbilled P record of the
    period: Exists); `needs_recalculation` is either (docs/design/billing.md).

    Status (docs/design/billing.md and DOMAIN.md): paid when nothing is left to pay; overdue
    when the due date (period end + the school's payment terms) is before `today` and something
    is; partial when something has been paid; pending otherwise.
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
    if can_read_bills(user):
        return bills
    if user.role == Role.STUDENT:
        return bills.filter(student__user=user)
    return bills.none()


def status_label(status: str) -> str:
    return BillStatus(status).label


@dataclass(frozen=True)
class Revenue:
    """A set of bills' money (docs/design/billing.md, "Group Revenue Summary")."""

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
        expected=Coalesce(Sum("amount"), ZERO, output_field=MONEY),
        collected=Coalesce(Sum("paid_amount"), ZERO, output_field=MONEY),
        pending=Coalesce(
            Sum(Greatest(F("amount") - F("paid_amount"), ZERO, output_field=MONEY)),
            ZERO,
            output_field=MONEY,
        ),
        credit=Coalesce(
            Sum(Greatest(F("paid_amount") - F("amount"), ZERO, output_field=MONEY)),
            ZERO,
            output_field=MONEY,
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
            expected=Coalesce(Sum("amount"), ZERO, output_field=MONEY),
            collected=Coalesce(Sum("paid_amount"), ZERO, output_field=MONEY),
        )
        .order_by("month")
    )


# --- the bills list, a bill's page, a student's own bills --------------------------------


def filtered_bills(*, user: User, filters: dict, today: datetime.date) -> QuerySet[Bill]:
    """The bills `user` may read (`school_bills`) with their status on `today`
    (school-local), narrowed by `filters`: `status` (a BillStatus value), `group` (a
    SchoolClass id), `month` (the first day of the month the period starts in) and `q`
    (words each found in the student's first or last name, username or student number).
    Unordered, so it can be summed (`revenue`) as well as listed (`ordered_for_list`)."""
    bills = school_bills(user=user)
    if group_id := filters.get("group"):
        bills = bills.filter(school_class_id=group_id)
    if month := filters.get("month"):
        bills = bills.filter(period_start__year=month.year, period_start__month=month.month)
    for word in filters.get("q", "").split():
        bills = bills.filter(
            Q(student__user__first_name__icontains=word)
            | Q(student__user__last_name__icontains=word)
            | Q(student__user__username__iexact=word)
            | Q(student__student_number__iexact=word)
        )
    bills = with_bill_status(bills, today=today)
    if status := filters.get("status"):
        bills = bills.filter(status=status)
    return bills


def ordered_for_list(bills: QuerySet[Bill]) -> QuerySet[Bill]:
    """`bills` with student and group joined, in the list's order: newest period first,
    then by group and student name."""
    return bills.select_related("student__user", "school_class").order_by(
        "-period_start", "school_class__name", "student__user__last_name", "pk"
    )


def bill_group(*, school_id: int, group_id: int | None) -> SchoolClass | None:
    """The school's group `group_id` (the list's group filter), or None."""
    if not group_id:
        return None
    return SchoolClass.objects.filter(school_id=school_id, pk=group_id).first()


def bill_group_choices(*, school_id: int, group_id: int | None) -> list[SchoolClass]:
    """The list's group picker: the school's groups that have bills, and `group_id` (the
    one asked for) even without, by name."""
    return list(
        SchoolClass.objects.filter(school_id=school_id)
        .filter(Q(bills__isnull=False) | Q(pk=group_id or 0))
        .distinct()
        .order_by("name")
    )


def readable_bill(*, user: User, bill_id: int, today: datetime.date) -> Bill | None:
    """The bill `bill_id` with its status on `today` (school-local) and its student, group
    and school, if `user` may read it (`school_bills`); None otherwise (another school's,
    another student's). One query."""
    bills = with_bill_status(
        school_bills(user=user).select_related("student__user", "school_class", "school"),
        today=today,
    )
    return bills.filter(pk=bill_id).first()


def bill_lines(*, bill: Bill) -> list[BillLine]:
    """The lines of `bill` with their attendance record, its subject and who last changed
    it. One query."""
    return list(
        BillLine.objects.filter(bill=bill).select_related(
            "attendance_record__subject", "attendance_record__modified_by"
        )
    )


def unbilled_session_count(*, bill: Bill) -> int:
    """How many billable records of the bill's student, group and period no bill charges
    for yet: what "Recalculate" would add."""
    return (
        billable_records(
            school_class=bill.school_class, start=bill.period_start, end=bill.period_end
        )
        .filter(student=bill.student, bill_line__isnull=True)
        .count()
    )


def bill_payments(*, bill: Bill) -> list[Payment]:
    """The payments recorded against `bill`, with who received them."""
    return list(bill.payments.select_related("received_by"))


def bill_history(*, bill: Bill) -> list:
    """The bill's change history (django-simple-history rows), oldest first, with who."""
    return list(bill.history.select_related("history_user").order_by("history_date"))


def student_bills(*, user: User, today: datetime.date) -> list[Bill]:
    """The signed-in student's bills with their status on `today` (school-local), newest
    period first, each with its lines and their records' subjects prefetched."""
    return _with_lines(school_bills(user=user), today=today)


def bills_of_student(*, student: StudentProfile, today: datetime.date) -> list[Bill]:
    """`student`'s bills as "My bills" shows them (`student_bills`), for a reader who
    already may see the student — a guardian reaching their child through their own
    guardianships (docs/manual/guardians.md). Two queries."""
    return _with_lines(
        Bill.objects.filter(school_id=student.school_id, student=student), today=today
    )


def _with_lines(bills: QuerySet[Bill], *, today: datetime.date) -> list[Bill]:
    return list(
        with_bill_status(bills, today=today)
        .select_related("school_class")
        .prefetch_related(
            Prefetch(
                "lines", queryset=BillLine.objects.select_related("attendance_record__subject")
            )
        )
        .order_by("-period_start", "school_class__name", "pk")
    )


def owed_by_student(*, students: QuerySet[StudentProfile]) -> dict[int, Decimal]:
    """What each of `students` still owes: the sum of their bills' remaining amounts
    (amount − paid, never below zero per bill: `Bill.remaining`), in the school's
    currency. Returns student pk → amount; a student without bills is absent. One
    query, whatever the number of students (docs/design/billing.md)."""
    remaining = Greatest(F("amount") - F("paid_amount"), Value(ZERO), output_field=MONEY)
    rows = (
        Bill.objects.filter(student__in=students)
        .values("student_id")
        .annotate(owed=Sum(remaining))
        .order_by()
    )
    return {row["student_id"]: row["owed"] for row in rows}

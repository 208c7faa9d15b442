"""A school's groups as the billing pages and the JSON API show them: the group list with
its counts, one group, its members and its bills (docs/design/billing.md)."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from academics.models import Membership, SchoolClass, User

from ..models import Bill, BillLine
from .bills import with_bill_status


def _not_ended_by(today: datetime.date):
    """Memberships that have not ended by `today`, those starting later included."""
    return Membership.objects.overlapping(today, datetime.date.max)


def school_group(*, user: User, group_id: int) -> SchoolClass | None:
    """The group `group_id` of `user`'s school with its school, subject, term and academic
    year, or None (no such group, or another school's: the same answer, so ids of other
    schools cannot be probed). One query."""
    return (
        SchoolClass.objects.filter(school_id=user.school_id, pk=group_id)
        .select_related("school", "subject", "term", "academic_year")
        .first()
    )


def billing_groups(
    *, user: User, today: datetime.date, q: str = "", include_inactive: bool = True
) -> QuerySet[SchoolClass]:
    """`user`'s school's groups with `members` (students whose membership has not ended by
    `today`, school-local) and `bill_count` (every bill of the group), by name and code.

    `q` keeps the groups whose name or code contains it; `include_inactive` False keeps the
    active groups only. Counted in subqueries, so a page of groups is one query however
    many rows it has.
    """
    members = (
        _not_ended_by(today)
        .filter(school_class=OuterRef("pk"))
        .order_by()
        .values("school_class")
        .annotate(n=Count("student", distinct=True))
        .values("n")
    )
    bills = (
        Bill.objects.filter(school_class=OuterRef("pk"))
        .order_by()
        .values("school_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    groups = (
        SchoolClass.objects.filter(school_id=user.school_id)
        .select_related("subject")
        .annotate(
            members=Coalesce(Subquery(members, output_field=IntegerField()), 0),
            bill_count=Coalesce(Subquery(bills, output_field=IntegerField()), 0),
        )
        .order_by("name", "code", "pk")
    )
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if not include_inactive:
        groups = groups.filter(is_active=True)
    return groups


def member_count(*, group: SchoolClass, today: datetime.date) -> int:
    """How many students have a membership of `group` that has not ended by `today`
    (school-local), those joining later included: the revenue page's "members"."""
    return _not_ended_by(today).filter(school_class=group).values("student").distinct().count()


def current_student_count(*, group: SchoolClass, today: datetime.date) -> int:
    """How many students are members of `group` on `today` (school-local): the API's
    `totalStudents`."""
    return (
        Membership.objects.active_on(today)
        .filter(school_class=group)
        .values("student_id")
        .distinct()
        .count()
    )


def group_bills(*, group: SchoolClass) -> QuerySet[Bill]:
    """Every bill of `group` (scoped by its school)."""
    return Bill.objects.filter(school_id=group.school_id, school_class=group)


def listed_group_bills(
    *, group: SchoolClass, today: datetime.date, status: str = ""
) -> QuerySet[Bill]:
    """The group's bills with their status (`with_bill_status` on `today`) and student,
    newest period first then by student name; only those of `status` (a BillStatus value)
    when given."""
    listed = with_bill_status(
        group_bills(group=group).select_related("student__user"), today=today
    ).order_by("-period_start", "student__user__last_name", "student__user__first_name", "pk")
    if status:
        listed = listed.filter(status=status)
    return listed


def bill_statuses(*, bill_ids: list[int], today: datetime.date) -> dict[int, tuple[str, bool]]:
    """Bill pk → (status, needs_recalculation) on `today` (school-local), in one query;
    no query for no ids."""
    if not bill_ids:
        return {}
    return {
        pk: (status, needs)
        for pk, status, needs in with_bill_status(Bill.objects.filter(pk__in=bill_ids), today=today)
        .order_by()
        .values_list("pk", "status", "needs_recalculation")
    }


def bills_for_docs(bills: QuerySet[Bill]) -> list[Bill]:
    """`bills` ready for `billing.serializers.bill_doc`: people and group joined, line ids
    prefetched — two queries whatever the number of bills. Annotate the status first."""
    return list(
        bills.select_related("student__user", "school_class").prefetch_related(
            Prefetch("lines", queryset=BillLine.objects.only("bill_id", "attendance_record_id"))
        )
    )


def bills_by_pk(*, bill_ids: list[int], today: datetime.date) -> dict[int, Bill]:
    """The bills `bill_ids` with their status on `today`, ready for the API's documents,
    by pk; no query for no ids."""
    if not bill_ids:
        return {}
    bills = with_bill_status(Bill.objects.filter(pk__in=bill_ids), today=today)
    return {bill.pk: bill for bill in bills_for_docs(bills)}

"""Attendance percentages and the attendance list (ARCHITECTURE.md, selectors).

The percentage rule lives here once (docs/design/attendance.md, "Attendance Percentage
Calculation"):

    percentage = present / denominator × 100
    present     = records with status P
    countable   = records with status P, A, IL or UL (OD, SU, NM, H, unresolved SA and
                  orphaned records are excluded)
    denominator = the student's TotalSessionsOverride for the class (subject empty) when
                  one exists (docs/design/total-sessions.md) and is not below countable, else
                  countable

The database does the counting (`with_attendance_totals`); `attendance_percentage` does
the division and the rounding, so every page and JSON answer rounds the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from academics.models import Membership, Role, SchoolClass, StudentProfile, TimetableSlot, User
from academics.selectors.guardians import children_of

from ..access import can_read_school_wide
from ..models import COUNTABLE_STATUSES, PRESENT_STATUSES

_ONE_DECIMAL = Decimal("0.1")
_LAST_DAY = datetime.date(9999, 12, 31)


def attendance_percentage(present: int, denominator: int | None) -> Decimal | None:
    """Present as a percentage of the denominator, to 1 decimal place (ROUND_HALF_UP).

    Args:
        present: number of P records counted for the student.
        denominator: the override's total sessions, or the countable record count;
            None or 0 when there is nothing to measure against.

    Returns:
        e.g. Decimal("66.7"); None when the denominator is empty or zero (shown as "—",
        never a division error — docs/design/attendance.md).
    """
    if not denominator:
        return None
    return (Decimal(present) * 100 / Decimal(denominator)).quantize(
        _ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def with_attendance_totals(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Annotate each membership with its attendance counts, in the same query.

    Counts only records of the membership's class dated from `joined_on` up to `left_on`
    (docs/design/attendance.md, EC-ATT-01); orphaned records never count (EC-ATT-02).

    Adds to each row:
        present_count (int), countable_count (int),
        override_total (int | None): TotalSessionsOverride.total_sessions for the student
            and class with no subject (docs/design/total-sessions.md),
        denominator (int): override_total when set and not below countable_count,
            else countable_count,
        percentage_raw (float | None): the planned figure (present ÷ denominator),
            unrounded — display `attendance_percentage(present_count, denominator)`,
        to_date_raw (float | None): the to-date figure (present ÷ countable_count),
            unrounded, for ordering and thresholds: a planned total measures progress
            through the term, not how well the student attends
            (docs/design/total-sessions.md, "Planned and to-date figures").
    """
    # The window and the class go into the JOIN's ON clause rather than a FILTER, so each
    # membership joins only its own class's records (not every record of the student).
    in_window = FilteredRelation(
        "student__attendance_records",
        condition=Q(
            student__attendance_records__school_class=F("school_class"),
            student__attendance_records__is_orphaned=False,
            student__attendance_records__date__gte=F("joined_on"),
            student__attendance_records__date__lte=Coalesce(F("left_on"), Value(_LAST_DAY)),
        ),
    )
    # The override joins too, read through Max(): a correlated Subquery here would land in
    # the GROUP BY and run once per joined record (10 s instead of 1.7 s for a 2,000-
    # student school in `bench_attendance`). At most one override has no subject for a
    # student and class (a unique constraint), so this join multiplies no rows.
    class_override = FilteredRelation(
        "student__total_session_overrides",
        condition=Q(
            student__total_session_overrides__school_class=F("school_class"),
            student__total_session_overrides__subject__isnull=True,
        ),
    )
    return (
        memberships.alias(window_records=in_window, class_override=class_override)
        .annotate(
            present_count=Count(
                "window_records", filter=Q(window_records__status__in=PRESENT_STATUSES)
            ),
            countable_count=Count(
                "window_records", filter=Q(window_records__status__in=COUNTABLE_STATUSES)
            ),
            override_total=Max("class_override__total_sessions"),
        )
        # An override is checked against the records when it is set, but records marked
        # later can pass it: measure against whichever is larger, so a stale override
        # never gives more than 100 % (the list still shows "(X actual)").
        .annotate(
            denominator=Case(
                When(override_total__gt=F("countable_count"), then=F("override_total")),
                default=F("countable_count"),
            )
        )
        .annotate(
            percentage_raw=Case(
                When(denominator__gt=0, then=F("present_count") * 100.0 / F("denominator")),
                default=None,
                output_field=FloatField(),
            ),
            to_date_raw=Case(
                When(
                    countable_count__gt=0,
                    then=F("present_count") * 100.0 / F("countable_count"),
                ),
                default=None,
                output_field=FloatField(),
            ),
        )
    )


@dataclass(frozen=True)
class AttendanceRow:
    """One line of the attendance list, ready for a template or JSON."""

    membership: Membership
    present: int
    countable: int
    override_total: int | None
    denominator: int
    percentage: Decimal | None
    to_date: Decimal | None = None

    @property
    def planned_applies(self) -> bool:
        """Whether the percentage is measured against a planned total (an override not
        below the records) rather than the records themselves: then `percentage` is the
        planned figure and `to_date` (present ÷ countable) is shown beside it and used for
        warnings (docs/design/total-sessions.md, "Planned and to-date figures")."""
        return self.override_total is not None and self.denominator == self.override_total

    @property
    def student(self):
        return self.membership.student

    @property
    def school_class(self) -> SchoolClass:
        return self.membership.school_class


def as_rows(memberships) -> list[AttendanceRow]:
    """Turn memberships annotated by `with_attendance_totals` into display rows."""
    return [
        AttendanceRow(
            membership=m,
            present=m.present_count,
            countable=m.countable_count,
            override_total=m.override_total,
            denominator=m.denominator,
            percentage=attendance_percentage(m.present_count, m.denominator),
            to_date=attendance_percentage(m.present_count, m.countable_count),
        )
        for m in memberships
    ]


def visible_classes(*, user: User) -> QuerySet[SchoolClass]:
    """The classes whose attendance `user` may read, in the user's school.

    admin, principal, hod, accountant: every class of the school; teacher: the classes
    they have a timetable slot in or advise; student: the classes they are a member of;
    guardian: the classes their children are members of (docs/manual/guardians.md).
    """
    classes = SchoolClass.objects.filter(school_id=user.school_id)
    if can_read_school_wide(user):
        return classes
    if user.role == Role.TEACHER:
        taught = TimetableSlot.objects.filter(school_id=user.school_id, teacher=user)
        return classes.filter(Q(pk__in=taught.values("school_class_id")) | Q(advisor=user))
    if user.role == Role.STUDENT:
        mine = Membership.objects.filter(school_id=user.school_id, student__user=user)
        return classes.filter(pk__in=mine.values("school_class_id"))
    if user.role == Role.GUARDIAN:
        theirs = Membership.objects.filter(
            school_id=user.school_id, student__in=children_of(user=user)
        )
        return classes.filter(pk__in=theirs.values("school_class_id"))
    return classes.none()


def own_student_profile_id(*, user: User) -> int | None:
    """The pk of `user`'s StudentProfile, or None: a student user saved before profiles
    were automatic has none until `fix_student_profiles` runs. One query."""
    return StudentProfile.objects.filter(user=user).values_list("pk", flat=True).first()


def visible_memberships(*, user: User) -> QuerySet[Membership]:
    """Memberships whose attendance `user` may read (see `visible_classes`).

    A student sees only their own memberships, a guardian their children's.
    """
    memberships = Membership.objects.filter(school_id=user.school_id)
    if user.role == Role.STUDENT and not user.is_superuser:
        return memberships.filter(student__user=user)
    if user.role == Role.GUARDIAN and not user.is_superuser:
        return memberships.filter(student__in=children_of(user=user))
    return memberships.filter(school_class__in=visible_classes(user=user))


def attendance_list_memberships(
    *, user: User, school_class: SchoolClass | None = None
) -> QuerySet[Membership]:
    """The memberships the attendance list shows to `user`, unordered and without counts.

    Args:
        school_class: only this class (the caller checked it is visible) when given.
    """
    memberships = visible_memberships(user=user)
    if school_class is not None:
        memberships = memberships.filter(school_class=school_class)
    return memberships


class _CountingPaginator(Paginator):
    """Counts with a separate, plain queryset: COUNT(*) over an annotated list would work
    out every student's attendance only to count the rows."""

    def __init__(self, object_list, per_page, *, count_query: QuerySet):
        super().__init__(object_list, per_page)
        self._count_query = count_query

    @cached_property
    def count(self) -> int:
        return self._count_query.count()


def attendance_list_page(
    *,
    user: User,
    school_class: SchoolClass | None = None,
    lowest_first: bool = False,
    page_number=1,
    per_page: int = 50,
) -> Page:
    """One page of the attendance list (docs/design/total-sessions.md, "Attendance → Attendance
    List").

    Args:
        user: whose scope to show (`visible_memberships`).
        school_class: only this class when given (already checked to be visible).
        lowest_first: order by the to-date percentage (present ÷ countable, whatever the
            planned total), lowest first and "—" last; otherwise by class and student name.
        page_number: as given in the URL; out-of-range or junk gives the nearest page.

    Returns:
        A Page whose object_list is a list of `AttendanceRow`. Three queries whatever the
        page size: COUNT(*) of the plain memberships, the page's membership ids, and one
        aggregate query (`with_attendance_totals`) for just those ids — ordering and
        slicing 9,000 plain rows is cheap, aggregating all of them for every page is not.
    """
    memberships = attendance_list_memberships(user=user, school_class=school_class)
    if lowest_first:
        ordered = with_attendance_totals(memberships).order_by(
            F("to_date_raw").asc(nulls_last=True),
            "student__user__last_name",
            "student__user__first_name",
            "pk",
        )
    else:
        ordered = memberships.order_by(
            "school_class__name", "student__user__last_name", "student__user__first_name", "pk"
        )
    paginator = _CountingPaginator(
        ordered.values_list("pk", flat=True), per_page, count_query=memberships
    )
    page = paginator.get_page(page_number)
    page_ids = list(page.object_list)
    by_pk = {
        m.pk: m
        for m in with_attendance_totals(
            Membership.objects.filter(pk__in=page_ids).select_related(
                "student__user", "school_class"
            )
        ).order_by()
    }
    return Page(as_rows(by_pk[pk] for pk in page_ids), page.number, paginator)

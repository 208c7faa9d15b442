"""Undoing an executed run (docs/design/promotion.md), and the refusals once attendance,
a bill or a later promotion exists in the new year. The school is `promotion_school`
(tests/academics/conftest.py).
"""

import datetime
from decimal import Decimal

import pytest

from academics.models import (
    Enrollment,
    Membership,
    PromotionRun,
)
from academics.services.promotion import (
    PromotionError,
    undo_blockers,
    undo_promotion,
)
from tests.attendance.factories import AttendanceRecordFactory
from tests.billing.factories import BillFactory

from ..factories import (
    MembershipFactory,
    SchoolClassFactory,
)
from .helpers import (
    LEAVE,
    RETAIN,
    execute,
    next_year,
    plan,
    plan_onward,
    state,
    student,
)

pytestmark = pytest.mark.django_db


# --- undo -------------------------------------------------------------------------------------


def test_undo_puts_every_enrollment_and_student_back(promotion_school):
    s = promotion_school
    run = plan(s, actions={student(s, "Baker").pk: RETAIN, student(s, "Jensen").pk: LEAVE})
    before = state()
    execute(s, run)
    assert Membership.objects.filter(school_class__academic_year=s.to_year).count() == 19

    undo_promotion(run=run, actor=s.admin)

    after = state()
    for part in ("enrollments", "students", "memberships"):
        assert after[part] == before[part], part
    run.refresh_from_db()
    assert (run.status, run.reverted_by) == (PromotionRun.Status.REVERTED, s.admin)
    assert run.reverted_at is not None
    # The years can be promoted again, by a new run.
    again = plan(s)
    assert again.pk != run.pk
    assert execute(s, again).total == 24


def test_an_undone_run_cannot_be_undone_again(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    undo_promotion(run=run, actor=s.admin)
    with pytest.raises(PromotionError) as refused:
        undo_promotion(run=run, actor=s.admin)
    assert refused.value.messages == [
        f"Run #{run.pk} is undone: only an executed run can be undone."
    ]


def assert_undo_refused(s, run, reason: str) -> None:
    assert undo_blockers(run) == [reason]
    before = state()
    with pytest.raises(PromotionError) as refused:
        undo_promotion(run=run, actor=s.admin)
    assert refused.value.messages == [reason]
    assert state() == before


def test_undo_is_refused_once_attendance_is_taken_in_the_new_year(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    abbott = student(s, "Abbott")
    maths = SchoolClassFactory(school=s.school, academic_year=s.to_year, name="Maths 10")
    membership = MembershipFactory(
        student=abbott, school_class=maths, joined_on=s.to_year.start_date
    )
    # Attendance of the year promoted from is no reason to refuse.
    AttendanceRecordFactory(membership=membership, date=datetime.date(2026, 3, 2))
    assert undo_blockers(run) == []

    AttendanceRecordFactory(membership=membership, date=datetime.date(2026, 9, 7))

    assert_undo_refused(
        s,
        run,
        "Attendance has been taken in 2026-2027 for 1 of its students (1 records): their new "
        "enrollments are in use.",
    )


def test_undo_is_refused_once_a_bill_is_issued_in_the_new_year(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    abbott = student(s, "Abbott")
    BillFactory(  # a bill of the year promoted from is no reason to refuse
        school_class__school=s.school, student=abbott
    )
    assert undo_blockers(run) == []

    BillFactory(
        school_class__school=s.school,
        student=abbott,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        due_date=datetime.date(2026, 11, 30),
        amount=Decimal("300"),
    )

    assert_undo_refused(s, run, "1 bills have been issued in 2026-2027 to its students.")


def test_undo_is_refused_once_the_students_were_promoted_onward(promotion_school):
    s = promotion_school
    first = plan(s)
    execute(s, first)
    third = next_year(s)
    onward = plan_onward(s, third)
    execute(s, onward)

    assert_undo_refused(
        s,
        first,
        "20 of its new enrollments in 2026-2027 have changed status since (promoted on, or "
        "marked as left): undo the later change first.",
    )

    undo_promotion(run=onward, actor=s.admin)  # the later one first
    undo_promotion(run=first, actor=s.admin)
    assert not Enrollment.objects.exclude(academic_year=s.from_year).exists()
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"active"}

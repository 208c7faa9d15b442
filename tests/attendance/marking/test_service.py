import datetime
import threading

import pytest
from django.db import IntegrityError, connection

from academics.models import Role
from attendance.models import AttendanceRecord, Status
from attendance.services import (
    CorrectionNeedsReason,
    MarkingConflict,
    NotOnRoster,
    SlotDoesNotMeet,
    StatusNotMarkable,
)
from attendance.services import marking as marking_services
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026


def mark_attendance(**kwargs):
    """The service as used on the day itself: inside the edit window, not in the future
    (those rules have their own tests in this package: test_open_days.py, test_edit_window.py)."""
    kwargs.setdefault("today", MONDAY)
    return marking_services.mark_attendance(**kwargs)


@pytest.fixture
def slot():
    return TimetableSlotFactory(period_number=3)


def members(slot, count):
    return [MembershipFactory(school_class=slot.school_class).student for _ in range(count)]


def saved(slot, day=MONDAY):
    return {
        r.student_id: r.status
        for r in AttendanceRecord.objects.filter(
            slot=slot, date=day, school_class=slot.school_class
        )
    }


def test_marking_writes_one_record_per_student_with_the_slots_key(slot):
    ada, bo = members(slot, 2)

    result = mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={ada.pk: Status.PRESENT, bo.pk: Status.ABSENT},
        actor=slot.teacher,
    )

    assert (result.created, result.saved) == (2, 2)
    record = AttendanceRecord.objects.get(student=bo)
    assert (
        record.school_class,
        record.subject,
        record.period_number,
        record.slot,
        record.date,
    ) == (
        slot.school_class,
        slot.subject,
        3,
        slot,
        MONDAY,
    )
    assert record.status == Status.ABSENT
    assert record.marked_by == slot.teacher
    assert record.modified_by is None
    assert record.history.get().history_user == slot.teacher


def test_saving_the_same_statuses_again_is_not_a_correction(slot):
    (ada,) = members(slot, 1)
    mark_attendance(slot=slot, day=MONDAY, statuses={ada.pk: Status.PRESENT}, actor=slot.teacher)

    result = mark_attendance(
        slot=slot, day=MONDAY, statuses={ada.pk: Status.PRESENT}, actor=slot.teacher
    )

    assert (result.created, result.corrected, result.unchanged) == (0, 0, 1)
    assert AttendanceRecord.objects.get(student=ada).modified_by is None


def test_a_correction_without_a_reason_writes_nothing(slot):
    ada, bo = members(slot, 2)
    mark_attendance(slot=slot, day=MONDAY, statuses={ada.pk: Status.PRESENT}, actor=slot.teacher)

    with pytest.raises(CorrectionNeedsReason):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={ada.pk: Status.ABSENT, bo.pk: Status.PRESENT},
            actor=slot.teacher,
            reason="   ",
        )

    assert saved(slot) == {ada.pk: Status.PRESENT}


def test_a_correction_keeps_who_why_and_the_old_value(slot):
    (ada,) = members(slot, 1)
    mark_attendance(slot=slot, day=MONDAY, statuses={ada.pk: Status.PRESENT}, actor=slot.teacher)
    admin = UserFactory(school=slot.school, role=Role.ADMIN)

    result = mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={ada.pk: Status.ABSENT},
        actor=admin,
        reason="Left after the register was taken",
    )

    assert result.corrected == 1
    record = AttendanceRecord.objects.get(student=ada)
    assert (record.status, record.marked_by, record.modified_by) == (
        Status.ABSENT,
        slot.teacher,
        admin,
    )
    assert record.modification_reason == "Left after the register was taken"
    assert [h.status for h in record.history.order_by("history_date", "history_id")] == [
        Status.PRESENT,
        Status.ABSENT,
    ]
    assert record.history.latest().history_user == admin


def test_a_date_the_slot_does_not_meet_is_refused(slot):
    (ada,) = members(slot, 1)
    tuesday = MONDAY + datetime.timedelta(days=1)

    with pytest.raises(SlotDoesNotMeet):
        mark_attendance(
            slot=slot, day=tuesday, statuses={ada.pk: Status.PRESENT}, actor=slot.teacher
        )

    assert not AttendanceRecord.objects.exists()


def test_a_date_before_the_slot_is_valid_is_refused(slot):
    (ada,) = members(slot, 1)

    with pytest.raises(SlotDoesNotMeet):
        mark_attendance(
            slot=slot,
            day=slot.valid_from - datetime.timedelta(days=7),
            statuses={ada.pk: Status.PRESENT},
            actor=slot.teacher,
        )

    assert not AttendanceRecord.objects.exists()


def test_a_student_booked_into_two_sections_is_skipped_not_crashed(slot):
    ada, bo = members(slot, 2)
    other_section = SchoolClassFactory(school=slot.school, name="Maths 9B")
    elsewhere = MembershipFactory(school_class=other_section, student=ada)
    AttendanceRecordFactory(
        membership=elsewhere,
        subject=slot.subject,
        period_number=slot.period_number,
        date=MONDAY,
        status=Status.ABSENT,
    )

    result = mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={ada.pk: Status.PRESENT, bo.pk: Status.PRESENT},
        actor=slot.teacher,
    )

    assert result.saved == 1
    assert [(s.student_id, s.reason) for s in result.skipped] == [
        (ada.pk, "already marked in Maths 9B")
    ]
    assert saved(slot) == {bo.pk: Status.PRESENT}
    assert AttendanceRecord.objects.get(student=ada).status == Status.ABSENT


def test_students_not_in_the_class_that_day_are_refused(slot):
    (ada,) = members(slot, 1)
    late = MembershipFactory(
        school_class=slot.school_class, joined_on=MONDAY + datetime.timedelta(days=1)
    ).student

    with pytest.raises(NotOnRoster):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={ada.pk: Status.PRESENT, late.pk: Status.PRESENT},
            actor=slot.teacher,
        )

    assert not AttendanceRecord.objects.exists()


def test_a_teacher_cannot_set_a_system_status(slot):
    (ada,) = members(slot, 1)

    with pytest.raises(StatusNotMarkable):
        mark_attendance(
            slot=slot, day=MONDAY, statuses={ada.pk: Status.STAFF_ABSENT}, actor=slot.teacher
        )

    assert not AttendanceRecord.objects.exists()


def test_the_save_is_one_transaction(slot, monkeypatch):
    """A failure after the inserts (here: in the corrections' update) leaves nothing."""
    ada, bo = members(slot, 2)
    mark_attendance(slot=slot, day=MONDAY, statuses={ada.pk: Status.PRESENT}, actor=slot.teacher)

    def fail(*args, **kwargs):
        raise IntegrityError("simulated: someone else saved first")

    monkeypatch.setattr("attendance.services.marking.update_records", fail)

    with pytest.raises(MarkingConflict):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={ada.pk: Status.ABSENT, bo.pk: Status.PRESENT},
            actor=slot.teacher,
            reason="typo",
        )

    assert saved(slot) == {ada.pk: Status.PRESENT}  # bo's new record was rolled back too
    assert AttendanceRecord.history.count() == 1


@pytest.mark.parametrize("size", [3, 30])
def test_saving_takes_the_same_number_of_queries_for_any_class_size(
    size, django_assert_num_queries
):
    slot = TimetableSlotFactory()
    students = members(slot, size)
    mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={s.pk: Status.PRESENT for s in students[1:]},
        actor=slot.teacher,
    )
    statuses = {s.pk: Status.ABSENT for s in students}

    # SAVEPOINT (atomic) · a holiday on the day? · lock the slot · roster ids · existing
    # records FOR UPDATE · SAVEPOINT · INSERT records · INSERT history · UPDATE records ·
    # INSERT history · RELEASE SAVEPOINT · RELEASE SAVEPOINT
    with django_assert_num_queries(12):
        result = mark_attendance(
            slot=slot, day=MONDAY, statuses=statuses, actor=slot.teacher, reason="Fire drill"
        )

    assert (result.created, result.corrected) == (1, size - 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_saves_of_the_same_period_queue_instead_of_colliding(transactional_db, monkeypatch):
    slot = TimetableSlotFactory()
    statuses = {student.pk: Status.PRESENT for student in members(slot, 2)}
    inserted, release = threading.Event(), threading.Event()
    real_bulk_create = marking_services.create_records

    def bulk_create_then_pause(*args, **kwargs):
        created = real_bulk_create(*args, **kwargs)
        if threading.current_thread().name == "first":
            inserted.set()
            release.wait(10)  # hold the transaction open, rows inserted but not committed
        return created

    monkeypatch.setattr(marking_services, "create_records", bulk_create_then_pause)
    results = {}

    def save(name):
        try:
            results[name] = mark_attendance(
                slot=slot, day=MONDAY, statuses=statuses, actor=slot.teacher
            )
        except Exception as exc:  # reported by the assertions below
            results[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=save, args=("first",), name="first")
    second = threading.Thread(target=save, args=("second",), name="second")
    first.start()
    assert inserted.wait(10)
    second.start()
    second.join(0.5)
    waited = second.is_alive()  # blocked on the slot's lock
    release.set()
    first.join(10)
    second.join(10)

    assert waited
    assert results["first"].created == 2
    assert (results["second"].created, results["second"].unchanged) == (0, 2)
    assert AttendanceRecord.objects.count() == 2

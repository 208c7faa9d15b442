"""Absence notices (docs/design/notifications.md, "Absences"): one email per child per
day to each guardian who wants them, at the school's notice time, listing every period
still A or UL then."""

import datetime
import logging

import pytest
from django.core import mail
from django.db import IntegrityError

from attendance.models import AttendanceRecord, Status
from notifications.models import Kind, Notification, NotificationStatus
from notifications.services import deliver, muted, note_absences
from tests.attendance.factories import AttendanceRecordFactory
from tests.attendance.marking.support import MONDAY, student_in

from .conftest import at, guardian_of

pytestmark = pytest.mark.django_db


def send_all():
    for pk in Notification.objects.order_by("pk").values_list("pk", flat=True):
        deliver(notification_id=pk)


def test_two_absent_periods_make_one_notice_per_guardian_listing_both(family, committed, clock):
    committed(family.mark, family.first, Status.ABSENT)
    committed(family.mark, family.third, Status.UNINFORMED_LEAVE)

    notices = Notification.objects.order_by("recipient__first_name")
    assert [(n.recipient, n.kind, n.day) for n in notices] == [
        (family.father, Kind.ABSENCE, datetime.date(2026, 9, 7)),
        (family.mother, Kind.ABSENCE, datetime.date(2026, 9, 7)),
    ]
    assert {n.send_after for n in notices} == {at(12)}  # the school's notice time, Cairo

    clock.move_to(at(12))
    send_all()

    assert sorted(m.to[0] for m in mail.outbox) == ["fady@example.com", "mona@example.com"]
    message = next(m for m in mail.outbox if m.to == ["mona@example.com"])
    assert message.subject == "Yara Young was absent on Monday 7 September 2026"
    assert "Dear Mona Young," in message.body
    assert "Period 1, " in message.body and ": Absent" in message.body
    assert "Period 3, " in message.body and ": Uninformed leave" in message.body
    html = message.alternatives[0]
    assert html.mimetype == "text/html" and "<li>Period 3" in html.content
    assert set(notices.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_a_correction_to_present_before_the_notice_time_cancels_it(family, committed, clock):
    committed(family.mark, family.first, Status.ABSENT)
    committed(family.mark, family.first, Status.PRESENT, reason="Arrived late")

    clock.move_to(at(12))
    send_all()

    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.CANCELLED
    }


def test_one_of_two_absences_corrected_leaves_the_other_in_the_notice(family, committed, clock):
    committed(family.mark, family.first, Status.ABSENT)
    committed(family.mark, family.third, Status.ABSENT)
    committed(family.mark, family.first, Status.PRESENT, reason="Arrived late")

    clock.move_to(at(12))
    send_all()

    body = mail.outbox[0].body
    assert "Period 3, " in body
    assert "Period 1, " not in body


def test_an_absence_after_a_cancelled_notice_queues_it_again(family, committed, clock):
    committed(family.mark, family.first, Status.ABSENT)
    committed(family.mark, family.first, Status.PRESENT, reason="Arrived late")
    clock.move_to(at(12))
    send_all()  # cancelled: nothing to say

    clock.move_to(at(13))
    committed(family.mark, family.third, Status.ABSENT)
    notice = Notification.objects.get(recipient=family.mother)
    assert notice.status == NotificationStatus.QUEUED
    assert notice.send_after == at(13, 10)  # past the notice time: after a short grace

    clock.move_to(at(13, 10))
    send_all()
    assert len(mail.outbox) == 2  # mother and father, once each


def test_an_absence_after_the_notice_was_sent_sends_nothing_more_that_day(family, committed, clock):
    committed(family.mark, family.first, Status.ABSENT)
    clock.move_to(at(12))
    send_all()
    clock.move_to(at(14))

    committed(family.mark, family.third, Status.ABSENT)
    send_all()

    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_a_guardian_who_opted_out_or_has_no_email_gets_none(family, committed, clock):
    family.father.guardian_profile.notify_absences = False
    family.father.guardian_profile.save()
    guardian_of(family.student, "Nour", "")  # no email address

    committed(family.mark, family.first, Status.ABSENT)

    assert list(Notification.objects.values_list("recipient", flat=True)) == [family.mother.pk]


def test_a_student_without_guardians_gives_no_notice(family, committed):
    committed(family.mark, family.first, Status.ABSENT, student=family.other)

    assert Notification.objects.count() == 0


def test_present_and_excused_marks_give_no_notice(family, committed):
    committed(family.mark, family.first, Status.PRESENT)
    committed(family.mark, family.third, Status.INFORMED_LEAVE)

    assert Notification.objects.count() == 0


def test_an_old_absence_entered_late_is_not_notified(family, committed, clock):
    clock.move_to(at(8, day=datetime.date(2026, 9, 9)))  # Wednesday: Monday is 2 days old

    committed(family.mark, family.first, Status.ABSENT)

    assert AttendanceRecord.objects.get().status == Status.ABSENT
    assert Notification.objects.count() == 0


def test_a_failing_notice_never_undoes_or_refuses_the_marking(
    family, committed, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr("notifications.receivers.note_absences", broken)

    with caplog.at_level(logging.ERROR):
        result = committed(family.mark, family.first, Status.ABSENT)

    assert result.created == 1
    assert AttendanceRecord.objects.get().status == Status.ABSENT
    assert "records_saved receiver" in caplog.text
    assert "notifications are down" in caplog.text


def test_nothing_is_noticed_while_muted_as_when_the_demo_loads(family, committed):
    with muted():
        committed(family.mark, family.first, Status.ABSENT)
    assert Notification.objects.count() == 0

    committed(family.mark, family.third, Status.ABSENT)
    assert Notification.objects.count() == 2  # unmuted again: one per guardian


def absent_students(family, count):
    records = []
    for n in range(count):
        student = student_in(family.first.school_class, f"Absent{n}").student
        guardian_of(student, f"Parent{n}", f"parent{n}@example.com")
        records.append(
            AttendanceRecordFactory(
                membership=student.memberships.get(),
                date=MONDAY,
                period_number=1,
                status=Status.ABSENT,
            )
        )
    return records


def test_noticing_a_whole_absent_class_runs_no_query_per_student(family, django_assert_num_queries):
    few = absent_students(family, 2)
    many = absent_students(family, 8)

    # the schools, the guardians, the day's notices already there (locked), the insert of
    # the new ones; savepoint in and out.
    with django_assert_num_queries(6):
        assert len(note_absences(records=few)) == 2
    with django_assert_num_queries(6):
        assert len(note_absences(records=many)) == 8


def test_notices_created_at_the_same_moment_elsewhere_are_taken_one_by_one(family, monkeypatch):
    records = absent_students(family, 2)
    note_absences(records=records[:1])  # the other save's notice

    def clash(wanted):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("notifications.services.absences._notice_all", clash)
    noticed = note_absences(records=records)

    assert [n.recipient.first_name for n in noticed] == ["Parent1"]
    assert Notification.objects.count() == 2

"""End to end with the real task worker (docs/design/notifications.md): a teacher marks
a student absent on the roll; at the school's notice time the worker sends the guardian
one email; a mail server that keeps failing leaves the marking alone and the notice
recorded as failed."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from academics.models import GuardianProfile
from attendance.models import AttendanceRecord, Status
from notifications.models import Notification, NotificationStatus
from tests.attendance.marking.support import mark_url
from tests.mailqueue import queued_mailers, run_worker

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


def mark_on_the_roll(client, family, slot, status):
    client.force_login(slot.teacher)
    response = client.post(
        mark_url(slot),
        {f"status_{family.student.pk}": status, f"status_{family.other.pk}": Status.PRESENT},
    )
    assert response.status_code == 302
    return response


@pytest.fixture
def one_guardian(family):
    GuardianProfile.objects.filter(user=family.father).delete()
    return family


def test_marking_absent_then_the_worker_sends_one_email_to_the_guardian(
    client, one_guardian, clock, queued_mail
):
    family = one_guardian
    mark_on_the_roll(client, family, family.first, Status.ABSENT)
    mark_on_the_roll(client, family, family.third, Status.ABSENT)

    run_worker()  # 08:00: the notice waits for 12:00
    assert mail.outbox == []

    clock.move_to(at(12, 1))
    run_worker()

    [message] = mail.outbox
    assert message.to == ["mona@example.com"]
    assert message.subject == "Yara Young was absent on Monday 7 September 2026"
    assert message.body.count("Period ") == 2
    assert Notification.objects.get().status == NotificationStatus.SENT


def test_a_failing_mail_server_leaves_the_marking_and_records_the_notice_as_failed(
    client, one_guardian, clock, queued_mail
):
    queued_mail.MAILERS = queued_mailers("tests.mailqueue.FailingBackend")
    family = one_guardian
    mark_on_the_roll(client, family, family.first, Status.ABSENT)

    clock.move_to(at(12, 1))
    run_worker()

    assert AttendanceRecord.objects.get(student=family.student).status == Status.ABSENT
    notice = Notification.objects.get()
    assert notice.status == NotificationStatus.FAILED
    assert notice.attempts == 3
    assert "SMTPServerDisconnected" in notice.last_error
    assert DBTaskResult.objects.filter(status="FAILED").count() == 3
    assert mail.outbox == []

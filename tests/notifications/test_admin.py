"""Notifications in the Django admin (docs/manual/notifications.md): every message is a
row an admin of the school can list, filter and resend; another school's rows are never
shown; the list runs no query per row."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academics.models import Role
from attendance.models import Status
from notifications.models import Kind, Notification, NotificationStatus
from notifications.services import deliver
from tests.academics.factories import SchoolFactory, StudentProfileFactory, UserFactory
from tests.attendance.factories import AttendanceRecordFactory
from tests.attendance.marking.support import MONDAY

from .conftest import guardian_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_notification_changelist")


def notice(school, *, status=NotificationStatus.SENT, kind=Kind.ABSENCE, n=0):
    student = StudentProfileFactory(school=school)
    guardian = guardian_of(student, f"Guardian{n}", f"g{n}-{school.pk}@example.com")
    return Notification.objects.create(
        school=school,
        recipient=guardian,
        student=student,
        kind=kind,
        day=MONDAY,
        key=f"absence:{student.pk}:{MONDAY}",
        to_address=guardian.email,
        subject="Absent",
        status=status,
        attempts=1,
        send_after=datetime.datetime(2026, 9, 7, 9, tzinfo=datetime.UTC),
    )


@pytest.fixture
def school():
    return SchoolFactory(name="Hill School", code="HILL")


@pytest.fixture
def school_admin(school):
    return UserFactory(school=school, role=Role.ADMIN, is_staff=True, username="office")


@pytest.fixture
def rows(school):
    ours = [
        notice(school, n=1),
        notice(school, status=NotificationStatus.FAILED, n=2),
        notice(school, kind=Kind.BILL_ISSUED, status=NotificationStatus.QUEUED, n=3),
    ]
    theirs = notice(SchoolFactory(name="Other School", code="OTH"), n=4)
    return ours, theirs


def listed(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def test_a_school_admin_lists_only_their_schools_notifications(client, school_admin, rows):
    ours, theirs = rows
    client.force_login(school_admin)

    response = client.get(CHANGELIST)
    other = client.get(reverse("admin:notifications_notification_change", args=[theirs.pk]))

    assert listed(response) == {n.pk for n in ours}
    assert other.status_code == 302  # as for a missing row
    filters = [spec.title for spec in response.context["cl"].filter_specs]
    assert "school" not in filters
    assert {"kind", "status"} <= set(filters)


def test_a_superuser_sees_every_school(client, rows):
    root = UserFactory(school=None, role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(root)

    assert len(listed(client.get(CHANGELIST))) == 4


def test_the_list_filters_by_kind_status_and_day(client, school_admin, rows):
    ours, _ = rows
    client.force_login(school_admin)

    failed = client.get(CHANGELIST, {"status": "failed"})
    bills = client.get(CHANGELIST, {"kind": "bill_issued"})
    on_monday = client.get(CHANGELIST, {"day": MONDAY.isoformat()})

    assert listed(failed) == {ours[1].pk}
    assert listed(bills) == {ours[2].pk}
    assert len(listed(on_monday)) == 3


def test_the_list_runs_no_query_per_row(
    client, school_admin, school, rows, django_assert_num_queries
):
    client.force_login(school_admin)
    client.get(CHANGELIST)  # warm up: content types
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)

    for n in range(10, 22):
        notice(school, n=n)

    # session, user, the count (filtered), the count (unfiltered), the user's and their
    # groups' permissions (the sidebar asks for the task results' admin), the rows with
    # recipient, student's user and school joined, the date hierarchy's first and last
    # dates, and its days.
    with django_assert_num_queries(9):
        response = client.get(CHANGELIST)
    assert len(listed(response)) == 15
    assert len(few) == 9


def test_resend_sends_a_sent_notice_again(client, school_admin, school, time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 7, 13, tzinfo=datetime.UTC), tick=False)
    row = notice(school, n=1)
    AttendanceRecordFactory(
        membership__school_class__school=school,
        membership__student=row.student,
        date=MONDAY,
        status=Status.ABSENT,
    )
    client.force_login(school_admin)

    response = client.post(
        CHANGELIST, {"action": "resend_selected", "_selected_action": [row.pk]}, follow=True
    )
    row.refresh_from_db()
    assert "1 notification queued to be sent again." in response.content.decode()
    assert (row.status, row.attempts) == (NotificationStatus.QUEUED, 0)

    deliver(notification_id=row.pk)

    [message] = mail.outbox
    assert message.to == [row.recipient.email]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def test_a_principal_may_look_but_not_resend(client, school, rows):
    principal = UserFactory(school=school, role=Role.PRINCIPAL, is_staff=True)
    ours, _ = rows
    client.force_login(principal)

    response = client.get(CHANGELIST)
    client.post(CHANGELIST, {"action": "resend_selected", "_selected_action": [ours[1].pk]})

    assert listed(response) == {n.pk for n in ours}
    assert "resend_selected" not in response.content.decode()
    assert Notification.objects.get(pk=ours[1].pk).status == NotificationStatus.FAILED


def test_the_school_sets_its_absence_notice_time_in_the_admin(client, school_admin, school):
    client.force_login(school_admin)

    page = client.get(reverse("admin:academics_school_change", args=[school.pk]))

    assert 'name="absence_notice_time"' in page.content.decode()

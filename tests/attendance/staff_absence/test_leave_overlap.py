"""A student's leave may not overlap their pending or approved leave: on the leave page,
when approving, in the Django admin, and with two identical requests at the same moment
(docs/design/attendance.md, "Student leave"; docs/manual/staff-absence.md).
"""

import datetime
import threading

import pytest
from django.urls import reverse

from attendance.models import StudentLeave
from attendance.services import (
    LeaveError,
    decide_student_leave,
    record_student_leave,
)
from attendance.services import staff_absence as leave_service
from tests.concurrency import WAIT, HoldTheLock, finish, in_a_thread, needs_postgresql

from .support import DAY, Setting

pytestmark = pytest.mark.django_db

SEP_7 = datetime.date(2026, 9, 7)
SEP_9 = datetime.date(2026, 9, 9)
PENDING, APPROVED, REJECTED = (
    StudentLeave.Status.PENDING,
    StudentLeave.Status.APPROVED,
    StudentLeave.Status.REJECTED,
)


def existing_leave(s, student=None, start=SEP_7, end=SEP_9, status=PENDING):
    """A leave written directly, as the admin or an older version of the app could have."""
    return StudentLeave.objects.create(
        school=s.school,
        student=student or s.young.student,
        start_date=start,
        end_date=end,
        status=status,
    )


def request_leave(s, start, end, student=None, approve=False):
    return record_student_leave(
        student=student or s.young.student,
        start_date=start,
        end_date=end,
        approve=approve,
        actor=s.hod,
    )


# --- the service ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, message",
    [
        (
            PENDING,
            "Leave for Yara Young from 7 September 2026 to 9 September 2026 is already "
            "pending: decide or change that one.",
        ),
        (
            APPROVED,
            "Leave for Yara Young from 7 September 2026 to 9 September 2026 is already "
            "approved: change or reject that one first.",
        ),
    ],
)
@pytest.mark.parametrize(
    "start, end",
    [
        (SEP_7, SEP_9),  # the same dates
        (SEP_9, SEP_9 + 3 * DAY),  # shares the last day
        (SEP_7 - 3 * DAY, SEP_7),  # shares the first day
        (SEP_7 + DAY, SEP_7 + DAY),  # inside it
        (SEP_7 - DAY, SEP_9 + DAY),  # around it
    ],
)
@pytest.mark.parametrize("approve", [False, True])
def test_leave_sharing_a_day_with_pending_or_approved_leave_is_refused(
    setting, status, message, start, end, approve
):
    existing_leave(setting, status=status)

    with pytest.raises(LeaveError) as refused:
        request_leave(setting, start, end, approve=approve)

    assert str(refused.value) == message
    assert StudentLeave.objects.count() == 1


def test_a_one_day_leave_in_the_way_is_named_by_its_day(setting):
    existing_leave(setting, start=SEP_7, end=SEP_7, status=APPROVED)

    with pytest.raises(LeaveError, match="Leave for Yara Young on 7 September 2026 is already"):
        request_leave(setting, SEP_7, SEP_7)


def test_leave_next_to_another_is_recorded_one_more_day_is_not(setting):
    existing_leave(setting, status=APPROVED)

    before = request_leave(setting, SEP_7 - 3 * DAY, SEP_7 - DAY)
    after = request_leave(setting, SEP_9 + DAY, SEP_9 + DAY, approve=True)
    with pytest.raises(LeaveError, match="Leave for Yara Young on 10 September 2026 is already"):
        request_leave(setting, SEP_9 + DAY, SEP_9 + 2 * DAY)

    assert (before.status, after.status) == (PENDING, APPROVED)
    assert StudentLeave.objects.count() == 3


def test_rejected_leave_is_not_in_the_way(setting):
    existing_leave(setting, status=REJECTED)

    leave = request_leave(setting, SEP_7, SEP_9)
    # The new pending leave is in the way of the same request again; the rejected one never.
    with pytest.raises(LeaveError, match="is already pending"):
        request_leave(setting, SEP_7, SEP_9)

    assert leave.status == PENDING
    assert StudentLeave.objects.filter(status=PENDING).count() == 1


def test_another_students_leave_is_not_in_the_way(setting):
    s = setting
    existing_leave(s, student=s.adams.student, status=APPROVED)

    leave = request_leave(s, SEP_7, SEP_9)
    with pytest.raises(LeaveError, match="Leave for Ali Adams from"):
        request_leave(s, SEP_7, SEP_9, student=s.adams.student)

    assert leave.student == s.young.student
    assert StudentLeave.objects.count() == 2


def test_approving_is_refused_when_approved_leave_shares_a_day(setting):
    s = setting
    existing_leave(s, start=SEP_9, end=SEP_9 + DAY, status=APPROVED)
    # Recorded before the rule (or through the admin): overlaps the approved leave.
    pending = existing_leave(s, status=PENDING)

    approved = "from 9 September 2026 to 10 September 2026 is already approved"
    with pytest.raises(LeaveError, match=approved):
        decide_student_leave(leave=pending, approve=True, actor=s.hod)

    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (PENDING, None)
    # Rejecting it is never refused.
    assert decide_student_leave(leave=pending, approve=False, actor=s.hod).status == REJECTED


def test_duplicates_from_before_the_rule_are_sorted_out_by_approving_one(setting):
    s = setting
    first, second = existing_leave(s), existing_leave(s)

    assert decide_student_leave(leave=first, approve=True, actor=s.hod).status == APPROVED
    with pytest.raises(LeaveError, match="is already approved"):
        decide_student_leave(leave=second, approve=True, actor=s.hod)
    assert decide_student_leave(leave=second, approve=False, actor=s.hod).status == REJECTED


# --- the leave page ------------------------------------------------------------------------


def test_the_leave_page_shows_why_an_overlapping_leave_was_refused(client, setting):
    s = setting
    existing_leave(s, status=PENDING)
    client.force_login(s.hod)

    response = client.post(
        reverse("attendance:student_leave"),
        {
            "student": s.young.student_id,
            "start_date": SEP_9.isoformat(),
            "end_date": (SEP_9 + DAY).isoformat(),
            "reason": "Family visit",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert (
        "Leave for Yara Young from 7 September 2026 to 9 September 2026 is already pending: "
        "decide or change that one." in html
    )
    assert 'value="Family visit"' in html  # the form comes back with what was typed
    assert StudentLeave.objects.count() == 1


def test_sending_the_leave_form_twice_records_one_leave(client, setting):
    s = setting
    client.force_login(s.hod)
    form = {
        "student": s.young.student_id,
        "start_date": SEP_7.isoformat(),
        "end_date": SEP_9.isoformat(),
    }

    assert client.post(reverse("attendance:student_leave"), form).status_code == 302
    assert client.post(reverse("attendance:student_leave"), form).status_code == 200

    assert StudentLeave.objects.count() == 1


def test_the_approve_button_says_why_it_was_refused(client, setting):
    s = setting
    existing_leave(s, status=APPROVED)
    pending = existing_leave(s, status=PENDING)
    client.force_login(s.hod)

    response = client.post(
        reverse("attendance:decide_leave", args=[pending.pk]), {"decision": "approve"}, follow=True
    )

    assert response.status_code == 200
    assert "is already approved: change or reject that one first." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == PENDING


# --- the Django admin ----------------------------------------------------------------------


def admin_form(s, **overrides):
    data = {
        "student": s.young.student_id,
        "start_date": SEP_7.isoformat(),
        "end_date": SEP_9.isoformat(),
        "reason": "",
        "status": PENDING,
    }
    data.update(overrides)
    return data


def test_the_django_admin_refuses_to_add_an_overlapping_leave(client, setting):
    s = setting
    existing_leave(s, status=APPROVED)
    client.force_login(s.admin)

    response = client.post(
        reverse("admin:attendance_studentleave_add"), admin_form(s, start_date=SEP_9.isoformat())
    )

    assert response.status_code == 200
    assert "is already approved: change or reject that one first." in response.content.decode()
    assert StudentLeave.objects.count() == 1


def test_the_django_admin_adds_leave_that_does_not_overlap_once(client, setting):
    s = setting
    existing_leave(s, status=REJECTED)
    existing_leave(s, student=s.adams.student, status=APPROVED)
    client.force_login(s.admin)
    url = reverse("admin:attendance_studentleave_add")

    added = client.post(url, admin_form(s))
    again = client.post(url, admin_form(s))

    assert added.status_code == 302
    assert again.status_code == 200
    assert "is already pending: decide or change that one." in again.content.decode()
    assert StudentLeave.objects.filter(student=s.young.student, status=PENDING).count() == 1


def test_the_django_admin_refuses_to_move_a_leave_onto_another(client, setting):
    s = setting
    existing_leave(s, status=PENDING)
    later = existing_leave(s, start=SEP_9 + DAY, end=SEP_9 + 2 * DAY, status=PENDING)
    client.force_login(s.admin)
    url = reverse("admin:attendance_studentleave_change", args=[later.pk])

    moved = client.post(url, admin_form(s, start_date=SEP_9.isoformat()))
    dates = {"start_date": later.start_date, "end_date": later.end_date}
    edited = client.post(url, admin_form(s, reason="Trip", **dates))

    assert moved.status_code == 200
    assert "is already pending: decide or change that one." in moved.content.decode()
    assert edited.status_code == 302  # the leave itself is not in its own way
    later.refresh_from_db()
    assert (later.start_date, later.reason) == (SEP_9 + DAY, "Trip")


def test_the_django_admins_approve_action_skips_a_leave_that_overlaps(client, setting):
    s = setting
    existing_leave(s, status=APPROVED)
    pending = existing_leave(s, status=PENDING)
    client.force_login(s.admin)

    response = client.post(
        reverse("admin:attendance_studentleave_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
        follow=True,
    )

    html = response.content.decode()
    assert "is already approved: change or reject that one first." in html
    assert "0 leaves approved." in html
    pending.refresh_from_db()
    assert pending.status == PENDING


# --- two identical requests at the same moment (PostgreSQL) ----------------------------------


@needs_postgresql
def test_two_identical_requests_at_once_record_one_leave(transactional_db, monkeypatch):
    """The first request pauses while it holds the student's lock, about to insert; the
    test goes on only once the database shows the second waiting for that lock, so the
    requests really overlap."""
    s = Setting()
    hold = HoldTheLock(leave_service.StudentLeave.objects.create)
    monkeypatch.setattr(leave_service.StudentLeave.objects, "create", hold)
    start = threading.Barrier(2, timeout=WAIT)
    results = {}

    threads = [
        in_a_thread(lambda: request_leave(s, SEP_7, SEP_9), results, name, start)
        for name in ("first", "second")
    ]
    blocked = finish(threads, hold)

    assert blocked, "the second request did not wait for the first's lock"
    recorded = [r for r in results.values() if isinstance(r, StudentLeave)]
    refused = [r for r in results.values() if isinstance(r, LeaveError)]
    assert (len(recorded), len(refused)) == (1, 1), results
    assert "is already pending: decide or change that one." in str(refused[0])
    assert StudentLeave.objects.count() == 1

"""Staff-absent periods on the marking screen, orphaned (frozen) records, "Mark all
present" without JS, and 403 never 500 (docs/design/attendance.md, EC-ATT-02).
"""

import re

import pytest

from academics.models import Role
from attendance.models import AttendanceRecord, Status
from attendance.services import (
    CorrectionNeedsReason,
    mark_attendance,
)
from tests.academics.factories import (
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

from .support import (
    MONDAY,
    all_present,
    checked,
    field,
    mark_url,
    radios,
    row_html,
    staff,
    statuses_in,
)

pytestmark = pytest.mark.django_db


# --- staff-absent periods ------------------------------------------------------------------


@pytest.fixture
def staff_absent_period(period):
    """Ms Rivera was absent: both students' records are SA, set by the system."""
    slot, adams, young = period
    for membership in (adams, young):
        AttendanceRecordFactory(
            membership=membership,
            subject=slot.subject,
            period_number=slot.period_number,
            slot=slot,
            date=MONDAY,
            status=Status.STAFF_ABSENT,
            marked_by=None,
        )
    return period


@pytest.fixture
def advisor(staff_absent_period, monkeypatch):
    """The class advisor, whom the SA lifecycle lets resolve this period."""
    slot, *_ = staff_absent_period
    user = staff(slot.school, Role.TEACHER, "English", first_name="Bo", last_name="Chen")
    slot.school_class.advisor = user
    slot.school_class.save()
    monkeypatch.setattr(
        "attendance.selectors.marking.may_resolve_staff_absence",
        lambda *, user, slot, day: user.pk == slot.school_class.advisor_id,
    )
    return user


def test_a_staff_absent_period_shows_the_banner_and_rows_to_resolve(
    client, staff_absent_period, advisor
):
    slot, adams, young = staff_absent_period
    client.force_login(advisor)

    html = client.get(mark_url(slot)).content.decode()

    assert "Resolving a staff-absent period" in html
    assert "SA — to resolve" in row_html(html, adams)
    assert checked(html, adams) == ["SA"]


def test_a_staff_absent_period_nobody_took_shows_no_saved_badge_nor_reason_box(
    client, staff_absent_period, advisor
):
    slot, adams, young = staff_absent_period
    client.force_login(advisor)

    html = client.get(mark_url(slot)).content.decode()

    badge = re.search(r'id="saved-state"[^>]*>(.*?)</span>', html, flags=re.S).group(1)
    assert "Saved" not in badge
    assert " ".join(badge.split()) == "Not taken yet · 2 students to resolve"
    # The banner says resolving needs no reason: no reason box to fill.
    assert "Resolving needs no reason" in html
    assert 'name="reason"' not in html


def test_once_one_row_is_resolved_the_badge_counts_it_and_a_correction_needs_a_reason(
    client, staff_absent_period, advisor
):
    slot, adams, young = staff_absent_period
    client.force_login(advisor)
    client.post(mark_url(slot), {field(adams): "P", field(young): "SA"})

    html = client.get(mark_url(slot)).content.decode()

    badge = re.search(r'id="saved-state"[^>]*>(.*?)</span>', html, flags=re.S).group(1)
    assert "Saved" in badge and "by Bo Chen · 1 of 2 students" in " ".join(badge.split())
    assert 'name="reason"' in html


def test_resolving_sa_needs_no_reason_and_records_who(client, staff_absent_period, advisor):
    slot, adams, young = staff_absent_period
    client.force_login(advisor)

    response = client.post(mark_url(slot), {field(adams): "P", field(young): "UL"}, follow=True)

    assert "Saved attendance for 2 students (2 staff-absent resolved)" in (
        response.content.decode()
    )
    record = AttendanceRecord.objects.get(student=young.student)
    assert (record.status, record.modified_by, record.modification_reason) == (
        Status.UNINFORMED_LEAVE,
        advisor,
        "",
    )
    assert record.history.latest().history_change_reason == "Resolved staff absence"


def test_an_sa_left_unresolved_stays_sa(client, staff_absent_period, advisor):
    slot, adams, young = staff_absent_period
    client.force_login(advisor)

    response = client.post(mark_url(slot), {field(adams): "SA", field(young): "A"})

    assert response.status_code == 302
    assert statuses_in(slot, MONDAY) == {
        adams.student_id: Status.STAFF_ABSENT,
        young.student_id: Status.ABSENT,
    }


def test_changing_sa_to_on_duty_is_a_correction(staff_absent_period):
    slot, adams, young = staff_absent_period
    admin = UserFactory(school=slot.school, role=Role.ADMIN)

    with pytest.raises(CorrectionNeedsReason):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={adams.student_id: Status.ON_DUTY},
            actor=admin,
            today=MONDAY,
        )


def test_approved_leave_proposes_informed_leave(client, staff_absent_period, advisor, monkeypatch):
    slot, adams, young = staff_absent_period
    monkeypatch.setattr(
        "attendance.views.marking.approved_leave_student_ids",
        lambda *, school_id, day: {young.student_id} if school_id == slot.school_id else set(),
    )
    client.force_login(advisor)

    html = client.get(mark_url(slot)).content.decode()

    assert checked(html, young) == ["IL"]
    assert "approved leave" in row_html(html, young)
    assert checked(html, adams) == ["SA"]
    assert "approved leave" not in row_html(html, adams)


def test_another_teacher_cannot_open_a_staff_absent_period(client, staff_absent_period, advisor):
    slot, adams, young = staff_absent_period
    client.force_login(staff(slot.school, Role.TEACHER, "Mathematics"))

    assert client.get(mark_url(slot)).status_code == 403


# --- orphaned records ----------------------------------------------------------------------


@pytest.fixture
def orphaned(period):
    slot, adams, young = period
    record = AttendanceRecordFactory(
        membership=adams,
        subject=slot.subject,
        period_number=slot.period_number,
        date=MONDAY,
        status=Status.ABSENT,
        is_orphaned=True,
    )
    return record


def test_an_orphaned_record_is_shown_greyed_and_disabled(client, period, orphaned):
    slot, adams, young = period
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()

    row = row_html(html, adams)
    assert "Orphaned — Period Removed" in row
    assert "orphaned" in row[: row.index(">")]  # the row's class: greyed
    assert radios(html, adams) and all(disabled for _, _, disabled in radios(html, adams))
    assert checked(html, adams) == ["A"]
    assert f'name="{field(adams)}"' not in html


def test_an_orphaned_record_is_never_changed_by_a_save(client, period, orphaned):
    slot, adams, young = period
    client.force_login(UserFactory(school=slot.school, role=Role.ADMIN))

    response = client.post(
        mark_url(slot), {field(adams): "P", field(young): "P", "reason": "try anyway"}
    )

    assert response.status_code == 302
    orphaned.refresh_from_db()
    assert (orphaned.status, orphaned.modified_by) == (Status.ABSENT, None)
    assert AttendanceRecord.objects.get(student=young.student).status == Status.PRESENT


# --- mark all present without JS -------------------------------------------------------------


def test_mark_all_present_without_js_proposes_present_for_everyone_unsaved(client, marked_period):
    slot, adams, young = marked_period
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot, all_present=1)).content.decode()

    assert checked(html, adams) == checked(html, young) == ["P"]
    assert "Unsaved changes" in html
    assert re.search(r'data-status="P">.*?<strong>2</strong>', html)
    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT


# --- permissions: 403, never 500 -------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.PRINCIPAL, Role.ACCOUNTANT, Role.STUDENT, Role.TEACHER, Role.HOD]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_roles_that_may_not_mark_this_period_get_403(client, period, role, method):
    slot, adams, young = period
    client.force_login(staff(slot.school, role, "Science"))

    response = getattr(client, method)(mark_url(slot), all_present(adams, young))

    assert response.status_code == 403
    assert not AttendanceRecord.objects.exists()


def test_a_json_client_gets_a_json_403(client, period):
    slot, adams, young = period
    client.force_login(UserFactory(school=slot.school, role=Role.TEACHER))

    response = client.post(
        mark_url(slot), all_present(adams, young), headers={"Accept": "application/json"}
    )

    assert response.status_code == 403
    assert response.json()["success"] is False


def test_another_schools_admin_gets_404(client, period):
    slot, adams, young = period
    client.force_login(UserFactory(role=Role.ADMIN))

    assert client.get(mark_url(slot)).status_code == 404
    assert client.post(mark_url(slot), all_present(adams, young)).status_code == 404

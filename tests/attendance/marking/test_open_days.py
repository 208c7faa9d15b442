"""Which days a period can be marked (docs/design/attendance.md): not in the future, not
on a holiday or closure.
"""

import datetime

import pytest
from django.urls import reverse

from academics.models import Holiday, Role
from attendance.models import AttendanceRecord, Status
from attendance.services import (
    FutureDate,
    SchoolClosed,
    mark_attendance,
)
from tests.academics.factories import (
    SchoolFactory,
    UserFactory,
)

from .support import (
    MONDAY,
    NEXT_MONDAY,
    all_present,
    mark_url,
)

pytestmark = pytest.mark.django_db


# --- future dates --------------------------------------------------------------------------


def test_a_future_date_shows_why_and_no_form(client, period, today):
    slot, adams, young = period
    today.set(MONDAY - datetime.timedelta(days=1))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()

    assert "Monday 7 September 2026 is still to come" in html
    assert "Save attendance" not in html
    assert 'name="status_' not in html


def test_saving_a_future_date_is_400_and_writes_nothing(client, period, today):
    slot, adams, young = period
    today.set(MONDAY - datetime.timedelta(days=1))
    client.force_login(slot.teacher)

    response = client.post(mark_url(slot), all_present(adams, young))

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_the_service_refuses_a_future_date(period):
    slot, adams, young = period

    with pytest.raises(FutureDate):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={adams.student_id: Status.PRESENT},
            actor=slot.teacher,
            today=MONDAY - datetime.timedelta(days=1),
        )

    assert not AttendanceRecord.objects.exists()


# --- holidays ------------------------------------------------------------------------------


@pytest.fixture
def labour_day(period):
    slot, *_ = period
    return Holiday.objects.create(
        school=slot.school, name="Labour Day", start_date=MONDAY, end_date=MONDAY
    )


def test_a_holiday_shows_closed_and_no_form(client, period, labour_day):
    slot, adams, young = period
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()

    assert "Closed: Labour Day" in html
    assert "Save attendance" not in html
    assert 'name="status_' not in html


def test_saving_on_a_holiday_is_400_and_writes_nothing(client, period, labour_day):
    slot, adams, young = period
    client.force_login(UserFactory(school=slot.school, role=Role.ADMIN))

    response = client.post(mark_url(slot), all_present(adams, young))

    assert response.status_code == 400
    assert "Closed: Labour Day" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_the_service_refuses_a_holiday(period, labour_day):
    slot, adams, young = period

    with pytest.raises(SchoolClosed, match="Closed: Labour Day"):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={adams.student_id: Status.PRESENT},
            actor=slot.teacher,
            today=MONDAY,
        )

    assert not AttendanceRecord.objects.exists()


def test_another_schools_holiday_does_not_close_this_one(client, period):
    slot, adams, young = period
    Holiday.objects.create(
        school=SchoolFactory(), name="Their Day", start_date=MONDAY, end_date=MONDAY
    )
    client.force_login(slot.teacher)

    response = client.post(mark_url(slot), all_present(adams, young))

    assert response.status_code == 302
    assert AttendanceRecord.objects.count() == 2


def test_my_periods_shows_the_closure_instead_of_links_to_mark(client, period, labour_day):
    slot, *_ = period
    client.force_login(slot.teacher)

    closed = client.get(reverse("attendance:my_periods"), {"date": MONDAY}).content.decode()
    open_day = client.get(reverse("attendance:my_periods"), {"date": NEXT_MONDAY}).content.decode()

    assert "Closed: Labour Day" in closed and "Maths 9A" in closed
    assert mark_url(slot) not in closed
    assert "Closed:" not in open_day
    assert mark_url(slot, NEXT_MONDAY) in open_day

"""A substitute who teaches their own class in a covered period is refused with the clash
named, unless the hod ticks "Substitute anyway"; the periods a substitute covers appear in
their "My periods" (docs/design/attendance.md, "Substitutes").
"""

import pytest
from django.urls import reverse

from attendance.models import StaffAbsence
from attendance.services import SubstituteClash, change_substitute, mark_teacher_absent
from tests.academics.factories import SchoolClassFactory, TimetableSlotFactory, UserFactory

from .support import DAY, mark_url, text_of

pytestmark = pytest.mark.django_db

CLASH = "Chi Chen teaches 8B in period 3 that day"


@pytest.fixture
def s(setting):
    """Mr Chen, the substitute, teaches 8B in period 3 himself that day."""
    setting.class_8b = SchoolClassFactory(school=setting.school, name="8B")
    TimetableSlotFactory(
        school_class=setting.class_8b,
        teacher=setting.substitute,
        weekday=setting.day.weekday(),
        period_number=3,
        valid_from=setting.day - 60 * DAY,
    )
    return setting


def test_the_hod_is_told_the_substitute_teaches_8b_then_and_nothing_is_saved(client, s):
    client.force_login(s.hod)

    response = client.post(
        reverse("attendance:staff_absence"), s.absence_form(substitute=s.substitute.pk)
    )

    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert "Nothing was saved." in page
    assert CLASH in page
    assert "tick “Substitute anyway”" in page
    assert not StaffAbsence.objects.exists()
    assert not s.sa_records().exists()


def test_substitute_anyway_saves_the_absence_and_records_the_override(client, s):
    client.force_login(s.hod)

    response = client.post(
        reverse("attendance:staff_absence"),
        s.absence_form(substitute=s.substitute.pk, allow_clash="on"),
        follow=True,
    )

    page = text_of(response.content.decode())
    assert f"Substitute kept although: {CLASH}." in page
    assert "clash accepted" in page
    absence = StaffAbsence.objects.get()
    assert (absence.substitute, absence.substitute_clash_accepted, absence.updated_by) == (
        s.substitute,
        True,
        s.hod,
    )


def test_a_substitute_free_in_the_covered_periods_is_accepted_without_ticking(client, s):
    client.force_login(s.hod)

    response = client.post(
        reverse("attendance:staff_absence"),
        s.absence_form(periods=[2], substitute=s.substitute.pk),
        follow=True,
    )

    assert "Substitute kept although" not in response.content.decode()
    absence = StaffAbsence.objects.get()
    assert absence.substitute == s.substitute and not absence.substitute_clash_accepted


def test_a_whole_day_absence_clashes_with_any_period_the_substitute_teaches(s):
    with pytest.raises(SubstituteClash, match=CLASH):
        mark_teacher_absent(teacher=s.teacher, day=s.day, substitute=s.substitute, actor=s.hod)
    assert not StaffAbsence.objects.exists()


def test_covering_two_absent_teachers_in_the_same_period_is_a_clash(s):
    other = UserFactory(school=s.school, role="teacher", first_name="Dan", last_name="Diaz")
    TimetableSlotFactory(
        school_class=SchoolClassFactory(school=s.school, name="7C"),
        teacher=other,
        weekday=s.day.weekday(),
        period_number=2,
        valid_from=s.day - 60 * DAY,
    )
    mark_teacher_absent(teacher=other, day=s.day, substitute=s.substitute, actor=s.hod)

    with pytest.raises(SubstituteClash, match="Chi Chen already covers 7C in period 2 that day"):
        mark_teacher_absent(
            teacher=s.teacher, day=s.day, periods=[2], substitute=s.substitute, actor=s.hod
        )


def test_changing_the_substitute_to_a_busy_teacher_names_the_clash_in_the_row(client, s):
    absence = mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2, 3], actor=s.hod)
    url = reverse("attendance:staff_absence_substitute", args=[absence.absence.pk])
    client.force_login(s.hod)

    refused = client.post(url, {"substitute": s.substitute.pk}, HTTP_HX_REQUEST="true")
    accepted = client.post(
        url, {"substitute": s.substitute.pk, "allow_clash": "on"}, HTTP_HX_REQUEST="true"
    )

    assert CLASH in text_of(refused.content.decode())
    assert "clash accepted" in text_of(accepted.content.decode())
    saved = StaffAbsence.objects.get()
    assert saved.substitute == s.substitute and saved.substitute_clash_accepted


def test_change_substitute_refuses_a_clash_and_changes_nothing(s):
    result = mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[3], actor=s.hod)

    with pytest.raises(SubstituteClash):
        change_substitute(absence=result.absence, substitute=s.substitute, actor=s.hod)

    assert StaffAbsence.objects.get().substitute is None


def test_the_covered_periods_appear_in_the_substitutes_my_periods(client, s):
    mark_teacher_absent(
        teacher=s.teacher, day=s.day, periods=[2], substitute=s.substitute, actor=s.hod
    )
    client.force_login(s.substitute)

    page = text_of(
        client.get(reverse("attendance:my_periods"), {"date": s.day.isoformat()}).content.decode()
    )

    assert "Period 2 · Maths 9A" in page
    assert "covering for Ana Rivera" in page
    assert "Period 3 · 8B" in page  # their own class
    assert "Period 4 · Maths 9A" not in page  # not covered
    # The link opens the period to resolve its SA records.
    assert client.get(mark_url(s.p2, s.day)).status_code == 200

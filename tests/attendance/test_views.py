import datetime
import re

import pytest
from django.urls import reverse

from academics.models import Role, School
from attendance.models import AttendanceRecord, Status
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026
LAST_MONDAY = MONDAY - datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def today_is_monday(monkeypatch):
    """Every school's today is MONDAY, so marking it is inside the edit window and not in
    the future whatever the machine's clock says (the rules' own tests move `today`)."""
    monkeypatch.setattr(School, "today", lambda school: MONDAY)


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


@pytest.fixture
def period():
    """Maths 9A, period 3 on Mondays, taught by Ms Rivera, with two students."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(school=school, role=Role.TEACHER, first_name="Ana", last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    young = student_in(school_class, "Young", "Yara")
    adams = student_in(school_class, "Adams", "Ali")
    return slot, adams, young


def mark_url(slot, day=MONDAY):
    return reverse("attendance:mark", kwargs={"slot_id": slot.pk, "day": day})


def field(membership):
    return f"status_{membership.student_id}"


def checked_status(html, membership):
    match = re.search(rf'<input[^>]*name="{field(membership)}"[^>]*value="(\w+)"[^>]*checked', html)
    if match is None:
        match = re.search(
            rf'<input[^>]*name="{field(membership)}"[^>]*checked[^>]*value="(\w+)"', html
        )
    return match and match.group(1)


def row_html(html, membership):
    start = html.index(f'id="student-{membership.student_id}"')
    return html[start : html.index("</tr>", start)]


# --- who may mark --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("slot teacher", 200),
        ("admin", 200),
        ("other teacher", 403),
        ("principal", 403),
        ("student", 403),
        ("other school's admin", 404),
    ],
)
def test_only_the_slot_teacher_or_an_admin_may_open_the_period(client, period, who, expected):
    slot, adams, young = period
    users = {
        "slot teacher": slot.teacher,
        "admin": UserFactory(school=slot.school, role=Role.ADMIN),
        "other teacher": UserFactory(school=slot.school, role=Role.TEACHER),
        "principal": UserFactory(school=slot.school, role=Role.PRINCIPAL),
        "student": adams.student.user,
        "other school's admin": UserFactory(role=Role.ADMIN),
    }
    client.force_login(users[who])

    assert client.get(mark_url(slot)).status_code == expected


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT])
def test_a_forbidden_save_writes_nothing(client, period, role):
    slot, adams, young = period
    client.force_login(UserFactory(school=slot.school, role=role))

    response = client.post(mark_url(slot), {field(adams): "A", field(young): "P"})

    assert response.status_code == 403
    assert not AttendanceRecord.objects.exists()


def test_another_schools_teacher_gets_404_for_the_slot(client, period):
    slot, adams, young = period
    client.force_login(UserFactory(role=Role.TEACHER))

    assert client.post(mark_url(slot), {field(adams): "A"}).status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, period):
    slot, adams, young = period

    response = client.get(mark_url(slot))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- marking -----------------------------------------------------------------------------


def test_the_roster_is_by_last_name_and_everyone_starts_present(client, period):
    slot, adams, young = period
    student_in(slot.school_class, "Later", joined_on=MONDAY + datetime.timedelta(days=1))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()

    assert "Maths 9A" in html and f"Period {slot.period_number}" in html
    assert "Monday 7 September 2026" in html
    assert html.index("Adams") < html.index("Young")
    assert "Later" not in html
    assert checked_status(html, adams) == checked_status(html, young) == "P"
    assert "Not saved yet" in html


def test_saving_redirects_to_the_period_with_a_message_and_new_percentages(client, period):
    slot, adams, young = period
    AttendanceRecordFactory(
        membership=adams, subject=slot.subject, date=LAST_MONDAY, period_number=slot.period_number
    )
    client.force_login(slot.teacher)
    assert "100.0%" in row_html(client.get(mark_url(slot)).content.decode(), adams)

    response = client.post(mark_url(slot), {field(adams): "A", field(young): "P"})

    assert response.status_code == 302
    assert response.url == mark_url(slot)
    html = client.get(response.url).content.decode()
    assert "Saved attendance for 2 students" in html
    assert "50.0%" in row_html(html, adams)
    assert "100.0%" in row_html(html, young)
    assert checked_status(html, adams) == "A"  # re-opening shows what was saved
    assert re.search(r"Saved (\d+ \w+, )?\d\d:\d\d by Ana Rivera · 2 of 2 students", html)
    record = AttendanceRecord.objects.get(student=adams.student, date=MONDAY)
    assert (record.status, record.marked_by, record.school_class) == (
        Status.ABSENT,
        slot.teacher,
        slot.school_class,
    )


def test_the_page_counts_each_status(client, period):
    slot, adams, young = period
    client.force_login(slot.teacher)
    client.post(mark_url(slot), {field(adams): "IL", field(young): "P"})

    html = client.get(mark_url(slot)).content.decode()

    assert re.search(r'data-status="P">.*?<strong>1</strong>', html)
    assert re.search(r'data-status="IL">.*?<strong>1</strong>', html)
    assert re.search(r'data-status="A">.*?<strong>0</strong>', html)


def test_an_admin_may_mark_any_slot_of_the_school(client, period):
    slot, adams, young = period
    admin = UserFactory(school=slot.school, role=Role.ADMIN)
    client.force_login(admin)

    response = client.post(mark_url(slot), {field(adams): "P", field(young): "P"})

    assert response.status_code == 302
    assert AttendanceRecord.objects.filter(marked_by=admin).count() == 2


def test_a_correction_without_a_reason_is_refused_and_writes_nothing(client, period):
    slot, adams, young = period
    client.force_login(slot.teacher)
    client.post(mark_url(slot), {field(adams): "P", field(young): "P"})

    response = client.post(mark_url(slot), {field(adams): "A", field(young): "P", "reason": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "give a reason for the correction" in html
    assert "Reason for correction" in html
    assert checked_status(html, adams) == "A"  # the teacher's choice is kept on screen
    assert AttendanceRecord.objects.get(student=adams.student).status == Status.PRESENT


def test_a_correction_with_a_reason_is_saved_with_who_and_why(client, period):
    slot, adams, young = period
    client.force_login(slot.teacher)
    client.post(mark_url(slot), {field(adams): "P", field(young): "P"})

    response = client.post(
        mark_url(slot),
        {field(adams): "A", field(young): "P", "reason": "Was in the nurse's office"},
        follow=True,
    )

    assert "Saved attendance for 2 students (1 correction)" in response.content.decode()
    record = AttendanceRecord.objects.get(student=adams.student)
    assert (record.status, record.modified_by, record.modification_reason) == (
        Status.ABSENT,
        slot.teacher,
        "Was in the nurse's office",
    )


def test_a_date_the_slot_does_not_meet_is_refused(client, period):
    slot, adams, young = period
    tuesday = MONDAY + datetime.timedelta(days=1)
    client.force_login(slot.teacher)

    page = client.get(mark_url(slot, tuesday)).content.decode()
    response = client.post(mark_url(slot, tuesday), {field(adams): "P", field(young): "P"})

    assert "has no" in page and "it meets on Mondays" in page
    assert "Save attendance" not in page
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_a_malformed_date_is_not_found(client, period):
    slot, adams, young = period
    client.force_login(slot.teacher)

    response = client.get(f"/attendance/periods/{slot.pk}/2026-02-30/")

    assert response.status_code == 404


def test_a_student_already_marked_in_another_section_is_shown_and_skipped(client, period):
    slot, adams, young = period
    other_section = SchoolClassFactory(school=slot.school, name="Maths 9B")
    elsewhere = MembershipFactory(school_class=other_section, student=adams.student)
    AttendanceRecordFactory(
        membership=elsewhere, subject=slot.subject, period_number=slot.period_number, date=MONDAY
    )
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()
    response = client.post(mark_url(slot), {field(adams): "A", field(young): "A"}, follow=True)

    assert "already marked in Maths 9B" in row_html(html, adams)
    assert checked_status(html, adams) is None
    assert "Saved attendance for 1 student" in response.content.decode()
    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT
    assert AttendanceRecord.objects.get(student=adams.student).school_class == other_section


def test_the_marking_page_takes_the_same_number_of_queries_for_any_class_size(
    client, django_assert_num_queries
):
    for size in (3, 30):
        slot = TimetableSlotFactory()
        for n in range(size):
            membership = student_in(slot.school_class, f"Student{n}")
            AttendanceRecordFactory(membership=membership, date=LAST_MONDAY)
        client.force_login(slot.teacher)
        # session · user · slot with class, subject, teacher · school (for "today") ·
        # a holiday on the day? · roster with totals · saved records for the period
        with django_assert_num_queries(7):
            assert client.get(mark_url(slot)).status_code == 200


# --- my periods ----------------------------------------------------------------------------


def test_my_periods_lists_todays_periods_of_the_signed_in_teacher(client):
    teacher = UserFactory(role=Role.TEACHER)
    today = teacher.school.today()
    mine = TimetableSlotFactory(
        school_class__school=teacher.school,
        school_class__name="Biology 10C",
        teacher=teacher,
        weekday=today.weekday(),
        valid_from=today - datetime.timedelta(days=30),
    )
    TimetableSlotFactory(
        school_class__school=teacher.school,
        school_class__name="Chemistry 10C",
        weekday=today.weekday(),
        valid_from=today - datetime.timedelta(days=30),
    )
    client.force_login(teacher)

    html = client.get(reverse("attendance:my_periods")).content.decode()

    assert "Biology 10C" in html and "Chemistry 10C" not in html
    assert mark_url(mine, today) in html
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert f"?date={yesterday}" in html


def test_my_periods_shows_a_chosen_date_and_whether_it_is_marked(client, period):
    slot, adams, young = period
    AttendanceRecordFactory(
        membership=adams, subject=slot.subject, period_number=slot.period_number, date=MONDAY
    )
    client.force_login(slot.teacher)

    html = client.get(reverse("attendance:my_periods"), {"date": "2026-09-07"}).content.decode()
    tuesday = client.get(reverse("attendance:my_periods"), {"date": "2026-09-08"}).content.decode()

    assert "Monday 7 September 2026" in html
    assert "Marked · 1 of 2" in html
    assert mark_url(slot) in html
    assert "No periods to mark on this day" in tuesday


def test_a_day_without_periods_links_to_the_latest_day_with_some(client, period):
    slot, *_ = period
    client.force_login(slot.teacher)
    saturday = MONDAY + datetime.timedelta(days=5)

    html = client.get(reverse("attendance:my_periods"), {"date": saturday}).content.decode()

    assert "No periods to mark on this day" in html
    assert f'href="?date={MONDAY:%Y-%m-%d}"' in html and "Monday 7 September" in html


def test_my_periods_takes_the_same_number_of_queries_for_any_number_of_periods(
    client, django_assert_num_queries
):
    teacher = UserFactory(role=Role.TEACHER)
    for period_number in range(1, 7):
        slot = TimetableSlotFactory(
            school_class__school=teacher.school, teacher=teacher, period_number=period_number
        )
        for n in range(period_number):
            member = student_in(slot.school_class, f"Student{n}")
            AttendanceRecordFactory(
                membership=member, slot=slot, subject=slot.subject, date=MONDAY,
                period_number=period_number,
            )  # fmt: skip
        client.force_login(teacher)
        # session · user · school (today) · the absences they cover as a substitute that
        # day · the periods with roster size and marked count (subqueries) · a closure
        # that day?
        with django_assert_num_queries(6):
            html = client.get(reverse("attendance:my_periods"), {"date": MONDAY}).content
        assert html.decode().count("Marked · ") == period_number


def test_my_periods_answers_htmx_with_the_period_list_only(client, period):
    slot, adams, young = period
    client.force_login(slot.teacher)

    html = client.get(
        reverse("attendance:my_periods"), {"date": "2026-09-07"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert html.lstrip().startswith('<section id="periods"')
    assert mark_url(slot) in html


def test_students_cannot_open_my_periods(client, period):
    slot, adams, young = period
    client.force_login(adams.student.user)

    assert client.get(reverse("attendance:my_periods")).status_code == 403


# --- attendance list -----------------------------------------------------------------------


def list_rows(html):
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("</tr>")][
        :-1
    ]


def test_the_list_shows_present_total_sessions_and_percentage(client, period):
    slot, adams, young = period
    for n, status in enumerate([Status.PRESENT, Status.PRESENT, Status.ABSENT, Status.ON_DUTY]):
        AttendanceRecordFactory(membership=adams, status=status, period_number=n + 1)
    TotalSessionsOverrideFactory(membership=young, total_sessions=20)
    client.force_login(UserFactory(school=slot.school, role=Role.PRINCIPAL))

    rows = list_rows(client.get(reverse("attendance:list")).content.decode())

    assert rows == [
        "Ali Adams Maths 9A 2 3 66.7%",
        # The planned figure beside the one to date ("—": nothing recorded yet).
        "Yara Young Maths 9A 0 20 (0 actual) — 0.0% of 20",
    ]


def test_only_a_membership_that_has_ended_says_left(client, period):
    slot, adams, young = period
    today = slot.school.today()
    adams.left_on = today - datetime.timedelta(days=3)
    adams.save()
    young.left_on = today + datetime.timedelta(days=90)  # the term ends later
    young.save()
    client.force_login(slot.teacher)

    rows = list_rows(client.get(reverse("attendance:list")).content.decode())

    assert rows[0].startswith(f"Ali Adams left {adams.left_on:%-d %b %Y} Maths 9A")
    assert rows[1].startswith("Yara Young Maths 9A")


def test_nothing_countable_shows_a_dash(client, period):
    slot, adams, young = period
    AttendanceRecordFactory(membership=adams, status=Status.HOLIDAY)
    client.force_login(slot.teacher)

    rows = list_rows(client.get(reverse("attendance:list")).content.decode())

    assert rows[0] == "Ali Adams Maths 9A 0 0 —"


def test_the_list_never_shows_another_schools_students(client, period):
    slot, adams, young = period
    outsider = MembershipFactory()  # another school
    client.force_login(UserFactory(school=slot.school, role=Role.ADMIN))

    html = client.get(reverse("attendance:list")).content.decode()
    filtered = client.get(
        reverse("attendance:list"), {"school_class": outsider.school_class_id}
    ).content.decode()

    assert str(outsider.student) not in html
    assert outsider.school_class.name not in html
    assert "Select a valid choice" in filtered
    assert str(outsider.student) not in filtered
    assert len(list_rows(filtered)) == 2


def test_a_teacher_lists_only_the_classes_they_teach_or_advise(client, period):
    slot, adams, young = period
    not_mine = student_in(SchoolClassFactory(school=slot.school, name="Art 9A"), "Zimmer")
    advised = SchoolClassFactory(school=slot.school, name="Homeroom 9", advisor=slot.teacher)
    student_in(advised, "Hall")
    client.force_login(slot.teacher)

    html = client.get(reverse("attendance:list")).content.decode()

    assert [row.split(" ")[1] for row in list_rows(html)] == ["Hall", "Adams", "Young"]
    assert "Art 9A" not in html
    assert str(not_mine.student) not in html


def test_a_student_sees_only_their_own_rows(client, period):
    slot, adams, young = period
    client.force_login(adams.student.user)

    response = client.get(reverse("attendance:list"))

    assert response.status_code == 200
    assert [row.split(" ")[1] for row in list_rows(response.content.decode())] == ["Adams"]


def test_the_list_filters_by_class(client, period):
    slot, adams, young = period
    student_in(SchoolClassFactory(school=slot.school, name="Art 9A"), "Zimmer")
    client.force_login(UserFactory(school=slot.school, role=Role.ADMIN))

    html = client.get(
        reverse("attendance:list"), {"school_class": slot.school_class_id}
    ).content.decode()

    assert [row.split(" ")[1] for row in list_rows(html)] == ["Adams", "Young"]


def test_the_list_is_paginated_by_fifty(client, db):
    school_class = SchoolClassFactory()
    for n in range(51):
        student_in(school_class, f"Student{n:02}")
    client.force_login(UserFactory(school=school_class.school, role=Role.ADMIN))

    first = client.get(reverse("attendance:list")).content.decode()
    second = client.get(reverse("attendance:list"), {"page": 2}).content.decode()

    assert len(list_rows(first)) == 50
    assert list_rows(second)[0].split(" ")[1] == "Student50"
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first and 'hx-target="#attendance-table"' in first
    assert "Next →" in first and "← Previous" in second


def test_the_list_answers_htmx_with_the_table_only(client, period):
    slot, adams, young = period
    client.force_login(slot.teacher)

    html = client.get(reverse("attendance:list"), headers={"HX-Request": "true"}).content.decode()

    assert html.lstrip().startswith('<section id="attendance-table"')
    assert "Adams" in html


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN])
def test_the_list_takes_the_same_number_of_queries_for_any_number_of_students(
    client, django_assert_num_queries, role
):
    for size in (3, 30):
        school_class = SchoolClassFactory()
        slot = TimetableSlotFactory(school_class=school_class)
        for n in range(size):
            membership = student_in(school_class, f"Student{n}")
            AttendanceRecordFactory(membership=membership, status=Status.PRESENT)
            AttendanceRecordFactory(membership=membership, status=Status.ABSENT)
            TotalSessionsOverrideFactory(membership=membership)
        user = (
            slot.teacher
            if role == Role.TEACHER
            else UserFactory(school=school_class.school, role=role)
        )
        client.force_login(user)
        # session · user · the chosen class (filter validation) · COUNT(*) of the plain
        # memberships · the page's membership ids · the page's memberships + students +
        # classes + counts + override in one aggregate · the school (page header) · the
        # class <select>'s options
        with django_assert_num_queries(8):
            response = client.get(reverse("attendance:list"), {"school_class": school_class.pk})
        assert len(list_rows(response.content.decode())) == size

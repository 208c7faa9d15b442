"""Issue 3's marking rules: the school calendar (holidays, `fill_holiday`), future dates,
the edit window, staff-absent resolution, orphaned records, and who may do what."""

import datetime
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from academics.models import Holiday, Role, School
from attendance.models import AttendanceRecord, Status
from attendance.services import (
    CorrectionNeedsReason,
    FutureDate,
    MarkingNotAllowed,
    RecordsLocked,
    SchoolClosed,
    fill_holiday,
    mark_attendance,
)
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffProfileFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026
NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)
WINDOW = 7  # the school's edit_window_days in these tests


@pytest.fixture
def today(monkeypatch):
    """Set every school's today (school-local): `today.set(date)`; MONDAY to begin with."""

    class Today:
        value = MONDAY

        def set(self, value: datetime.date) -> None:
            self.value = value

    clock = Today()
    monkeypatch.setattr(School, "today", lambda school: clock.value)
    return clock


def staff(school, role, department="", **names):
    user = UserFactory(school=school, role=role, **names)
    StaffProfileFactory(school=school, user=user, department=department)
    return user


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


@pytest.fixture
def period(today):
    """Maths 9A, period 3 on Mondays, taught by Ms Rivera (Mathematics), two students."""
    school = SchoolFactory(name="Hill School", edit_window_days=WINDOW)
    teacher = staff(school, Role.TEACHER, "Mathematics", first_name="Ana", last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    adams = student_in(school_class, "Adams", "Ali")
    young = student_in(school_class, "Young", "Yara")
    return slot, adams, young


def mark_url(slot, day=MONDAY, **query):
    url = reverse("attendance:mark", kwargs={"slot_id": slot.pk, "day": day})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def field(membership):
    return f"status_{membership.student_id}"


def all_present(*memberships):
    return {field(m): "P" for m in memberships}


def radios(html, membership):
    """(value, checked, disabled) of each status button in a student's row."""
    start = html.index(f'id="student-{membership.student_id}"')
    row = html[start : html.index("</tr>", start)]
    return [
        (
            re.search(r'value="(\w+)"', tag).group(1),
            " checked" in tag,
            " disabled" in tag,
        )
        for tag in re.findall(r'<input type="radio"[^>]*>', row)
    ]


def row_html(html, membership):
    start = html.index(f'id="student-{membership.student_id}"')
    return html[start : html.index("</tr>", start)]


def checked(html, membership):
    return [value for value, is_checked, _ in radios(html, membership) if is_checked]


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


# --- fill_holiday --------------------------------------------------------------------------


@pytest.fixture
def closure(period):
    """A two-week closure from MONDAY: the Monday slot meets twice in it."""
    slot, *_ = period
    return Holiday.objects.create(
        school=slot.school,
        name="Flooding",
        start_date=MONDAY,
        end_date=MONDAY + datetime.timedelta(days=13),
    )


def statuses_in(slot, day):
    return dict(
        AttendanceRecord.objects.filter(
            school_class=slot.school_class, date=day, period_number=slot.period_number
        ).values_list("student_id", "status")
    )


def test_fill_holiday_gives_every_roster_member_h_in_every_period_of_the_closure(period, closure):
    slot, adams, young = period
    late = student_in(slot.school_class, "Late", joined_on=NEXT_MONDAY)
    TimetableSlotFactory(school_class=slot.school_class, weekday=2)  # Wednesdays: meets too
    not_meeting = TimetableSlotFactory(
        school_class=slot.school_class, weekday=5, valid_from=MONDAY + datetime.timedelta(days=30)
    )
    other_school = TimetableSlotFactory()
    MembershipFactory(school_class=other_school.school_class)

    counts = fill_holiday(holiday=closure)

    everyone = {adams.student_id: Status.HOLIDAY, young.student_id: Status.HOLIDAY}
    assert statuses_in(slot, MONDAY) == everyone  # Late had not joined yet
    assert statuses_in(slot, NEXT_MONDAY) == {**everyone, late.student_id: Status.HOLIDAY}
    # Two Mondays and two Wednesdays: 2 + 3 + 2 + 3 students.
    assert (counts.periods, counts.created, counts.corrected) == (4, 10, 0)
    assert not AttendanceRecord.objects.filter(slot=not_meeting).exists()
    assert not AttendanceRecord.objects.filter(school=other_school.school).exists()
    record = AttendanceRecord.objects.get(student=adams.student, date=MONDAY)
    assert (record.slot, record.subject, record.marked_by) == (slot, slot.subject, None)


def test_fill_holiday_corrects_saved_records_with_the_closure_as_reason(period, closure):
    slot, adams, young = period
    admin = UserFactory(school=slot.school, role=Role.ADMIN)
    # Marked before the closure was entered in the calendar.
    for membership, status in ((adams, Status.PRESENT), (young, Status.ABSENT)):
        AttendanceRecordFactory(
            membership=membership,
            subject=slot.subject,
            period_number=slot.period_number,
            slot=slot,
            date=MONDAY,
            status=status,
            marked_by=slot.teacher,
        )

    counts = fill_holiday(holiday=closure, actor=admin)

    assert (counts.created, counts.corrected) == (2, 2)  # next Monday new; this one fixed
    record = AttendanceRecord.objects.get(student=young.student, date=MONDAY)
    assert (record.status, record.modified_by, record.modification_reason) == (
        Status.HOLIDAY,
        admin,
        "Closure: Flooding",
    )
    assert [h.status for h in record.history.order_by("history_date", "history_id")] == [
        Status.ABSENT,
        Status.HOLIDAY,
    ]
    assert record.marked_by == slot.teacher


def test_fill_holiday_leaves_orphaned_records_alone(period, closure):
    slot, adams, young = period
    frozen = AttendanceRecordFactory(
        membership=adams,
        subject=slot.subject,
        period_number=slot.period_number,
        date=MONDAY,
        status=Status.PRESENT,
        is_orphaned=True,
    )

    counts = fill_holiday(holiday=closure)

    frozen.refresh_from_db()
    assert (frozen.status, frozen.modified_by, frozen.modification_reason) == (
        Status.PRESENT,
        None,
        "",
    )
    assert counts.orphaned_left == 1
    assert statuses_in(slot, MONDAY) == {
        adams.student_id: Status.PRESENT,
        young.student_id: Status.HOLIDAY,
    }


def test_fill_holiday_twice_changes_nothing_the_second_time(period, closure):
    slot, adams, young = period
    first = fill_holiday(holiday=closure)
    history = AttendanceRecord.history.count()

    second = fill_holiday(holiday=closure)

    assert first.created == 4
    assert (second.created, second.corrected, second.unchanged) == (0, 0, 4)
    assert AttendanceRecord.objects.count() == 4
    assert AttendanceRecord.history.count() == history


def test_fill_holiday_takes_the_same_number_of_queries_for_any_size(
    django_assert_num_queries, today
):
    for size in (2, 20):
        school_class = SchoolClassFactory()
        TimetableSlotFactory(school_class=school_class)
        TimetableSlotFactory(school_class=school_class, weekday=1)
        for n in range(size):
            student_in(school_class, f"Student{n}")
        holiday = Holiday.objects.create(
            school=school_class.school,
            name="Week off",
            start_date=MONDAY,
            end_date=MONDAY + datetime.timedelta(days=6),
        )
        # SAVEPOINT · slots FOR UPDATE · memberships · existing records FOR UPDATE ·
        # INSERT records · INSERT history · RELEASE SAVEPOINT
        with django_assert_num_queries(7):
            counts = fill_holiday(holiday=holiday)
        assert counts.created == 2 * size


def test_the_command_fills_the_closure_on_a_date_of_a_school_named_by_code(period, closure, capsys):
    slot, *_ = period
    slot.school.code = "HILL"
    slot.school.save()

    call_command("fill_holiday", "--school", "HILL", "--date", "2026-09-10")
    call_command("fill_holiday", "--school", str(slot.school.pk), "--holiday", str(closure.pk))

    out = capsys.readouterr().out
    assert "Flooding" in out
    assert "2 periods: 4 created, 0 corrected to H" in out
    assert "2 periods: 0 created, 0 corrected to H, 4 already H" in out
    assert AttendanceRecord.objects.filter(status=Status.HOLIDAY).count() == 4


@pytest.mark.parametrize(
    "args",
    [
        ["--school", "NOPE", "--date", "2026-09-07"],
        ["--school", "{school}", "--date", "2026-10-07"],
        ["--school", "{school}", "--holiday", "{other_holiday}"],
    ],
)
def test_the_command_refuses_what_it_cannot_find(period, closure, args):
    slot, *_ = period
    other = Holiday.objects.create(
        school=SchoolFactory(), name="Theirs", start_date=MONDAY, end_date=MONDAY
    )
    values = {"school": slot.school.pk, "other_holiday": other.pk}

    with pytest.raises(CommandError):
        call_command("fill_holiday", *[arg.format(**values) for arg in args])

    assert not AttendanceRecord.objects.exists()


def test_the_admin_action_fills_the_selected_closures(client, period, closure):
    slot, adams, young = period
    admin = UserFactory(school=slot.school, role=Role.ADMIN)
    client.force_login(admin)
    url = reverse("admin:academics_holiday_changelist")

    listing = client.get(url).content.decode()
    response = client.post(url, {"action": "fill_h", "_selected_action": [closure.pk]}, follow=True)

    assert "Fill H for the selected closures" in listing
    assert "2 periods: 4 created" in response.content.decode()
    assert set(AttendanceRecord.objects.values_list("status", "marked_by")) == {
        (Status.HOLIDAY, admin.pk)
    }


def test_a_principal_is_not_offered_the_admin_action(client, period, closure):
    slot, *_ = period
    principal = UserFactory(school=slot.school, role=Role.PRINCIPAL, is_staff=True)
    client.force_login(principal)
    url = reverse("admin:academics_holiday_changelist")

    listing = client.get(url).content.decode()
    client.post(url, {"action": "fill_h", "_selected_action": [closure.pk]})

    assert "Fill H for the selected closures" not in listing
    assert not AttendanceRecord.objects.exists()


# --- the edit window -----------------------------------------------------------------------


@pytest.fixture
def marked_period(period):
    """The period as marked on the day by its teacher: Adams present, Young absent."""
    slot, adams, young = period
    mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={adams.student_id: Status.PRESENT, young.student_id: Status.ABSENT},
        actor=slot.teacher,
        today=MONDAY,
    )
    return period


CORRECTION = {"reason": "Register mix-up"}


def test_the_teacher_may_still_correct_on_the_last_day_of_the_window(client, marked_period, today):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=WINDOW))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()
    response = client.post(mark_url(slot), {**all_present(adams, young), **CORRECTION})

    assert "Locked:" not in html
    assert response.status_code == 302
    assert AttendanceRecord.objects.get(student=young.student).status == Status.PRESENT


def test_after_the_window_the_teacher_sees_the_period_locked_and_read_only(
    client, marked_period, today
):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=WINDOW + 1))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()

    assert (
        "Locked: records older than 7 days can be changed by a head of department or an admin"
        in html
    )
    assert "Save attendance" not in html and "Mark all present" not in html
    assert radios(html, young) and all(disabled for _, _, disabled in radios(html, young))
    assert checked(html, young) == ["A"]  # what was saved, shown


def test_after_the_window_the_teachers_save_is_403_and_writes_nothing(client, marked_period, today):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=WINDOW + 1))
    client.force_login(slot.teacher)

    response = client.post(mark_url(slot), {**all_present(adams, young), **CORRECTION})

    assert response.status_code == 403
    assert "Locked: records older than 7 days" in response.content.decode()
    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT


def test_after_the_window_the_service_refuses_the_teacher(marked_period):
    slot, adams, young = marked_period

    with pytest.raises(RecordsLocked):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={young.student_id: Status.PRESENT},
            actor=slot.teacher,
            reason="late",
            today=MONDAY + datetime.timedelta(days=WINDOW + 1),
        )

    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT


def test_a_period_never_marked_is_locked_too(client, period, today):
    slot, adams, young = period
    today.set(MONDAY + datetime.timedelta(days=30))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()
    response = client.post(mark_url(slot), all_present(adams, young))

    assert "Locked:" in html and "not marked" in row_html(html, adams)
    assert response.status_code == 403
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("who", ["hod of the department", "admin"])
def test_after_the_window_an_hod_of_the_department_or_an_admin_corrects(
    client, marked_period, today, who
):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=90))
    user = (
        staff(slot.school, Role.HOD, "Mathematics")
        if who == "hod of the department"
        else UserFactory(school=slot.school, role=Role.ADMIN)
    )
    client.force_login(user)

    html = client.get(mark_url(slot)).content.decode()
    response = client.post(mark_url(slot), {**all_present(adams, young), **CORRECTION})

    assert "Locked:" not in html and "Save attendance" in html
    assert response.status_code == 302
    record = AttendanceRecord.objects.get(student=young.student)
    assert (record.status, record.modified_by, record.modification_reason) == (
        Status.PRESENT,
        user,
        "Register mix-up",
    )


def test_an_hod_still_needs_a_reason_to_correct(client, marked_period, today):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=90))
    client.force_login(staff(slot.school, Role.HOD, "Mathematics"))

    response = client.post(mark_url(slot), all_present(adams, young))

    assert response.status_code == 200
    assert "give a reason for the correction" in response.content.decode()
    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT


@pytest.mark.parametrize(
    ("hod_department", "teacher_department"),
    [("Science", "Mathematics"), ("", "Mathematics"), ("", "")],
)
def test_an_hod_of_another_department_is_refused(
    client, period, today, hod_department, teacher_department
):
    slot, adams, young = period
    slot.teacher.staff_profile.department = teacher_department
    slot.teacher.staff_profile.save()
    client.force_login(staff(slot.school, Role.HOD, hod_department))

    assert client.get(mark_url(slot)).status_code == 403
    assert client.post(mark_url(slot), all_present(adams, young)).status_code == 403
    assert not AttendanceRecord.objects.exists()
    with pytest.raises(MarkingNotAllowed):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={adams.student_id: Status.PRESENT},
            actor=UserFactory(school=slot.school, role=Role.HOD),
            today=MONDAY,
        )


def test_an_hods_periods_include_their_departments(client, period):
    slot, *_ = period
    TimetableSlotFactory(
        school_class=SchoolClassFactory(school=slot.school, name="Art 9A"),
        teacher=staff(slot.school, Role.TEACHER, "Arts"),
    )
    hod = staff(slot.school, Role.HOD, "Mathematics")
    client.force_login(hod)

    html = client.get(reverse("attendance:my_periods"), {"date": MONDAY}).content.decode()

    assert mark_url(slot) in html and "Ana Rivera" in html
    assert "Art 9A" not in html


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

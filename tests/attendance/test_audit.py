"""The corrections audit trail (docs/design/attendance.md, EC-ATT-04): a record's history page and
the school's "Recent corrections" list, with filters, CSV export, roles and school isolation."""

import csv
import datetime
import html as html_lib
import io
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from academics.models import Holiday, Role
from attendance.models import AttendanceRecord, Status
from attendance.services import fill_holiday, mark_attendance
from tests.academics.factories import (
    PASSWORD,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    SubjectFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026
UTC = datetime.UTC
CORRECTIONS = reverse("attendance:corrections")


def student_in(school_class, first_name, last_name):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, first_name=first_name, last_name=last_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile).student


def staff(school, role, first_name, last_name):
    return UserFactory(school=school, role=role, first_name=first_name, last_name=last_name)


def hill_school():
    """Hill School: Maths 9A period 3 on Mondays taught by Ana Rivera; Ali Adams and
    Yara Young in it; Omar Haddad the admin, Priya Nair the principal."""
    school = SchoolFactory(name="Hill School")
    teacher = staff(school, Role.TEACHER, "Ana", "Rivera")
    maths = SubjectFactory(school=school, name="Mathematics")
    school_class = SchoolClassFactory(school=school, name="Maths 9A", subject=maths)
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    return {
        "school": school,
        "teacher": teacher,
        "slot": slot,
        "adams": student_in(school_class, "Ali", "Adams"),
        "young": student_in(school_class, "Yara", "Young"),
        "admin": staff(school, Role.ADMIN, "Omar", "Haddad"),
        "principal": staff(school, Role.PRINCIPAL, "Priya", "Nair"),
    }


@pytest.fixture
def hill():
    return hill_school()


def mark(slot, actor, statuses, reason="", day=MONDAY):
    """Save a period through the marking service, as the marking screen does."""
    return mark_attendance(
        slot=slot,
        day=day,
        statuses={student.pk: status for student, status in statuses.items()},
        actor=actor,
        reason=reason,
        today=day,
    )


def record_of(student, slot, day=MONDAY):
    return AttendanceRecord.objects.get(student=student, date=day, subject=slot.subject)


def stamp_versions(record, *moments):
    """Give the record's versions (oldest first) fixed times, so pages can be read
    without depending on the clock."""
    versions = list(record.history.order_by("history_date", "history_id"))
    assert len(versions) == len(moments)
    for version, moment in zip(versions, moments, strict=True):
        type(version).objects.filter(history_id=version.history_id).update(history_date=moment)


def text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def trail(html: str) -> list[str]:
    block = html[html.index('id="audit-trail"') :]
    block = block[: block.index("</ol>")]
    return [text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def correction_rows(html: str) -> list[str]:
    return [text(row) for row in re.findall(r'<tr class="correction[^"]*">(.*?)</tr>', html, re.S)]


@pytest.fixture
def corrected_twice(hill):
    """Ali Adams marked P, corrected to A by his teacher, then to IL by the admin."""
    slot, teacher, admin = hill["slot"], hill["teacher"], hill["admin"]
    adams, young = hill["adams"], hill["young"]
    mark(slot, teacher, {adams: Status.PRESENT, young: Status.PRESENT})
    mark(
        slot,
        teacher,
        {adams: Status.ABSENT, young: Status.PRESENT},
        reason="Left after the register",
    )
    mark(
        slot,
        admin,
        {adams: Status.INFORMED_LEAVE, young: Status.PRESENT},
        reason="Parent phoned in: dentist",
    )
    record = record_of(adams, slot)
    stamp_versions(
        record,
        datetime.datetime(2026, 9, 7, 8, 5, tzinfo=UTC),
        datetime.datetime(2026, 9, 7, 9, 12, tzinfo=UTC),
        datetime.datetime(2026, 9, 8, 14, 40, tzinfo=UTC),
    )
    return record


# --- the trail, end to end -------------------------------------------------------------------


def test_a_corrected_record_keeps_who_and_why_and_every_old_value(hill, corrected_twice):
    record = corrected_twice
    record.refresh_from_db()
    assert (record.status, record.modified_by, record.modification_reason) == (
        Status.INFORMED_LEAVE,
        hill["admin"],
        "Parent phoned in: dentist",
    )
    old_to_new = [
        (v.status, v.history_user) for v in record.history.order_by("history_date", "history_id")
    ]
    assert old_to_new == [
        (Status.PRESENT, hill["teacher"]),
        (Status.ABSENT, hill["teacher"]),
        (Status.INFORMED_LEAVE, hill["admin"]),
    ]


def test_the_history_page_lists_every_version_oldest_first(client, hill, corrected_twice):
    client.force_login(hill["principal"])
    response = client.get(reverse("attendance:record_history", args=[corrected_twice.pk]))
    assert response.status_code == 200
    assert trail(response.content.decode()) == [
        "Marked P by Ana Rivera on 7 Sep 2026 08:05",
        "P → A by Ana Rivera on 7 Sep 2026 09:12 — Left after the register",
        "A → IL by Omar Haddad on 8 Sep 2026 14:40 — Parent phoned in: dentist",
    ]


def test_recent_corrections_lists_each_change_of_status_newest_first(client, hill, corrected_twice):
    client.force_login(hill["admin"])
    response = client.get(CORRECTIONS)
    assert response.status_code == 200
    page = response.content.decode()
    # Yara Young was saved P three times: never a change of status, so never listed; nor
    # is Ali's first mark.
    assert correction_rows(page) == [
        "8 Sep 2026 14:40 Omar Haddad Ali Adams Maths 9A · Mathematics Mon 7 Sep 2026 · P3 "
        "A → IL Parent phoned in: dentist History",
        "7 Sep 2026 09:12 Ana Rivera Ali Adams Maths 9A · Mathematics Mon 7 Sep 2026 · P3 "
        "P → A Left after the register History",
    ]
    history = reverse("attendance:record_history", args=[corrected_twice.pk])
    assert page.count(f'href="{history}"') == 2


def test_recent_corrections_page_newer_and_older_keeping_the_filter(
    client, hill, corrected_twice, monkeypatch
):
    monkeypatch.setattr("attendance.views.audit.CORRECTIONS_PAGE_SIZE", 1)
    client.force_login(hill["admin"])
    school_class = corrected_twice.school_class_id

    first = client.get(CORRECTIONS, {"school_class": school_class}).content.decode()
    second = client.get(CORRECTIONS, {"school_class": school_class, "page": 2}).content.decode()

    assert "A → IL" in correction_rows(first)[0] and "P → A" in correction_rows(second)[0]
    assert "Page 1 of 2" in first and "← Newer" not in first
    older = f'href="?school_class={school_class}&amp;page=2" rel="next"'
    assert older in first and 'hx-target="#corrections-table"' in first
    assert "Older →" in first and "← Newer" in second


def test_times_are_shown_in_the_schools_time_zone(client, hill, corrected_twice):
    hill["school"].timezone = "Asia/Kolkata"  # UTC+5:30, no daylight saving
    hill["school"].save()
    client.force_login(hill["principal"])
    history = client.get(reverse("attendance:record_history", args=[corrected_twice.pk]))
    assert trail(history.content.decode())[1].startswith("P → A by Ana Rivera on 7 Sep 2026 14:42")
    listing = client.get(CORRECTIONS)
    assert correction_rows(listing.content.decode())[0].startswith("8 Sep 2026 20:10 Omar Haddad")


def test_a_correction_in_the_admin_needs_a_reason_and_joins_the_trail(client, hill):
    slot, admin, adams = hill["slot"], hill["admin"], hill["adams"]
    mark(slot, hill["teacher"], {adams: Status.PRESENT})
    record = record_of(adams, slot)
    change = reverse("admin:attendance_attendancerecord_change", args=[record.pk])
    form = {
        "student": adams.pk,
        "school_class": record.school_class_id,
        "subject": record.subject_id,
        "slot": slot.pk,
        "date": MONDAY.isoformat(),
        "period_number": 3,
        "status": Status.ABSENT,
        "modification_reason": "",
    }
    client.force_login(admin)
    refused = client.post(change, form)
    assert refused.status_code == 200
    assert "modification_reason" in refused.context["adminform"].form.errors
    assert client.post(change, {**form, "modification_reason": "Seen leaving"}).status_code == 302

    rows = correction_rows(client.get(CORRECTIONS).content.decode())
    assert len(rows) == 1
    assert "Omar Haddad Ali Adams" in rows[0]
    assert "P → A Seen leaving" in rows[0]


def test_an_old_version_cannot_be_restored_from_the_admin_history(client, hill, corrected_twice):
    # A revert would change the status with no reason for the correction.
    first = corrected_twice.history.order_by("history_date", "history_id").first()
    revert = reverse(
        "admin:attendance_attendancerecord_simple_history",
        args=[corrected_twice.pk, first.history_id],
    )
    client.force_login(hill["admin"])
    assert client.get(revert).status_code == 200
    assert client.post(revert, {}).status_code == 403
    corrected_twice.refresh_from_db()
    assert corrected_twice.status == Status.INFORMED_LEAVE


# --- filters ---------------------------------------------------------------------------------


def with_physics(hill):
    """Besides Maths 9A (Ana Rivera), Physics 9B period 5 taught by Ben Cole. Ali is
    corrected in maths by Ana, Zoe in physics by the admin."""
    school, admin = hill["school"], hill["admin"]
    cole = staff(school, Role.TEACHER, "Ben", "Cole")
    physics = SchoolClassFactory(
        school=school, name="Physics 9B", subject=SubjectFactory(school=school, name="Physics")
    )
    physics_slot = TimetableSlotFactory(school_class=physics, teacher=cole, period_number=5)
    zoe = student_in(physics, "Zoe", "Park")
    mark(hill["slot"], hill["teacher"], {hill["adams"]: Status.PRESENT})
    mark(hill["slot"], hill["teacher"], {hill["adams"]: Status.ABSENT}, reason="Maths fix")
    mark(physics_slot, cole, {zoe: Status.ABSENT})
    mark(physics_slot, admin, {zoe: Status.PRESENT}, reason="Physics fix")
    return {**hill, "cole": cole, "physics": physics, "zoe": zoe}


@pytest.fixture
def two_classes(hill):
    return with_physics(hill)


def listed_reasons(client, **query) -> list[str]:
    """The Reason column of "Recent corrections", top to bottom."""
    page = client.get(CORRECTIONS, query).content.decode()
    rows = re.findall(r'<tr class="correction[^"]*">(.*?)</tr>', page, re.S)
    return [text(re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)[6]) for row in rows]


def test_corrections_filter_by_class(client, two_classes):
    client.force_login(two_classes["principal"])
    assert listed_reasons(client) == ["Physics fix", "Maths fix"]
    assert listed_reasons(client, school_class=two_classes["physics"].pk) == ["Physics fix"]
    assert listed_reasons(client, school_class=two_classes["slot"].school_class_id) == ["Maths fix"]


def test_corrections_filter_by_who_made_the_change_or_the_periods_teacher(client, two_classes):
    client.force_login(two_classes["principal"])
    assert listed_reasons(client, changed_by=two_classes["admin"].pk) == ["Physics fix"]
    assert listed_reasons(client, changed_by=two_classes["teacher"].pk) == ["Maths fix"]
    assert listed_reasons(client, changed_by=two_classes["cole"].pk) == []
    # The admin corrected the physics period, whose teacher is Ben Cole.
    assert listed_reasons(client, slot_teacher=two_classes["cole"].pk) == ["Physics fix"]


def test_corrections_filter_by_the_school_local_day_of_the_change(client, two_classes):
    school = two_classes["school"]
    school.timezone = "Asia/Kolkata"
    school.save()
    maths = record_of(two_classes["adams"], two_classes["slot"])
    physics = AttendanceRecord.objects.get(student=two_classes["zoe"])
    # 20:00 UTC on 7 Sep is 01:30 on 8 Sep in Kolkata: a change of 8 Sep there.
    stamp_versions(
        maths,
        datetime.datetime(2026, 9, 7, 6, 0, tzinfo=UTC),
        datetime.datetime(2026, 9, 7, 20, 0, tzinfo=UTC),
    )
    stamp_versions(
        physics,
        datetime.datetime(2026, 9, 7, 6, 0, tzinfo=UTC),
        datetime.datetime(2026, 9, 9, 10, 0, tzinfo=UTC),
    )
    client.force_login(two_classes["principal"])
    assert listed_reasons(client, changed_from="2026-09-08", changed_to="2026-09-08") == [
        "Maths fix"
    ]
    assert listed_reasons(client, changed_to="2026-09-07") == []
    assert listed_reasons(client, changed_from="2026-09-09") == ["Physics fix"]
    assert listed_reasons(client, changed_from="2026-09-08") == ["Physics fix", "Maths fix"]


def test_a_backwards_date_range_is_explained_not_a_crash(client, two_classes):
    client.force_login(two_classes["principal"])
    response = client.get(CORRECTIONS, {"changed_from": "2026-09-09", "changed_to": "2026-09-01"})
    assert response.status_code == 200
    assert "Must not be before" in response.content.decode()
    assert len(correction_rows(response.content.decode())) == 2  # the bad end is left out


def test_a_page_holds_fifty_corrections_and_the_rest_follow(client, hill):
    slot, teacher = hill["slot"], hill["teacher"]
    students = [hill["adams"], hill["young"]] + [
        student_in(slot.school_class, "Kid", f"Number{n:02}") for n in range(53)
    ]
    mark(slot, teacher, dict.fromkeys(students, Status.PRESENT))
    mark(slot, teacher, dict.fromkeys(students, Status.ABSENT), reason="Fire drill roll call")
    client.force_login(hill["principal"])
    first = client.get(CORRECTIONS)
    second = client.get(CORRECTIONS, {"page": 2})
    assert len(correction_rows(first.content.decode())) == 50
    assert len(correction_rows(second.content.decode())) == 5
    assert "55 corrections" in text(first.content.decode())


# --- CSV -------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="corrections-')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_holds_the_filtered_corrections_with_a_header(client, two_classes):
    client.force_login(two_classes["admin"])
    response = client.get(CORRECTIONS, {"format": "csv", "school_class": two_classes["physics"].pk})
    header, *rows = read_csv(response)
    assert header[:10] == [
        "Changed at",
        "Changed by",
        "Student",
        "Class",
        "Subject",
        "Date",
        "Period",
        "Old status",
        "New status",
        "Reason",
    ]
    assert len(rows) == 1
    assert rows[0][1:10] == [
        "Omar Haddad",
        "Zoe Park",
        "Physics 9B",
        "Physics",
        "2026-09-07",
        "5",
        "A",
        "P",
        "Physics fix",
    ]


def test_the_csv_is_utf8_and_a_reason_cannot_run_as_a_spreadsheet_formula(client, hill):
    slot = hill["slot"]
    noemie = student_in(slot.school_class, "Noémie", "Núñez")
    mark(slot, hill["teacher"], {noemie: Status.PRESENT})
    mark(slot, hill["teacher"], {noemie: Status.ABSENT}, reason='=HYPERLINK("x") — élève')
    client.force_login(hill["principal"])
    _, row = read_csv(client.get(CORRECTIONS, {"format": "csv"}))
    assert row[2] == "Noémie Núñez"
    assert row[9] == '\'=HYPERLINK("x") — élève'


def test_the_csv_is_not_cut_to_one_page(client, hill):
    slot, teacher = hill["slot"], hill["teacher"]
    students = [student_in(slot.school_class, "Kid", f"Number{n:02}") for n in range(52)]
    mark(slot, teacher, dict.fromkeys(students, Status.PRESENT))
    mark(slot, teacher, dict.fromkeys(students, Status.UNINFORMED_LEAVE), reason="Bunked")
    client.force_login(hill["principal"])
    _, *rows = read_csv(client.get(CORRECTIONS, {"format": "csv"}))
    assert len(rows) == 52


# --- who may read it -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.HOD, Role.TEACHER, Role.ACCOUNTANT, Role.STUDENT])
def test_only_principal_and_admin_may_read_the_trail(client, hill, corrected_twice, role):
    client.force_login(UserFactory(school=hill["school"], role=role))
    history = reverse("attendance:record_history", args=[corrected_twice.pk])
    assert client.get(history).status_code == 403
    assert client.get(CORRECTIONS).status_code == 403
    assert client.get(CORRECTIONS, {"format": "csv"}).status_code == 403


def test_the_slots_own_teacher_may_not_read_the_trail(client, hill, corrected_twice):
    client.force_login(hill["teacher"])
    history = reverse("attendance:record_history", args=[corrected_twice.pk])
    assert client.get(history).status_code == 403


@pytest.mark.parametrize("reader", ["principal", "admin"])
def test_principal_and_admin_read_the_trail(client, hill, corrected_twice, reader):
    client.force_login(hill[reader])
    history = reverse("attendance:record_history", args=[corrected_twice.pk])
    assert client.get(history).status_code == 200
    assert client.get(CORRECTIONS).status_code == 200


def test_a_visitor_is_sent_to_sign_in(client, corrected_twice):
    response = client.get(CORRECTIONS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_schools_record_is_not_found_and_its_corrections_not_listed(
    client, hill, corrected_twice
):
    other = SchoolFactory(name="Vale School")
    other_admin = staff(other, Role.ADMIN, "Vera", "Vale")
    other_principal = staff(other, Role.PRINCIPAL, "Paul", "Vale")
    other_slot = TimetableSlotFactory(school_class__school=other, teacher=other_admin)
    kim = student_in(other_slot.school_class, "Kim", "Lee")
    mark(other_slot, other_admin, {kim: Status.PRESENT})
    mark(other_slot, other_admin, {kim: Status.ABSENT}, reason="Vale's own fix")

    client.force_login(other_principal)
    assert (
        client.get(reverse("attendance:record_history", args=[corrected_twice.pk])).status_code
        == 404
    )
    rows = correction_rows(client.get(CORRECTIONS).content.decode())
    assert len(rows) == 1 and "Vale's own fix" in rows[0]
    _, *csv_rows = read_csv(client.get(CORRECTIONS, {"format": "csv"}))
    assert [row[2] for row in csv_rows] == ["Kim Lee"]
    # Filtering by Hill's class from Vale is refused by the form, not answered.
    response = client.get(CORRECTIONS, {"school_class": hill["slot"].school_class_id})
    assert "Ali Adams" not in response.content.decode()

    client.force_login(hill["principal"])
    assert "Vale's own fix" not in client.get(CORRECTIONS).content.decode()


# --- queries ---------------------------------------------------------------------------------


def correct_students(hill, count):
    slot, teacher = hill["slot"], hill["teacher"]
    students = [student_in(slot.school_class, "Kid", f"Number{n:02}") for n in range(count)]
    mark(slot, teacher, dict.fromkeys(students, Status.PRESENT))
    mark(slot, hill["admin"], dict.fromkeys(students, Status.ABSENT), reason="Recount")


@pytest.mark.parametrize("count", [1, 12])
def test_recent_corrections_take_the_same_queries_for_any_number_of_rows(
    client, hill, django_assert_num_queries, count
):
    correct_students(hill, count)
    client.force_login(hill["principal"])
    # 1 session, 2 user, 3 the user's school, 4 COUNT(*) of corrections, 5 the page of
    # corrections with the previous status (a subquery), the record's orphaned flag,
    # student, class, subject and who joined in; 6-8 the choices of the class, changed-by
    # and period's-teacher filters.
    with django_assert_num_queries(8):
        response = client.get(CORRECTIONS)
    assert len(correction_rows(response.content.decode())) == count


@pytest.mark.parametrize("count", [1, 12])
def test_the_csv_takes_the_same_queries_for_any_number_of_rows(
    client, hill, django_assert_num_queries, count
):
    correct_students(hill, count)
    client.force_login(hill["principal"])
    # 1 session, 2 user, 3 the user's school, 4 every correction with its joins.
    with django_assert_num_queries(4):
        response = client.get(CORRECTIONS, {"format": "csv"})
    assert len(read_csv(response)) == count + 1


@pytest.mark.parametrize("corrections", [1, 6])
def test_the_history_page_takes_the_same_queries_for_any_number_of_versions(
    client, hill, django_assert_num_queries, corrections
):
    slot, teacher, adams = hill["slot"], hill["teacher"], hill["adams"]
    mark(slot, teacher, {adams: Status.PRESENT})
    for n in range(corrections):
        status = Status.ABSENT if n % 2 == 0 else Status.PRESENT
        mark(slot, teacher, {adams: status}, reason=f"Fix {n}")
    record = record_of(adams, slot)
    client.force_login(hill["principal"])
    # 1 session, 2 user, 3 the record with student, class, subject, slot, teacher, marked
    # and modified by, 4 the user's school, 5 every version with who saved it.
    with django_assert_num_queries(5):
        response = client.get(reverse("attendance:record_history", args=[record.pk]))
    assert len(trail(response.content.decode())) == corrections + 1


# --- in the browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_principal_filters_corrections_by_class_and_opens_a_history(live_server, page):
    hill = with_physics(hill_school())

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(hill["principal"].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Corrections").click()

    expect(page.get_by_role("heading", name="Recent corrections")).to_be_visible()
    table = page.locator("#corrections-table")
    expect(table.locator("tr.correction")).to_have_count(2)
    page.get_by_label("Class").select_option(label="Physics 9B")
    expect(table.locator("tr.correction")).to_have_count(1)
    expect(table).to_contain_text("Zoe Park")
    expect(page).to_have_url(re.compile(r"school_class=\d+"))

    table.get_by_role("link", name="History").click()
    expect(page.locator("#audit-trail li")).to_have_count(2)
    expect(page.locator("#audit-trail")).to_contain_text("A → P by Omar Haddad")
    expect(page.locator("#audit-trail")).to_contain_text("Physics fix")


# --- kinds of change -------------------------------------------------------------------------


@pytest.fixture
def mixed_changes(hill):
    """One real correction (Adams P → A), two staff-absent periods resolved to P and two
    saved statuses overwritten by a closure (→ H)."""
    slot, teacher, admin = hill["slot"], hill["teacher"], hill["admin"]
    adams, young = hill["adams"], hill["young"]
    mark(slot, teacher, {adams: Status.PRESENT, young: Status.PRESENT})
    mark(slot, teacher, {adams: Status.ABSENT, young: Status.PRESENT}, reason="Left early")
    week_two = MONDAY + datetime.timedelta(days=7)
    for student in (adams, young):
        membership = student.memberships.get()
        AttendanceRecordFactory(
            membership=membership,
            subject=slot.subject,
            period_number=slot.period_number,
            slot=slot,
            date=week_two,
            status=Status.STAFF_ABSENT,
            marked_by=None,
        )
    mark(slot, admin, {adams: Status.PRESENT, young: Status.PRESENT}, day=week_two)
    week_three = MONDAY + datetime.timedelta(days=14)
    mark(slot, teacher, {adams: Status.PRESENT, young: Status.PRESENT}, day=week_three)
    fill_holiday(
        holiday=Holiday.objects.create(
            school=hill["school"], name="Flooding", start_date=week_three, end_date=week_three
        )
    )
    return hill


def kind_links(html: str) -> dict[str, str]:
    return {
        kind: text(label)
        for kind, label in re.findall(r'data-kind="([\w-]+)"[^>]*>(.*?)</a>', html, re.S)
    }


def test_recent_corrections_show_peoples_corrections_first_with_counts_per_kind(
    client, mixed_changes
):
    client.force_login(mixed_changes["principal"])

    html = client.get(CORRECTIONS).content.decode()

    rows = correction_rows(html)
    assert len(rows) == 1 and "P → A" in rows[0] and "Left early" in rows[0]
    assert kind_links(html) == {
        "correction": "Corrections (1)",
        "staff-absent": "Staff-absent resolutions (2)",
        "closure": "Closures (2)",
        "all": "All (5)",
    }


@pytest.mark.parametrize(
    ("kind", "change", "count"),
    [("staff-absent", "SA → P", 2), ("closure", "P → H", 2), ("all", "→", 5)],
)
def test_recent_corrections_filter_by_kind_in_the_query_string(
    client, mixed_changes, kind, change, count
):
    client.force_login(mixed_changes["principal"])

    html = client.get(f"{CORRECTIONS}?kind={kind}").content.decode()

    rows = correction_rows(html)
    assert len(rows) == count and all(change in row for row in rows)
    assert f'data-kind="{kind}" aria-current="page"' in html

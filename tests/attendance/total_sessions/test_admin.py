"""Admin → Attendance → Student total sessions (docs/design/total-sessions.md, "Admin Panel
Management"): the change list with its inline (htmx) total editor, the add/change/delete forms, and
the same rules and messages as the teacher's edit, because every write goes through
`services.total_sessions`."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.urls import reverse

from academics.models import Role
from attendance.models import Status, TotalSessionsOverride
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentProfileFactory,
    SubjectFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

pytestmark = pytest.mark.django_db

JOINED = datetime.date(2026, 9, 1)


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:attendance_totalsessionsoverride_{view}", args=args)


def edit_url(override) -> str:
    return admin_url("total_sessions_edit", override.pk)


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def school():
    return SchoolFactory(name="Nile Academy")


@pytest.fixture
def school_admin(school):
    return UserFactory(
        school=school, role=Role.ADMIN, username="office", first_name="Omar", last_name="Office"
    )


@pytest.fixture
def principal(school):
    return UserFactory(school=school, role=Role.PRINCIPAL, is_staff=True, username="head")


@pytest.fixture
def maths(school):
    return SchoolClassFactory(
        school=school,
        name="Maths 9A",
        code="MTH-9A",
        subject=SubjectFactory(school=school, name="Mathematics"),
    )


@pytest.fixture
def ali(school):
    student = UserFactory(school=school, role=Role.STUDENT, first_name="Ali", last_name="Adams")
    profile = student.student_profile
    profile.student_number = "S-1001"
    profile.save()
    return profile


@pytest.fixture
def ali_in_maths(ali, maths):
    """Ali joined Maths 9A on 1 Sep: three countable records since (P, A, IL), and four
    records that don't count — one from before he joined, an OD, an NM and an orphan."""
    membership = MembershipFactory(student=ali, school_class=maths, joined_on=JOINED)
    for day, status, orphaned in (
        (2, Status.PRESENT, False),
        (3, Status.ABSENT, False),
        (4, Status.INFORMED_LEAVE, False),
        (7, Status.ON_DUTY, False),
        (8, Status.NOT_MARKED, False),
        (9, Status.PRESENT, True),
    ):
        AttendanceRecordFactory(
            membership=membership,
            date=datetime.date(2026, 9, day),
            period_number=1,
            status=status,
            is_orphaned=orphaned,
        )
    AttendanceRecordFactory(membership=membership, date=datetime.date(2026, 8, 28), period_number=1)
    return membership


ALI_ACTUAL = 3


@pytest.fixture
def ali_total(ali_in_maths):
    teacher = UserFactory(school=ali_in_maths.school, role=Role.TEACHER, first_name="Tia")
    return TotalSessionsOverrideFactory(
        membership=ali_in_maths, total_sessions=40, created_by=teacher, updated_by=teacher
    )


def other_schools_total():
    other = SchoolFactory(name="Other School")
    return TotalSessionsOverrideFactory(
        membership=MembershipFactory(school_class=SchoolClassFactory(school=other, name="Far"))
    )


def add_form(**fields) -> dict[str, str]:
    return {"subject": "", **{k: str(v) for k, v in fields.items()}}


def listed(response) -> list[TotalSessionsOverride]:
    return list(response.context["cl"].result_list)


# --- the change list ---------------------------------------------------------------------


def test_change_list_shows_each_total_with_its_actual_records_and_who_set_it(
    client, school_admin, ali_total
):
    other_schools_total()
    client.force_login(school_admin)
    response = client.get(admin_url("changelist"))
    assert response.status_code == 200
    assert listed(response) == [ali_total]
    html = response.content.decode()
    assert '<td class="field-subject_display">All subjects</td>' in html
    # The actual column counts only countable records since Ali joined.
    assert f'<span id="ts-actual-{ali_total.pk}">{ALI_ACTUAL}</span>' in html
    assert f'<span id="ts-updated-by-{ali_total.pk}">{ali_total.updated_by}</span>' in html
    assert f'<td class="field-created_by nowrap">{ali_total.created_by}</td>' in html
    # The total is a link that opens its inline editor.
    assert f'hx-get="{edit_url(ali_total)}"' in html
    # The page loads htmx and sends the CSRF token as a header.
    assert "django_htmx/htmx-2.min.js" in html and "attendance/admin_total_sessions.js" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_a_per_subject_total_shows_its_subject_and_counts_only_that_subject(
    client, school_admin, ali_in_maths
):
    physics = SubjectFactory(school=ali_in_maths.school, name="Physics")
    AttendanceRecordFactory(
        membership=ali_in_maths, subject=physics, date=datetime.date(2026, 9, 2), period_number=2
    )
    physics_total = TotalSessionsOverrideFactory(
        membership=ali_in_maths, subject=physics, total_sessions=5
    )
    whole_class = TotalSessionsOverrideFactory(membership=ali_in_maths, total_sessions=20)
    client.force_login(school_admin)
    html = client.get(admin_url("changelist")).content.decode()
    assert '<td class="field-subject_display">Physics</td>' in html
    assert f'<span id="ts-actual-{physics_total.pk}">1</span>' in html
    assert f'<span id="ts-actual-{whole_class.pk}">{ALI_ACTUAL + 1}</span>' in html


def add_totals_in_their_own_classes(school, count: int) -> None:
    for _ in range(count):
        membership = MembershipFactory(
            school_class=SchoolClassFactory(school=school), joined_on=JOINED
        )
        AttendanceRecordFactory(membership=membership, date=datetime.date(2026, 9, 2))
        TotalSessionsOverrideFactory(membership=membership, total_sessions=30)


@pytest.mark.parametrize("totals", [3, 20])
def test_change_list_queries_do_not_grow_with_totals(
    client, school, school_admin, django_assert_num_queries, totals
):
    # Each total in a class of its own, so a count per class would show too.
    add_totals_in_their_own_classes(school, totals)
    client.force_login(school_admin)
    # 1 session, 2 user, 3-4 class and subject filter choices, 5-6 filtered and full count,
    # 7-8 user and group permissions (the sidebar asks Django's own Group admin), 9 the
    # page with student+user, class, subject, created_by, updated_by and school joined in
    # and the actual records as one correlated subquery, 10-11 date hierarchy (min/max,
    # then the days).
    with django_assert_num_queries(11):
        response = client.get(admin_url("changelist"))
    assert len(listed(response)) == totals


@pytest.mark.parametrize("term", ["Adams", "S-1001", "Maths 9A", "MTH-9A"])
def test_search_finds_a_total_by_student_name_or_number_and_class_name_or_code(
    client, school, school_admin, ali_total, term
):
    bea = UserFactory(school=school, role=Role.STUDENT, first_name="Bea", last_name="Brown")
    TotalSessionsOverrideFactory(
        membership=MembershipFactory(
            student=bea.student_profile,
            school_class=SchoolClassFactory(school=school, name="Art", code="ART-1"),
        )
    )
    client.force_login(school_admin)
    assert listed(client.get(admin_url("changelist"), {"q": term})) == [ali_total]


def test_class_filter_offers_only_the_schools_classes_and_narrows_the_list(
    client, school, school_admin, ali_total
):
    art = SchoolClassFactory(school=school, name="Art")
    art_total = TotalSessionsOverrideFactory(membership=MembershipFactory(school_class=art))
    far_away = other_schools_total().school_class
    client.force_login(school_admin)
    response = client.get(admin_url("changelist"))
    class_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.title == "school class"
    )
    offered = {label for _, label in class_filter.lookup_choices}
    assert offered == {"Art", "Maths 9A"}
    assert far_away.name not in offered

    response = client.get(admin_url("changelist"), {"school_class__id__exact": art.pk})
    assert listed(response) == [art_total]


def test_subject_filter_separates_whole_class_totals_from_per_subject_ones(
    client, school_admin, ali_in_maths
):
    physics = SubjectFactory(school=ali_in_maths.school, name="Physics")
    physics_total = TotalSessionsOverrideFactory(membership=ali_in_maths, subject=physics)
    whole_class = TotalSessionsOverrideFactory(membership=ali_in_maths)
    client.force_login(school_admin)
    assert listed(client.get(admin_url("changelist"), {"subject__id__exact": physics.pk})) == [
        physics_total
    ]
    assert listed(client.get(admin_url("changelist"), {"subject__isnull": "True"})) == [whole_class]


# --- add, change, delete through the forms ----------------------------------------------


def test_adding_a_total_below_the_actual_records_is_refused_and_saves_nothing(
    client, school_admin, ali, maths, ali_in_maths
):
    client.force_login(school_admin)
    response = client.post(
        admin_url("add"), add_form(student=ali.pk, school_class=maths.pk, total_sessions=2)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["total_sessions"] == [
        f"Total sessions cannot be less than actual records ({ALI_ACTUAL})"
    ]
    assert "Total sessions cannot be less than actual records" in response.content.decode()
    assert not TotalSessionsOverride.objects.exists()


@pytest.mark.parametrize("typed", ["abc", "-1", "2.5", ""])
def test_adding_a_total_that_is_not_a_whole_number_is_refused(
    client, school_admin, ali, maths, ali_in_maths, typed
):
    client.force_login(school_admin)
    response = client.post(
        admin_url("add"), add_form(student=ali.pk, school_class=maths.pk, total_sessions=typed)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["total_sessions"] == [
        "Must be a valid positive number"
    ]
    assert not TotalSessionsOverride.objects.exists()


def test_adding_a_total_for_a_student_who_is_not_in_the_class_is_refused(
    client, school, school_admin, maths
):
    outsider = StudentProfileFactory(school=school)
    client.force_login(school_admin)
    response = client.post(
        admin_url("add"), add_form(student=outsider.pk, school_class=maths.pk, total_sessions=9)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["student"] == [f"{outsider} is not in {maths}"]
    assert not TotalSessionsOverride.objects.exists()


def test_records_from_before_the_student_joined_do_not_raise_the_minimum(
    client, school_admin, ali, maths, ali_in_maths
):
    # Four countable records of Ali's in the class, one of them before he joined (EC-ATT-01).
    client.force_login(school_admin)
    response = client.post(
        admin_url("add"),
        add_form(student=ali.pk, school_class=maths.pk, total_sessions=ALI_ACTUAL),
    )
    assert response.status_code == 302
    assert TotalSessionsOverride.objects.get().total_sessions == ALI_ACTUAL


def test_adding_a_total_sets_created_and_updated_by_and_a_history_row(
    client, school_admin, ali, maths, ali_in_maths
):
    client.force_login(school_admin)
    response = client.post(
        admin_url("add"), add_form(student=ali.pk, school_class=maths.pk, total_sessions=45)
    )
    assert response.status_code == 302
    override = TotalSessionsOverride.objects.get()
    assert (override.school, override.total_sessions) == (maths.school, 45)
    assert (override.created_by, override.updated_by) == (school_admin, school_admin)
    (version,) = override.history.all()
    assert (version.history_type, version.history_user, version.total_sessions) == (
        "+",
        school_admin,
        45,
    )


def test_adding_a_second_total_for_the_same_student_and_class_is_refused(
    client, school_admin, ali, maths, ali_total
):
    client.force_login(school_admin)
    response = client.post(
        admin_url("add"), add_form(student=ali.pk, school_class=maths.pk, total_sessions=50)
    )
    assert response.status_code == 200
    assert "already has a total" in response.context["adminform"].form.errors["student"][0]
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 40
    assert TotalSessionsOverride.objects.count() == 1


def test_the_change_form_shows_who_created_and_updated_the_total_read_only(
    client, school_admin, ali_total
):
    client.force_login(school_admin)
    response = client.get(admin_url("change", ali_total.pk))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"created_by", "updated_by", "student", "school_class"}.isdisjoint(form.fields)
    html = response.content.decode()
    assert str(ali_total.created_by) in html
    assert f"{ALI_ACTUAL} countable records since joining the class" in html


def test_editing_a_total_in_the_change_form_records_the_editor(client, school_admin, ali_total):
    creator = ali_total.created_by
    client.force_login(school_admin)
    response = client.post(admin_url("change", ali_total.pk), {"total_sessions": "55"})
    assert response.status_code == 302
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 55
    assert (ali_total.created_by, ali_total.updated_by) == (creator, school_admin)
    latest = ali_total.history.first()
    assert (latest.history_type, latest.history_user, latest.total_sessions) == (
        "~",
        school_admin,
        55,
    )


def test_editing_a_total_below_the_actual_records_is_refused(client, school_admin, ali_total):
    client.force_login(school_admin)
    response = client.post(admin_url("change", ali_total.pk), {"total_sessions": "1"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["total_sessions"] == [
        f"Total sessions cannot be less than actual records ({ALI_ACTUAL})"
    ]
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 40


def test_deleting_a_total_keeps_a_history_row_with_who_deleted_it(client, school_admin, ali_total):
    client.force_login(school_admin)
    response = client.post(admin_url("delete", ali_total.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not TotalSessionsOverride.objects.exists()
    deleted = TotalSessionsOverride.history.filter(id=ali_total.pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", school_admin)


def test_deleting_selected_totals_records_who_deleted_each(client, school, school_admin, ali_total):
    second = TotalSessionsOverrideFactory(
        membership=MembershipFactory(school_class=SchoolClassFactory(school=school))
    )
    client.force_login(school_admin)
    response = client.post(
        admin_url("changelist"),
        {"action": "delete_selected", "_selected_action": [ali_total.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not TotalSessionsOverride.objects.exists()
    deletions = TotalSessionsOverride.history.filter(history_type="-")
    assert sorted(d.id for d in deletions) == sorted([ali_total.pk, second.pk])
    assert {d.history_user for d in deletions} == {school_admin}


def test_reverting_a_total_from_its_history_is_refused(client, school_admin, ali_total):
    old_version = ali_total.history.first()
    client.force_login(school_admin)
    assert client.get(admin_url("history", ali_total.pk)).status_code == 200
    url = reverse(
        "admin:attendance_totalsessionsoverride_simple_history",
        args=[ali_total.pk, old_version.history_id],
    )
    assert client.post(url, {"total_sessions": "1"}).status_code == 403
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 40


# --- inline edit in the change list (htmx) -----------------------------------------------


def test_clicking_a_total_gets_its_input(
    client, school_admin, ali_total, django_assert_num_queries
):
    client.force_login(school_admin)
    # 1 session, 2 user, 3 the total with student+user, class, subject, updated_by and its
    # actual records.
    with django_assert_num_queries(3):
        response = client.get(edit_url(ali_total), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="ts-total-{ali_total.pk}"' in html
    assert 'name="total_sessions" value="40"' in html
    assert f'hx-post="{edit_url(ali_total)}"' in html


def test_escape_gets_the_saved_total_back(client, school_admin, ali_total):
    client.force_login(school_admin)
    response = client.get(admin_url("total_sessions", ali_total.pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="ts-total-{ali_total.pk}"' in html and ">40</a>" in html
    assert "<input" not in html


def test_saving_a_total_inline_answers_the_new_cell_and_records_the_change(
    client, school_admin, ali_total
):
    client.force_login(school_admin)
    response = client.post(edit_url(ali_total), {"total_sessions": "45"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert ">45</a>" in html and "<input" not in html
    # The row's actual and updated-by cells are refreshed out of band.
    assert f'<span id="ts-updated-by-{ali_total.pk}" hx-swap-oob="true">Omar Office</span>' in html
    assert f'<span id="ts-actual-{ali_total.pk}" hx-swap-oob="true">{ALI_ACTUAL}</span>' in html
    ali_total.refresh_from_db()
    assert (ali_total.total_sessions, ali_total.updated_by) == (45, school_admin)
    latest = ali_total.history.first()
    assert (latest.history_user, latest.total_sessions) == (school_admin, 45)
    entry = LogEntry.objects.get(object_id=str(ali_total.pk))
    assert (entry.user, entry.action_flag) == (school_admin, CHANGE)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2", f"Total sessions cannot be less than actual records ({ALI_ACTUAL})"),
        ("abc", "Must be a valid positive number"),
        ("", "Must be a valid positive number"),
    ],
)
def test_an_invalid_inline_total_shows_the_input_again_with_the_error(
    client, school_admin, ali_total, typed, message
):
    versions = ali_total.history.count()
    client.force_login(school_admin)
    response = client.post(edit_url(ali_total), {"total_sessions": typed}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'role="alert">{message}</span>' in html
    assert f'name="total_sessions" value="{typed}"' in html
    assert 'aria-invalid="true"' in html
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 40
    assert ali_total.history.count() == versions


def test_a_principal_sees_totals_but_cannot_edit_them_inline(client, principal, ali_total):
    client.force_login(principal)
    response = client.get(admin_url("changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="field-total_sessions">40</td>' in html
    assert edit_url(ali_total) not in html
    assert client.get(edit_url(ali_total), **HTMX).status_code == 403
    assert client.post(edit_url(ali_total), {"total_sessions": "45"}, **HTMX).status_code == 403
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 40


def test_another_schools_total_is_not_found(client, school_admin, ali_total):
    theirs = other_schools_total()
    client.force_login(school_admin)
    assert client.get(edit_url(theirs), **HTMX).status_code == 404
    assert client.get(admin_url("total_sessions", theirs.pk), **HTMX).status_code == 404
    assert client.post(edit_url(theirs), {"total_sessions": "45"}, **HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.total_sessions == 10


def test_a_teacher_cannot_reach_the_inline_editor(client, school, ali_total):
    teacher = UserFactory(school=school, role=Role.TEACHER)
    client.force_login(teacher)
    response = client.post(edit_url(ali_total), {"total_sessions": "45"}, **HTMX)
    assert response.status_code == 302  # to the admin's sign-in
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 40


def test_an_inline_save_needs_the_csrf_token_which_the_header_carries(school_admin, ali_total):
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)
    assert client.post(edit_url(ali_total), {"total_sessions": "45"}, **HTMX).status_code == 403

    page = client.get(admin_url("changelist"))
    token = page.context["csrf_token"]
    response = client.post(
        edit_url(ali_total), {"total_sessions": "45"}, HTTP_X_CSRFTOKEN=str(token), **HTMX
    )
    assert response.status_code == 200
    ali_total.refresh_from_db()
    assert ali_total.total_sessions == 45

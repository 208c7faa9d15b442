"""Total sessions on the attendance list (docs/design/total-sessions.md): the inline edit,
its no-JS page, "Use actual", "Bulk Update Sessions", who may do what.

The JSON endpoint is tested in test_api.py, the service's own rules in test_service.py.
"""

import re

import pytest
from django.urls import reverse

from academics.models import Role
from attendance.models import Status, TotalSessionsOverride
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import TotalSessionsOverrideFactory

from .support import (
    BELOW_ACTUAL,
    HTMX,
    NOT_A_NUMBER,
    clear_url,
    edit_url,
    give_records,
    override_of,
    row_url,
    student_in,
    text,
)

pytestmark = pytest.mark.django_db


# --- the inline edit (htmx) -----------------------------------------------------------------


def test_clicking_a_total_opens_an_input_holding_the_current_total(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.get(edit_url(adams), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="membership-{adams.pk}"')
    assert re.search(r'<input id="ts-input-\d+" name="total_sessions" value="3"', html)
    assert "autofocus" in html
    assert "Use actual" not in html  # nothing to clear yet


def test_saving_a_total_answers_the_row_with_the_new_percentage_and_the_actual_hint(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": "10"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    row = html[: html.index("</tr>")]
    assert html.lstrip().startswith(f'<tr id="membership-{adams.pk}"')
    assert text(row) == "Ali Adams Maths 9A 2 10 (3 actual) 66.7% 20.0% of 10"
    assert 'name="total_sessions"' not in html  # the input is gone
    assert 'hx-swap-oob="innerHTML"' in html and "Total sessions updated for Ali Adams" in html
    override = override_of(adams)
    assert (override.total_sessions, override.updated_by) == (10, teacher)


def test_a_total_below_the_actual_records_keeps_the_input_open_with_the_seeds_message(
    client, maths
):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": "2"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="total_sessions" value="2"' in html
    assert f"{BELOW_ACTUAL} (3)" in html
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert override_of(adams) is None


@pytest.mark.parametrize("typed", ["abc", "-5", "2.5", "", "  ", "1,5"])
def test_a_value_that_is_not_a_whole_number_keeps_the_input_open(client, maths, typed):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": typed}, headers=HTMX)

    assert response.status_code == 200
    assert NOT_A_NUMBER in response.content.decode()
    assert 'name="total_sessions"' in response.content.decode()
    assert override_of(adams) is None


def test_use_actual_removes_the_override_and_the_row_counts_the_records_again(client, maths):
    school_class, teacher, adams, young = maths
    TotalSessionsOverrideFactory(membership=adams, total_sessions=40)
    client.force_login(teacher)

    opened = client.get(edit_url(adams), headers=HTMX).content.decode()
    response = client.post(clear_url(adams), headers=HTMX)

    assert "Use actual (3)" in opened
    html = response.content.decode()
    assert text(html[: html.index("</tr>")]) == "Ali Adams Maths 9A 2 3 66.7%"
    assert "Total sessions updated: using actual records" in html
    assert override_of(adams) is None


def test_cancel_answers_the_row_as_saved(client, maths):
    school_class, teacher, adams, young = maths
    TotalSessionsOverrideFactory(membership=adams, total_sessions=40)
    client.force_login(teacher)

    html = client.get(row_url(adams), headers=HTMX).content.decode()

    row = text(html[: html.index("</tr>")])
    assert row == "Ali Adams Maths 9A 2 40 (3 actual) 66.7% 5.0% of 40"


# --- without JS: a link to an edit page -----------------------------------------------------


def test_without_htmx_the_total_links_to_an_edit_page_that_saves_and_returns_to_the_list(
    client, maths
):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)
    list_path = f"{reverse('attendance:list')}?school_class={school_class.pk}&page=1"

    listing = client.get(list_path).content.decode()
    link = re.search(rf'<a href="({re.escape(edit_url(adams))}\?next=[^"]+)"', listing)
    page = client.get(link.group(1).replace("&amp;", "&"))
    saved = client.post(edit_url(adams), {"total_sessions": "12", "next": list_path}, follow=True)

    assert page.status_code == 200
    assert "<h1>Total sessions" in page.content.decode()
    assert 'value="3"' in page.content.decode()
    assert saved.redirect_chain == [(list_path, 302)]
    assert "Total sessions updated for Ali Adams in Maths 9A." in saved.content.decode()
    assert override_of(adams).total_sessions == 12


def test_without_htmx_an_invalid_total_shows_the_page_again_with_the_message(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": "1"})

    assert response.status_code == 200
    assert "<h1>Total sessions" in response.content.decode()
    assert f"{BELOW_ACTUAL} (3)" in response.content.decode()


def test_the_edit_page_never_sends_a_teacher_off_the_site(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(
        edit_url(adams), {"total_sessions": "12", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('attendance:list')}?school_class={school_class.pk}"


def test_a_signed_out_htmx_edit_sends_the_whole_page_to_sign_in(client, maths):
    school_class, teacher, adams, young = maths

    response = client.post(edit_url(adams), {"total_sessions": "12"}, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


# --- the list shows who may edit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "editable"),
    [
        ("admin", True),
        ("class teacher", True),
        (Role.PRINCIPAL, False),
        (Role.HOD, False),
        (Role.ACCOUNTANT, False),
        (Role.STUDENT, False),
    ],
)
def test_only_editors_see_the_total_as_editable(client, maths, role, editable):
    school_class, teacher, adams, young = maths
    if role == "class teacher":
        user = teacher
    elif role == Role.STUDENT:
        user = adams.student.user
    else:
        user = UserFactory(school=school_class.school, role=Role.ADMIN if role == "admin" else role)
    client.force_login(user)

    html = client.get(reverse("attendance:list"), {"school_class": school_class.pk}).content
    html = html.decode()

    assert ('title="Click to edit"' in html) is editable
    assert ("Bulk Update Sessions" in html) is editable
    assert ("total_sessions.js" in html) is editable
    assert "Ali Adams" in html


def test_bulk_update_is_offered_only_once_a_class_is_chosen(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    unfiltered = client.get(reverse("attendance:list")).content.decode()

    assert "Bulk Update Sessions" not in unfiltered
    assert "choose the class first" in unfiltered


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN])
def test_the_list_with_overrides_takes_the_same_queries_for_3_or_30_students(
    client, django_assert_num_queries, role
):
    for size in (3, 30):
        school_class = SchoolClassFactory()
        slot = TimetableSlotFactory(school_class=school_class)
        for n in range(size):
            membership = student_in(school_class, f"Student{n}")
            give_records(membership, Status.PRESENT, Status.ABSENT)
            TotalSessionsOverrideFactory(membership=membership, total_sessions=5 + n % 2)
        user = (
            slot.teacher
            if role == Role.TEACHER
            else UserFactory(school=school_class.school, role=role)
        )
        client.force_login(user)
        # session · user · the chosen class (filter validation) · COUNT(*) of the plain
        # memberships · the page's membership ids · the page's memberships + students +
        # classes + counts + override in one aggregate · the school (threshold, today) ·
        # the class <select>'s options. The edit links and the bulk panel add none.
        with django_assert_num_queries(8):
            response = client.get(reverse("attendance:list"), {"school_class": school_class.pk})
        html = response.content.decode()
        assert html.count('title="Click to edit"') == size
        assert html.count("(2 actual)") == size
        assert "Bulk Update Sessions" in html


# --- bulk update ----------------------------------------------------------------------------


def bulk(client, school_class, total, confirmed=False, **extra):
    data = {"school_class": school_class.pk, "total_sessions": total, **extra}
    if confirmed:
        data["confirmed"] = "true"
    return client.post(reverse("attendance:bulk_total_sessions"), data)


def test_bulk_update_asks_for_confirmation_before_changing_anything(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = bulk(client, school_class, "60")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Set 60 total sessions for 2 students of Maths 9A?" in text(html)
    assert 'name="confirmed" value="true"' in html
    assert not TotalSessionsOverride.objects.exists()


def test_confirmed_bulk_update_sets_the_total_for_every_student_of_the_class(client, maths):
    school_class, teacher, adams, young = maths
    other_class = SchoolClassFactory(school=school_class.school, name="Art 9A")
    TimetableSlotFactory(school_class=other_class, teacher=teacher)
    elsewhere = student_in(other_class, "Zimmer")
    client.force_login(teacher)

    response = bulk(client, school_class, "60", confirmed=True)
    listing = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('attendance:list')}?school_class={school_class.pk}"
    assert "Total sessions updated: 60 for 2 students of Maths 9A." in listing
    assert {override_of(adams).total_sessions, override_of(young).total_sessions} == {60}
    assert override_of(elsewhere) is None
    assert "2 60 (3 actual) 66.7% 3.3% of 60" in text(listing)


def test_bulk_update_covers_every_page_of_the_class_not_only_the_first(client, db):
    school_class = SchoolClassFactory()
    slot = TimetableSlotFactory(school_class=school_class)
    memberships = [student_in(school_class, f"Student{n:02}") for n in range(51)]
    client.force_login(slot.teacher)

    confirm = bulk(client, school_class, "30")
    bulk(client, school_class, "30", confirmed=True)

    assert "for 51 students" in text(confirm.content.decode())
    assert all(override_of(m).total_sessions == 30 for m in memberships)


def test_bulk_update_is_all_or_nothing_and_lists_who_does_not_fit(client, maths):
    school_class, teacher, adams, young = maths
    TotalSessionsOverrideFactory(membership=young, total_sessions=9)
    client.force_login(teacher)

    response = bulk(client, school_class, "2", confirmed=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed: the total does not fit 1 student." in html
    offenders = html[html.index('class="ts-offenders"') : html.index("</table>")]
    assert "Ali Adams" in offenders and f"{BELOW_ACTUAL} (3)" in offenders
    assert "Yara Young" not in offenders
    assert override_of(adams) is None
    assert override_of(young).total_sessions == 9  # not half-applied
    assert "Try another total" in html


def test_bulk_update_with_a_bad_number_shows_the_seeds_message(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = bulk(client, school_class, "sixty", confirmed=True)

    assert NOT_A_NUMBER in response.content.decode()
    assert not TotalSessionsOverride.objects.exists()


def test_bulk_update_needs_a_class_of_the_school(client, maths):
    school_class, teacher, adams, young = maths
    outsider = MembershipFactory()
    client.force_login(UserFactory(school=school_class.school, role=Role.ADMIN))

    no_class = client.post(reverse("attendance:bulk_total_sessions"), {"total_sessions": "60"})
    junk = client.post(
        reverse("attendance:bulk_total_sessions"),
        {"school_class": "1; DROP", "total_sessions": "60", "confirmed": "true"},
    )
    other_school = bulk(client, outsider.school_class, "60", confirmed=True)

    assert (no_class.status_code, junk.status_code, other_school.status_code) == (404, 404, 404)
    assert not TotalSessionsOverride.objects.exists()


def test_bulk_update_of_a_class_without_students_says_so(client, db):
    school_class = SchoolClassFactory(name="Empty 9Z")
    client.force_login(UserFactory(school=school_class.school, role=Role.ADMIN))

    response = bulk(client, school_class, "60", confirmed=True)

    assert "Empty 9Z has no students to update." in response.content.decode()


# --- who may edit ---------------------------------------------------------------------------


def endpoint_requests(adams, school_class):
    return {
        "edit page": lambda c: c.get(edit_url(adams)),
        "edit": lambda c: c.post(edit_url(adams), {"total_sessions": "10"}, headers=HTMX),
        "clear": lambda c: c.post(clear_url(adams), headers=HTMX),
        "row": lambda c: c.get(row_url(adams), headers=HTMX),
        "bulk": lambda c: bulk(c, school_class, "10", confirmed=True),
        "json": lambda c: c.post(
            reverse("attendance:update_total_sessions"),
            {"student_id": adams.student_id, "class_id": school_class.pk, "total_sessions": 10},
            content_type="application/json",
        ),
    }


ENDPOINTS = ["edit page", "edit", "clear", "row", "bulk", "json"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {200, 302}),
        ("class teacher", {200, 302}),
        ("class advisor", {200, 302}),
        ("other teacher", {403}),
        (Role.HOD, {403}),
        (Role.PRINCIPAL, {403}),
        (Role.ACCOUNTANT, {403}),
        (Role.STUDENT, {403}),
    ],
)
def test_only_admins_and_the_class_teachers_may_change_totals(
    client, maths, endpoint, who, expected
):
    school_class, teacher, adams, young = maths
    school = school_class.school
    if who == "class teacher":
        user = teacher
    elif who == "class advisor":
        user = UserFactory(school=school, role=Role.TEACHER)
        school_class.advisor = user
        school_class.save()
    elif who == "other teacher":
        user = TimetableSlotFactory(school_class=SchoolClassFactory(school=school)).teacher
    elif who == Role.STUDENT:
        user = adams.student.user
    else:
        user = UserFactory(school=school, role=Role.ADMIN if who == "admin" else who)
    client.force_login(user)

    response = endpoint_requests(adams, school_class)[endpoint](client)

    assert response.status_code in expected
    if 403 in expected:
        assert override_of(adams) is None
    if endpoint == "json" and response.status_code == 403:
        assert response.json()["success"] is False


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_signed_out_visitors_are_sent_to_sign_in(client, maths, endpoint):
    school_class, teacher, adams, young = maths

    response = endpoint_requests(adams, school_class)[endpoint](client)

    if endpoint == "json":
        assert response.status_code == 401
    elif endpoint in ("edit", "clear", "row"):  # htmx: the whole page goes to sign in
        assert response["HX-Redirect"].startswith(reverse("login"))
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("endpoint", ["edit page", "edit", "clear", "row"])
def test_another_schools_student_is_not_found(client, maths, endpoint):
    school_class, teacher, adams, young = maths
    outsider = MembershipFactory()
    give_records(outsider, Status.PRESENT)
    client.force_login(UserFactory(school=school_class.school, role=Role.ADMIN))

    response = endpoint_requests(outsider, outsider.school_class)[endpoint](client)

    assert response.status_code == 404
    assert override_of(outsider) is None


def test_bulk_update_refuses_before_asking_and_offers_the_lowest_total_that_fits(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = bulk(client, school_class, "2")

    html = response.content.decode()
    page = text(html)
    # No "Set 2 … ?" question for a total that would be refused once confirmed.
    assert "Set 2 total sessions" not in page
    assert "Nothing was changed: the total does not fit 1 student." in page
    assert "The lowest total that fits all 2 students is 3" in page
    assert "Set 3 for all 2 students" in page
    assert not TotalSessionsOverride.objects.exists()

    offered = re.search(r'<form[^>]*class="ts-lowest".*?</form>', html, flags=re.S).group(0)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', offered))
    one_click = client.post(reverse("attendance:bulk_total_sessions"), fields)

    assert one_click.status_code == 302
    assert {override_of(adams).total_sessions, override_of(young).total_sessions} == {3}

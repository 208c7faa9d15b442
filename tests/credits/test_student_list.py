"""The make-up credits student list and its dialog (docs/design/credits.md, steps 1–5;
"Screens"): who sees which students, search and pages, the "Make-Up Credits" column,
the dialog's tutors, balances and amount, setting credits and every refusal."""

import datetime
import html as html_lib
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.models import Role
from credits.models import CreditChange, MakeupCredit
from credits.services import (
    CreditPermissionError,
    book_makeup_lesson,
    complete_makeup_lesson,
)
from tests.academics.factories import StudentProfileFactory, UserFactory

from .conftest import make_studio
from .factories import MakeupCreditFactory, balance, give, held

pytestmark = pytest.mark.django_db

LIST = reverse("credits:students")
DIALOG = reverse("credits:dialog")
SET = reverse("credits:set")
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    """The response's HTML, entities decoded, runs of whitespace as one space."""
    return re.sub(r"\s+", " ", html_lib.unescape(response.content.decode()))


def listed(response) -> list[str]:
    """The names in the list's rows, in order."""
    return re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', response.content.decode())


def row(response, student) -> str:
    """One student's row of the list (or of an out-of-band answer)."""
    match = re.search(
        rf'<tr id="credit-row-{student.pk}".*?</tr>', response.content.decode(), re.DOTALL
    )
    assert match, f"no row for {student}"
    return re.sub(r"\s+", " ", html_lib.unescape(match.group(0)))


# --- the list: who sees whom --------------------------------------------------------------


def test_admins_and_principals_see_every_student_of_their_school_only(client, studio):
    other = make_studio("Other Studio")
    for viewer in (studio.admin, studio.principal):
        client.force_login(viewer)
        response = client.get(LIST)
        assert response.status_code == 200
        assert listed(response) == ["Lina Lotfy", "Omar Osman", "Sarah Samir"]
        assert f"credit-row-{other.sarah.pk}" not in response.content.decode()


def test_a_principal_reads_the_list_but_has_nothing_to_select(client, studio):
    client.force_login(studio.principal)
    page = text(client.get(LIST))
    assert "Make-Up Credits</button>" not in page
    assert "data-student-checkbox" not in page
    assert "credits/students.js" not in page


def test_a_tutor_sees_their_own_students_only(client, studio):
    client.force_login(studio.tutor_b)  # teaches violin: Sarah only
    response = client.get(LIST)
    assert listed(response) == ["Sarah Samir"]
    assert "Your students" in text(response)
    give(studio, studio.omar, studio.tutor_b, 1)  # a credit with the tutor makes Omar theirs
    assert listed(client.get(LIST)) == ["Omar Osman", "Sarah Samir"]

    hod = UserFactory(school=studio.school, role=Role.HOD)
    client.force_login(hod)
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == []
    assert "No students to show." in text(response)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ACCOUNTANT])
def test_students_and_accountants_are_refused(client, studio, role):
    client.force_login(UserFactory(school=studio.school, role=role))
    for url in (LIST, DIALOG, f"{DIALOG}?students={studio.sarah.pk}"):
        assert client.get(url).status_code == 403
    assert (
        client.post(
            SET, {"students": [studio.sarah.pk], "tutor": studio.tutor_a.pk, "amount": 3}
        ).status_code
        == 403
    )
    assert not MakeupCredit.objects.exists()


def test_signed_out_visitors_go_to_sign_in(client, studio):
    assert client.get(LIST).status_code == 302
    response = client.get(DIALOG, **HTMX)
    assert response.headers["HX-Redirect"].startswith(reverse("login"))


# --- the list: search, pages, the column, queries -----------------------------------------


def test_search_matches_names_and_student_numbers(client, studio):
    studio.omar.student_number = "S-2041"
    studio.omar.save()
    client.force_login(studio.admin)
    assert listed(client.get(LIST, {"q": "sar"})) == ["Sarah Samir"]
    assert listed(client.get(LIST, {"q": "Lina Lotfy"})) == ["Lina Lotfy"]
    assert listed(client.get(LIST, {"q": "2041"})) == ["Omar Osman"]
    response = client.get(LIST, {"q": "nobody"})
    assert listed(response) == []
    assert "No student matches “nobody”." in text(response)
    # htmx gets the table only, for the search box to swap in
    partial = client.get(LIST, {"q": "sar"}, **HTMX)
    assert listed(partial) == ["Sarah Samir"]
    assert "<html" not in partial.content.decode()
    assert partial.content.decode().lstrip().startswith('<section id="students-table"')


def test_students_who_left_are_listed_on_request(client, studio):
    studio.lina.is_active = False
    studio.lina.save()
    client.force_login(studio.admin)
    assert listed(client.get(LIST)) == ["Omar Osman", "Sarah Samir"]
    response = client.get(LIST, {"inactive": "on"})
    assert listed(response) == ["Lina Lotfy", "Omar Osman", "Sarah Samir"]
    assert "left</span>" in text(response)


def test_the_list_has_pages_of_fifty_that_keep_the_search(client, studio):
    for n in range(57):
        StudentProfileFactory(
            school=studio.school,
            user=UserFactory(
                school=studio.school, role=Role.STUDENT, first_name="Pupil", last_name=f"P{n:02}"
            ),
        )
    client.force_login(studio.admin)
    first = client.get(LIST, {"q": "pupil"})
    assert len(listed(first)) == 50
    assert "57 students matching “pupil” · page 1 of 2" in text(first)
    assert 'href="?q=pupil&amp;page=2"' in first.content.decode()
    second = client.get(LIST, {"q": "pupil", "page": 2})
    assert listed(second) == [f"Pupil P{n}" for n in range(50, 57)]


def test_the_credits_column_totals_the_tutors_with_the_breakdown(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 2)
    give(studio, studio.sarah, studio.tutor_b, 1)
    give(studio, studio.lina, studio.tutor_b, 0)  # a pair at zero shows as nothing
    client.force_login(studio.admin)
    response = client.get(LIST)
    sarah = row(response, studio.sarah)
    # hover (title) and expand (<details>, a real disclosure for the keyboard)
    assert 'title="3 credits (2 with Amal Adel, 1 with Bassem Badr)"' in sarah
    assert "<details" in sarah and "<summary>" in sarah
    assert '<span class="cr-total">3 credits</span>' in sarah
    assert "<strong>2</strong> with Amal Adel" in sarah
    assert "<strong>1</strong> with Bassem Badr" in sarah
    assert "0 credits" in row(response, studio.omar)
    assert "<details" not in row(response, studio.lina)
    # the name opens the student's credit page
    assert f'href="{reverse("credits:student", args=[studio.sarah.pk])}"' in sarah


def test_the_list_query_count_does_not_grow_with_the_students(
    client, studio, django_assert_max_num_queries
):
    client.force_login(studio.admin)

    def queries(user) -> int:
        client.force_login(user)
        # session, user, school (today / the top bar), the page's count, the page of
        # students with their users, their balances by tutor
        with django_assert_max_num_queries(6) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    give(studio, studio.sarah, studio.tutor_a, 2)
    few_admin, few_tutor = queries(studio.admin), queries(studio.tutor_a)
    for n in range(15):
        student = StudentProfileFactory(school=studio.school)
        MakeupCreditFactory(student=student, tutor=studio.tutor_a, available=n % 3)
        MakeupCreditFactory(student=student, tutor=studio.tutor_b, available=1)
    many = client.get(LIST)
    assert few_admin == queries(studio.admin)
    assert few_tutor == queries(studio.tutor_a)
    client.force_login(studio.admin)
    assert len(listed(client.get(LIST))) == 18
    assert many.status_code == 200


# --- the dialog ------------------------------------------------------------------------------


def dialog(client, *students, tutor=None, **extra):
    query = {"students": [s.pk for s in students]}
    if tutor is not None:
        query["tutor"] = tutor.pk
    return client.get(DIALOG, query, **HTMX, **extra)


def options(response) -> list[tuple[str, str]]:
    """(optgroup label or "", option text) of the tutor dropdown, in order."""
    page = response.content.decode()
    select = re.search(r'<select name="tutor".*?</select>', page, re.DOTALL).group(0)
    found, group = [], ""
    for match in re.finditer(
        r'<optgroup label="([^"]+)">|<option value="(\d*)"[^>]*>([^<]+)<', select
    ):
        if match.group(1):
            group = match.group(1)
        elif match.group(2):
            found.append((group, match.group(3)))
    return found


def selected_tutor(response) -> str | None:
    match = re.search(r'<option value="\d+" selected>([^<]+)<', response.content.decode())
    return match.group(1) if match else None


def amount_value(response) -> str:
    return re.search(
        r'name="amount" id="id_amount" value="([^"]*)"', response.content.decode()
    ).group(1)


def balances(response) -> dict[str, list[str]]:
    """The dialog's balance table: student → [available, booked, used, total]."""
    page = response.content.decode()
    found = {}
    for match in re.finditer(
        r'<tr data-balance-row="\d+">\s*<th scope="row">([^<]+)</th>(.*?)</tr>', page, re.DOTALL
    ):
        found[match.group(1)] = re.findall(r"<td[^>]*>([^<]+)</td>", match.group(2))
    return found


def test_the_dialog_lists_a_single_students_assigned_tutors_first(client, studio):
    cara = UserFactory(school=studio.school, role=Role.TEACHER, first_name="Cara", last_name="Cole")
    UserFactory(
        school=studio.school,
        role=Role.TEACHER,
        first_name="Gone",
        last_name="Away",
        is_active=False,
    )
    client.force_login(studio.admin)
    response = dialog(client, studio.omar)  # Omar learns piano with Amal only
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert options(response) == [
        ("Assigned tutors", "Amal Adel"),
        ("All tutors", "Amal Adel"),
        ("All tutors", "Bassem Badr"),
        ("All tutors", str(cara)),
    ]
    assert selected_tutor(response) is None  # required: the admin picks one
    assert "Choose a tutor…" in text(response)
    # two students: every tutor, by name, no "assigned" group
    both = dialog(client, studio.omar, studio.sarah)
    assert options(both) == [("", "Amal Adel"), ("", "Bassem Badr"), ("", "Cara Cole")]


def test_the_dialog_shows_each_students_balance_with_the_tutor(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 3)
    give(studio, studio.omar, studio.tutor_a, 3)
    give(studio, studio.sarah, studio.tutor_b, 1)
    lesson = book_makeup_lesson(
        student=studio.sarah,
        tutor=studio.tutor_a,
        scheduled_for=timezone.now() + datetime.timedelta(hours=1),
        actor=studio.admin,
    )
    complete_makeup_lesson(lesson=held(lesson), actor=studio.admin)
    book_makeup_lesson(
        student=studio.sarah,
        tutor=studio.tutor_a,
        scheduled_for=timezone.now() + datetime.timedelta(hours=1),
        actor=studio.admin,
    )
    client.force_login(studio.admin)

    no_tutor = dialog(client, studio.sarah, studio.omar)
    assert balances(no_tutor) == {"Sarah Samir": ["—"] * 4, "Omar Osman": ["—"] * 4}
    assert amount_value(no_tutor) == ""
    assert "Choose a tutor to see each student's balance" in text(no_tutor)

    with_a = dialog(client, studio.sarah, studio.omar, tutor=studio.tutor_a)
    assert "Current balance with Amal Adel" in text(with_a)
    assert balances(with_a) == {
        "Sarah Samir": ["1", "1", "1", "3"],
        "Omar Osman": ["3", "0", "0", "3"],
    }
    assert amount_value(with_a) == ""  # 1 and 3 now: no guess, the range shown instead
    assert 'placeholder="1–3"' in with_a.content.decode()
    assert "different amounts now (1 to 3)" in text(with_a)

    # the tutor changed: the same URL answers the other tutor's balances
    with_b = dialog(client, studio.sarah, tutor=studio.tutor_b)
    assert balances(with_b) == {"Sarah Samir": ["1", "0", "0", "1"]}
    assert amount_value(with_b) == "1"
    assert selected_tutor(with_b) == "Bassem Badr"
    same = dialog(client, studio.omar, studio.lina, tutor=studio.tutor_b)  # both 0 with Bassem
    assert amount_value(same) == "0"


def test_changing_the_tutor_reloads_the_dialog_content(client, studio):
    client.force_login(studio.admin)
    page = dialog(client, studio.sarah).content.decode()
    select = re.search(r"<select name=\"tutor\"[^>]*>", page).group(0)
    assert f'hx-get="{DIALOG}"' in select
    assert 'hx-trigger="change"' in select
    assert 'hx-include="closest form"' in select
    assert 'hx-target="#credits-dialog-body"' in select
    # the selection travels with it
    assert f'<input type="hidden" name="students" value="{studio.sarah.pk}">' in page


def test_a_tutor_can_only_choose_themself(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 2)
    client.force_login(studio.tutor_a)
    response = dialog(client, studio.sarah)
    assert options(response) == [("", "Amal Adel")]
    assert selected_tutor(response) == "Amal Adel"
    assert amount_value(response) == "2"
    assert balances(response) == {"Sarah Samir": ["2", "0", "0", "2"]}
    assert "You set credits for your own students only." in text(response)


def test_the_dialog_refuses_a_selection_the_user_may_not_make(client, studio):
    other = make_studio("Other Studio")
    client.force_login(studio.admin)
    foreign = dialog(client, other.sarah)
    assert foreign.status_code == 200
    assert "Select students from the list." in text(foreign)
    assert balances(foreign) == {}
    assert "Select at least one student." in text(dialog(client))
    assert "Select students from the list." in text(client.get(DIALOG, {"students": "x"}, **HTMX))
    client.force_login(studio.tutor_b)  # Omar is not Bassem's student
    assert "Select students from the list." in text(dialog(client, studio.omar))
    client.force_login(studio.principal)
    assert dialog(client, studio.sarah).status_code == 403


def test_without_js_the_dialog_is_a_page(client, studio):
    give(studio, studio.sarah, studio.tutor_b, 4)
    client.force_login(studio.admin)
    response = client.get(DIALOG, {"students": [studio.sarah.pk], "next": "/credits/?q=sa"})
    page = text(response)
    assert "<html" in page and "<title>Make-Up Credits · Rollbook</title>" in page
    assert 'href="/credits/?q=sa">← Make-up credits · students' in page
    assert "hx-post" not in page
    # "Show balances for this tutor" re-renders the page for the chosen tutor, writes nothing
    shown = client.post(
        SET, {"students": [studio.sarah.pk], "tutor": studio.tutor_b.pk, "show": "1", "amount": ""}
    )
    assert shown.status_code == 200
    assert balances(shown) == {"Sarah Samir": ["4", "0", "0", "4"]}
    assert amount_value(shown) == "4"
    assert CreditChange.objects.count() == 1


# --- setting credits -------------------------------------------------------------------------


def test_setting_two_students_answers_the_message_and_the_refreshed_rows(client, studio):
    give(studio, studio.sarah, studio.tutor_b, 1)
    give(studio, studio.sarah, studio.tutor_a, 4)
    client.force_login(studio.admin)
    response = client.post(
        SET,
        {
            "students": [studio.sarah.pk, studio.omar.pk],
            "tutor": studio.tutor_a.pk,
            "amount": "1",
            "note": "Lesson of 20 Nov cancelled",
            "on_page": f"{studio.sarah.pk},{studio.omar.pk},{studio.lina.pk}",
        },
        **HTMX,
    )
    assert response.status_code == 200
    message = "Make-up credits set to 1 for 2 student(s) with Amal Adel"
    assert f'<p id="credits-status" hx-swap-oob="innerHTML">{message}</p>' in text(response)
    assert response.headers["HX-Reswap"] == "none"
    event = json.loads(response.headers["HX-Trigger-After-Settle"])["credits-set"]
    assert event["message"] == message
    # the rows come back out of band, still ticked, with the new column
    sarah = row(response, studio.sarah)
    assert 'hx-swap-oob="outerHTML"' in sarah and " checked" in sarah
    assert 'title="2 credits (1 with Amal Adel, 1 with Bassem Badr)"' in sarah
    assert 'title="1 credit (1 with Amal Adel)"' in row(response, studio.omar)
    assert f"credit-row-{studio.lina.pk}" not in response.content.decode()
    assert "<template>" in response.content.decode()  # keeps <tr> whole when parsed
    # the database and the change log
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 0)
    assert balance(studio.omar, studio.tutor_a) == (1, 0, 0)
    assert balance(studio.sarah, studio.tutor_b) == (1, 0, 0)
    logged = CreditChange.objects.filter(tutor=studio.tutor_a, note="Lesson of 20 Nov cancelled")
    assert {(c.student, c.previous_available, c.new_available, c.changed_by) for c in logged} == {
        (studio.sarah, 4, 1, studio.admin),
        (studio.omar, 0, 1, studio.admin),
    }


def test_only_the_rows_the_list_shows_come_back(client, studio):
    client.force_login(studio.admin)
    response = client.post(
        SET,
        {
            "students": [studio.sarah.pk, studio.omar.pk],
            "tutor": studio.tutor_a.pk,
            "amount": "2",
            "on_page": str(studio.omar.pk),
        },
        **HTMX,
    )
    assert f"credit-row-{studio.omar.pk}" in response.content.decode()
    assert f"credit-row-{studio.sarah.pk}" not in response.content.decode()
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 0)  # set all the same


def test_a_tutor_sets_their_own_students_credits(client, studio):
    client.force_login(studio.tutor_b)
    response = client.post(
        SET, {"students": [studio.sarah.pk], "tutor": studio.tutor_b.pk, "amount": "0"}, **HTMX
    )
    assert "Make-up credits set to 0 for 1 student(s) with Bassem Badr" in text(response)
    assert balance(studio.sarah, studio.tutor_b) == (0, 0, 0)
    assert CreditChange.objects.get().changed_by == studio.tutor_b


def test_without_js_a_save_goes_back_to_the_list_with_the_message(client, studio):
    client.force_login(studio.admin)
    response = client.post(
        SET,
        {
            "students": [studio.lina.pk],
            "tutor": studio.tutor_a.pk,
            "amount": "3",
            "next": "/credits/?q=lina",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/credits/?q=lina", 302)]
    assert "Make-up credits set to 3 for 1 student(s) with Amal Adel" in text(response)
    assert 'title="3 credits (3 with Amal Adel)"' in row(response, studio.lina)
    # an address off the site is not followed
    response = client.post(
        SET,
        {
            "students": [studio.lina.pk],
            "tutor": studio.tutor_a.pk,
            "amount": "2",
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == LIST


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"students": []}, "students", "Select at least one student."),
        ({"tutor": ""}, "tutor", "Select a tutor."),
        ({"amount": "-1"}, "amount", "Credit amount must be zero or a positive whole number"),
        ({"amount": "1.5"}, "amount", "Credit amount must be zero or a positive whole number"),
        ({"amount": "two"}, "amount", "Credit amount must be zero or a positive whole number"),
        ({"amount": ""}, "amount", "Credit amount must be zero or a positive whole number"),
        ({"amount": "1001"}, "amount", "Credit amount can be at most 1000."),
    ],
)
def test_every_refusal_keeps_the_dialog_open_and_writes_nothing(
    client, studio, changes, field, message
):
    give(studio, studio.sarah, studio.tutor_a, 2)
    before = CreditChange.objects.count()
    client.force_login(studio.admin)
    data = {
        "students": [studio.sarah.pk, studio.omar.pk],
        "tutor": studio.tutor_a.pk,
        "amount": "5",
        "note": "kept",
    } | changes
    response = client.post(SET, data, **HTMX)
    assert response.status_code == 200
    assert "HX-Trigger-After-Settle" not in response.headers
    page = text(response)
    assert message in page
    assert f'id="{field}-error"' in page  # next to its field
    assert 'hx-post="/credits/set/"' in page  # the dialog's form, again
    assert 'value="kept"' in page  # what was typed stays
    if field == "amount":
        assert f'value="{changes["amount"]}"' in page and 'aria-invalid="true"' in page
    assert CreditChange.objects.count() == before
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 0)
    assert not MakeupCredit.objects.filter(student=studio.omar).exists()


def test_a_tutor_cannot_set_another_tutors_credits_nor_for_students_not_theirs(client, studio):
    client.force_login(studio.tutor_a)
    response = client.post(
        SET, {"students": [studio.sarah.pk], "tutor": studio.tutor_b.pk, "amount": "3"}, **HTMX
    )
    assert "Select a tutor." in text(response)
    client.force_login(studio.tutor_b)
    response = client.post(
        SET, {"students": [studio.omar.pk], "tutor": studio.tutor_b.pk, "amount": "3"}, **HTMX
    )
    assert "Select students from the list." in text(response)
    client.force_login(studio.principal)
    response = client.post(
        SET, {"students": [studio.omar.pk], "tutor": studio.tutor_a.pk, "amount": "3"}
    )
    assert response.status_code == 403
    assert not MakeupCredit.objects.exists()
    assert not CreditChange.objects.exists()


def test_another_schools_ids_are_refused_never_a_server_error(client, studio):
    other = make_studio("Other Studio")
    client.force_login(studio.admin)
    for data, message in [
        (
            {"students": [other.sarah.pk], "tutor": studio.tutor_a.pk},
            "Select students from the list.",
        ),
        ({"students": [studio.sarah.pk], "tutor": other.tutor_a.pk}, "Select a tutor."),
        ({"students": ["nope"], "tutor": studio.tutor_a.pk}, "Select students from the list."),
        ({"students": [studio.sarah.pk], "tutor": "999999"}, "Select a tutor."),
    ]:
        response = client.post(SET, data | {"amount": "1"}, **HTMX)
        assert response.status_code == 200
        assert message in text(response)
        plain = client.post(SET, data | {"amount": "1"})
        assert plain.status_code == 200 and message in text(plain)
    assert not MakeupCredit.objects.exists()


def test_a_permission_refused_by_the_service_is_shown(client, studio, monkeypatch):
    # The form's choices already keep a tutor to their own; should the service still
    # refuse (a student moved class in between), its message reaches the user.
    def refuse(**kwargs):
        raise CreditPermissionError("A tutor may set make-up credits only for their own students.")

    monkeypatch.setattr("credits.views.students.set_available_credits", refuse)
    client.force_login(studio.tutor_a)
    data = {"students": [studio.sarah.pk], "tutor": studio.tutor_a.pk, "amount": "1"}
    in_dialog = client.post(SET, data, **HTMX)
    assert in_dialog.status_code == 200
    assert "only for their own students" in text(in_dialog)
    plain = client.post(SET, data)
    assert plain.status_code == 403
    assert "only for their own students" in text(plain)


def test_setting_needs_a_post(client, studio):
    client.force_login(studio.admin)
    assert client.get(SET, {"students": [studio.sarah.pk]}).status_code == 405


def test_the_dialog_query_count_does_not_grow_with_the_selection(
    client, studio, django_assert_max_num_queries
):
    client.force_login(studio.admin)
    students = [studio.sarah, studio.omar]

    def queries() -> int:
        # session, user, the selection checked, the tutor checked, the selected students,
        # the tutors to choose from, their balances with the tutor
        with django_assert_max_num_queries(7) as captured:
            response = dialog(client, *students, tutor=studio.tutor_a)
        assert len(balances(response)) == len(students)
        return len(captured)

    few = queries()
    for n in range(12):
        student = StudentProfileFactory(school=studio.school)
        give(studio, student, studio.tutor_a, n % 4)
        students.append(student)
    assert queries() == few

"""A student's make-up credits page, its lessons (book, complete, cancel), a pair's credit
history and a student's own credits (docs/design/credits.md, "Screens")."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from academics.models import Role
from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.services import (
    complete_makeup_lesson,
    expire_makeup_credits,
    set_available_credits,
)
from tests.academics.factories import UserFactory
from tests.browser import sign_in

from .conftest import make_studio
from .factories import balance, book, give, held

HTMX = {"HTTP_HX_REQUEST": "true"}
CAIRO = "Africa/Cairo"  # UTC+2 in November: school-local times differ from UTC
SLOT = "2026-11-27T16:00"  # a Friday afternoon, school-local
LATER_SLOT = "2026-12-04T16:00"
NO_CREDIT = "Credits can only be used with the tutor who issued them."


BEFORE_SLOT = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=zoneinfo.ZoneInfo(CAIRO))
AFTER_SLOT = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo(CAIRO))


@pytest.fixture(autouse=True)
def _wednesday_25_november_2026(time_machine):
    """SLOT and LATER_SLOT are to come, so both can be booked; a test that completes the
    SLOT lesson moves the clock on to AFTER_SLOT first (a lesson is completed once it has
    taken place, docs/design/credits.md)."""
    time_machine.move_to(BEFORE_SLOT, tick=True)


def soon(days=7):
    return timezone.now() + datetime.timedelta(days=days)


def lesson_of(studio, student=None, tutor=None, days=7):
    return book(student or studio.sarah, tutor or studio.tutor_a, actor=studio.admin, days=days)


def page_url(student):
    return reverse("credits:student", args=[student.pk])


def book_url(student):
    return reverse("credits:book", args=[student.pk])


def post_book(client, student, tutor, when=SLOT, note="", **extra):
    data = {"tutor": tutor.pk if tutor else "", "scheduled_for": when, "note": note}
    return client.post(book_url(student), data, **extra)


def complete(client, lesson, **extra):
    return client.post(reverse("credits:complete", args=[lesson.pk]), **extra)


def cancel(client, lesson, **extra):
    return client.post(reverse("credits:cancel", args=[lesson.pk]), **extra)


def balance_row(html, tutor) -> dict[str, int]:
    """The figures of `tutor`'s row in the balances table."""
    row = re.search(rf'<tr id="balance-\d+" data-tutor="{tutor.pk}">.*?</tr>', html, re.S)
    assert row, f"no balance row for {tutor}"
    figures = re.findall(r'data-figure="(\w+)">(\d+)<', row.group(0))
    return {name: int(value) for name, value in figures}


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def studio(db):
    studio = make_studio()
    studio.school.timezone = CAIRO
    studio.school.save(update_fields=["timezone"])
    return studio


# --- the seed's flow through the pages -----------------------------------------------------


def test_the_seeds_flow_through_the_page_ends_at_one_one_one(client, studio, time_machine):
    give(studio, studio.sarah, studio.tutor_a, 3, actor=studio.tutor_a)
    client.force_login(studio.tutor_a)
    html = text(client.get(page_url(studio.sarah)))
    assert balance_row(html, studio.tutor_a) == {"available": 3, "booked": 0, "used": 0, "total": 3}

    response = post_book(client, studio.sarah, studio.tutor_a, **HTMX)
    assert response.status_code == 200
    assert response["X-Credits-Panel"] == "1"
    html = text(response)
    assert html.lstrip().startswith('<section id="credits-panel"')  # the panel only
    assert (
        "Make-up lesson booked with Amal Adel on Fri 27 Nov 2026 16:00. Sarah Samir now has "
        "2 available, 1 booked and 0 used with Amal Adel." in html
    )
    assert balance_row(html, studio.tutor_a) == {"available": 2, "booked": 1, "used": 0, "total": 3}
    lesson = MakeupLesson.objects.get()

    time_machine.move_to(AFTER_SLOT, tick=True)  # the lesson took place
    html = text(complete(client, lesson, **HTMX))
    assert "marked completed" in html
    assert "2 available, 0 booked and 1 used with Amal Adel" in html
    assert balance_row(html, studio.tutor_a) == {"available": 2, "booked": 0, "used": 1, "total": 3}

    html = text(post_book(client, studio.sarah, studio.tutor_a, when=LATER_SLOT, **HTMX))
    assert balance_row(html, studio.tutor_a) == {"available": 1, "booked": 1, "used": 1, "total": 3}
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 1)

    # The lessons list: the upcoming booked one first, the completed one under "Past".
    upcoming = html.split('id="lessons-upcoming"')[1].split("</tbody>")[0]
    past = html.split('id="lessons-past"')[1].split("</tbody>")[0]
    assert "Fri 4 Dec 2026 16:00" in upcoming and "Booked" in upcoming
    assert "Fri 27 Nov 2026 16:00" in past and "Completed" in past


def test_the_time_is_read_and_shown_in_the_schools_time_zone(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 1)
    client.force_login(studio.admin)
    post_book(client, studio.sarah, studio.tutor_a, note="Bring the Czerny book")
    lesson = MakeupLesson.objects.get()
    cairo = datetime.datetime(2026, 11, 27, 16, 0, tzinfo=zoneinfo.ZoneInfo(CAIRO))
    assert lesson.scheduled_for == cairo  # 14:00 UTC
    assert lesson.note == "Bring the Czerny book"
    assert lesson.booked_by == studio.admin
    html = text(client.get(page_url(studio.sarah)))
    assert "Fri 27 Nov 2026 16:00" in html
    assert "Bring the Czerny book" in html


def test_without_htmx_a_booking_redirects_back_with_the_message(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 1)
    client.force_login(studio.admin)
    response = post_book(client, studio.sarah, studio.tutor_a, follow=True)
    assert response.redirect_chain == [(page_url(studio.sarah), 302)]
    html = text(response)
    assert '<ul class="messages"' in html
    assert "Make-up lesson booked with Amal Adel on Fri 27 Nov 2026 16:00." in html
    assert balance_row(html, studio.tutor_a)["booked"] == 1


# --- refusals ------------------------------------------------------------------------------


def test_booking_with_no_credit_is_refused_with_the_message_and_nothing_written(client, studio):
    client.force_login(studio.admin)
    html = text(client.get(page_url(studio.omar)))
    assert f"Omar Osman has no make-up credit available to book. {NO_CREDIT}" in html
    assert 'name="scheduled_for"' not in html  # no form to fill in

    response = post_book(client, studio.omar, studio.tutor_a, **HTMX)
    assert response.status_code == 400
    assert response["X-Credits-Panel"] == "1"
    assert f"Omar Osman has no make-up credit available with that tutor. {NO_CREDIT}" in text(
        response
    )
    assert 'role="alert"' in text(response)
    assert not MakeupLesson.objects.exists()
    assert not MakeupCredit.objects.exists()
    assert not CreditChange.objects.exists()


def test_the_service_has_the_last_word_when_the_list_was_stale(client, studio, monkeypatch):
    """Another booking took the last credit between the page and the click: the form's
    tutor list is built again on the POST, but if a race slips past it the service's row
    lock refuses (409) with its message."""
    from credits.views import lessons as views

    give(studio, studio.sarah, studio.tutor_a, 1)
    lesson_of(studio)  # the last credit is booked
    monkeypatch.setattr(
        views,
        "_bookable_tutors",
        lambda user, student: ([studio.tutor_a], views.tutors_by_ids(ids=[studio.tutor_a.pk])),
    )
    client.force_login(studio.admin)
    response = post_book(client, studio.sarah, studio.tutor_a, **HTMX)
    assert response.status_code == 409
    assert "Sarah Samir has no make-up credit available with Amal Adel" in text(response)
    assert balance(studio.sarah, studio.tutor_a) == (0, 1, 0)
    assert MakeupLesson.objects.count() == 1


def test_another_tutors_credit_cannot_be_used(client, studio):
    give(studio, studio.sarah, studio.tutor_b, 2)
    client.force_login(studio.admin)
    html = text(client.get(page_url(studio.sarah)))
    select = re.search(r'<select name="tutor".*?</select>', html, re.S).group(0)
    assert "Bassem Badr" in select and "Amal Adel" not in select  # only tutors with credit

    response = post_book(client, studio.sarah, studio.tutor_a, **HTMX)
    assert response.status_code == 400
    assert "Sarah Samir has no make-up credit available with that tutor." in text(response)
    assert balance(studio.sarah, studio.tutor_b) == (2, 0, 0)
    assert not MakeupCredit.objects.filter(tutor=studio.tutor_a).exists()
    assert not MakeupLesson.objects.exists()


def test_a_booking_without_a_time_is_refused(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 1)
    client.force_login(studio.admin)
    response = post_book(client, studio.sarah, studio.tutor_a, when="", **HTMX)
    assert response.status_code == 400
    assert "Choose the lesson&#x27;s date and time." in text(response)
    response = post_book(client, studio.sarah, studio.tutor_a, when="next Friday", **HTMX)
    assert response.status_code == 400
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 0)
    # Without htmx: the whole page, the same status, the form keeps what was typed.
    response = post_book(client, studio.sarah, studio.tutor_a, when="", note="keep me")
    assert response.status_code == 400
    assert "<h1>Make-up credits" in text(response) and 'value="keep me"' in text(response)


def test_complete_and_cancel_move_the_credit(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 3)
    first, second = lesson_of(studio, days=3), lesson_of(studio, days=10)
    client.force_login(studio.tutor_a)

    response = cancel(client, second, **HTMX)
    assert response.status_code == 200
    html = text(response)
    assert "cancelled; its credit is available again" in html
    assert balance_row(html, studio.tutor_a) == {"available": 2, "booked": 1, "used": 0, "total": 3}
    second.refresh_from_db()
    assert second.status == "cancelled" and second.finished_by == studio.tutor_a

    html = text(complete(client, held(first), **HTMX))
    assert balance_row(html, studio.tutor_a) == {"available": 2, "booked": 0, "used": 1, "total": 3}
    # Finished lessons have no buttons any more.
    assert reverse("credits:complete", args=[first.pk]) not in html
    assert reverse("credits:cancel", args=[second.pk]) not in html


def test_a_double_click_cannot_complete_a_lesson_twice(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 2)
    lesson = held(lesson_of(studio))
    client.force_login(studio.tutor_a)
    html = text(client.get(page_url(studio.sarah)))
    # While the request runs, htmx disables the panel's buttons.
    form = re.search(
        rf'<form[^>]*action="{reverse("credits:complete", args=[lesson.pk])}"[^>]*>', html
    ).group(0)
    assert 'hx-disabled-elt="#credits-panel button"' in form

    assert complete(client, lesson, **HTMX).status_code == 200
    again = complete(client, lesson, **HTMX)
    assert again.status_code == 409
    assert "This make-up lesson is already completed." in text(again)
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 1)
    assert CreditChange.objects.filter(kind="completed").count() == 1
    # Cancelling a completed lesson is refused the same way.
    assert cancel(client, lesson, **HTMX).status_code == 409
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 1)
    # Without htmx: the whole page with the refusal.
    response = complete(client, lesson)
    assert response.status_code == 409
    assert "This make-up lesson is already completed." in text(response)


# --- the history ---------------------------------------------------------------------------


def test_the_history_lists_every_change_newest_first_with_its_labels(client, studio):
    school = studio.school
    set_available_credits(
        students=[studio.sarah],
        tutor=studio.tutor_a,
        amount=3,
        actor=studio.tutor_a,
        note="Tutor ill on 3 Nov",
    )
    first = lesson_of(studio)
    complete_makeup_lesson(lesson=held(first), actor=studio.tutor_a)
    second = lesson_of(studio, days=14)
    client.force_login(studio.sarah.user)
    cancel(client, second)  # the student cancels her own
    school.makeup_credit_expiry_days = 30
    school.save(update_fields=["makeup_credit_expiry_days"])
    expire_makeup_credits(school=school, now=timezone.now() + datetime.timedelta(days=31))
    credit = MakeupCredit.objects.get(student=studio.sarah, tutor=studio.tutor_a)

    client.force_login(studio.principal)
    response = client.get(reverse("credits:history", args=[credit.pk]))
    assert response.status_code == 200
    html = text(response)
    assert "Sarah Samir with Amal Adel" in html
    rows = re.findall(r'<tr id="change-\d+" class="change change-(\w+)">(.*?)</tr>', html, re.S)
    assert [kind for kind, _ in rows] == [
        "expired",
        "cancelled",
        "booked",
        "completed",
        "booked",
        "set",
    ]

    def cells(row):
        return [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]

    expired, cancelled, booked, completed, _, set_row = (cells(row) for _, row in rows)
    # date, what, change, prev → new, total, available, booked, used, by, note, lesson
    # date, what happened, change, available before → after, then the balance after:
    # total, available, booked, used; by, note, lesson
    assert set_row[1:9] == ["Set", "+3", "0 → 3", "3", "3", "0", "0", "Amal Adel"]
    assert set_row[9:] == ["Tutor ill on 3 Nov", "—"]
    assert booked[1:9] == ["Lesson booked", "\u22121", "2 → 1", "3", "1", "1", "1", "Adam Admin"]
    assert completed[1:9] == ["Lesson completed", "0", "2 → 2", "3", "2", "0", "1", "Amal Adel"]
    when = first.scheduled_for.astimezone(zoneinfo.ZoneInfo(CAIRO))
    assert completed[10].startswith(f"{when:%a} {when.day} {when:%b %Y %H:%M}")
    assert completed[10].endswith("(completed)")
    assert cancelled[1:9] == ["Lesson cancelled", "+1", "1 → 2", "3", "2", "0", "1", "Sarah Samir"]
    assert cancelled[10].endswith("(cancelled)")
    assert expired[1:9] == ["Expired", "\u22122", "2 → 0", "1", "0", "0", "1", "System"]
    assert expired[9] == "Unused for more than 30 days"
    assert "6 changes, newest first" in html


def test_the_history_is_paged_fifty_at_a_time(client, studio):
    for amount in range(55):
        give(studio, studio.sarah, studio.tutor_a, amount % 5)
    credit = MakeupCredit.objects.get()
    client.force_login(studio.admin)
    url = reverse("credits:history", args=[credit.pk])
    first = text(client.get(url))
    assert first.count('class="change change-set"') == 50
    assert "55 changes" in first and "page 1 of 2" in first
    assert 'rel="next"' in first
    second = client.get(url, {"page": 2}, **HTMX)
    html = text(second)
    assert html.lstrip().startswith('<section id="history-table"')
    assert html.count('class="change change-set"') == 5
    assert 'rel="prev"' in html


def test_each_tutor_row_links_to_that_pairs_history(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 1)
    give(studio, studio.sarah, studio.tutor_b, 2)
    client.force_login(studio.admin)
    html = text(client.get(page_url(studio.sarah)))
    for tutor in (studio.tutor_a, studio.tutor_b):
        credit = MakeupCredit.objects.get(student=studio.sarah, tutor=tutor)
        row = re.search(rf'<tr id="balance-{credit.pk}".*?</tr>', html, re.S).group(0)
        assert reverse("credits:history", args=[credit.pk]) in row
        assert "· Set by Adam Admin" in row  # what happened last, and who


# --- who may see and do what ---------------------------------------------------------------


def test_a_principal_reads_but_has_no_buttons_and_cannot_act(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 2)
    lesson = lesson_of(studio)
    client.force_login(studio.principal)
    response = client.get(page_url(studio.sarah))
    assert response.status_code == 200
    html = text(response)
    assert balance_row(html, studio.tutor_a)["booked"] == 1
    assert "Read only" in html
    assert '<form method="post" action="/credits/' not in html
    assert "Book a make-up lesson" not in html
    credit = MakeupCredit.objects.get()
    assert client.get(reverse("credits:history", args=[credit.pk])).status_code == 200

    assert post_book(client, studio.sarah, studio.tutor_a, **HTMX).status_code == 403
    assert complete(client, lesson).status_code == 403
    assert cancel(client, lesson).status_code == 403
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 0)


def test_a_teacher_sees_their_students_and_acts_on_their_own_lessons_only(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 2)
    give(studio, studio.sarah, studio.tutor_b, 1)
    with_a = lesson_of(studio, tutor=studio.tutor_a)
    with_b = held(lesson_of(studio, tutor=studio.tutor_b, days=9))
    client.force_login(studio.tutor_b)  # teaches Violin: Sarah only

    response = client.get(page_url(studio.sarah))
    assert response.status_code == 200
    html = text(response)
    assert balance_row(html, studio.tutor_a) == {"available": 1, "booked": 1, "used": 0, "total": 2}
    assert reverse("credits:complete", args=[with_b.pk]) in html
    assert reverse("credits:complete", args=[with_a.pk]) not in html  # hidden: not theirs
    assert reverse("credits:cancel", args=[with_a.pk]) not in html
    assert "Sarah Samir's available credits are with Amal Adel" in html  # B's is booked

    # Posting anyway: the service refuses, nothing changes.
    response = complete(client, with_a, **HTMX)
    assert response.status_code == 403
    assert "only the tutor or an admin may mark it completed" in text(response)
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 0)
    assert post_book(client, studio.sarah, studio.tutor_a, **HTMX).status_code == 400
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 0)

    # Omar is not in any class of Bassem's: 404, as for another school's student.
    give(studio, studio.omar, studio.tutor_a, 1)
    omar_lesson = lesson_of(studio, student=studio.omar)
    omar_credit = MakeupCredit.objects.get(student=studio.omar)
    assert client.get(page_url(studio.omar)).status_code == 404
    assert client.get(reverse("credits:history", args=[omar_credit.pk])).status_code == 404
    assert cancel(client, omar_lesson).status_code == 404
    assert post_book(client, studio.omar, studio.tutor_a).status_code == 404

    # Amal teaches Omar: she sees him and books with herself.
    client.force_login(studio.tutor_a)
    assert client.get(page_url(studio.omar)).status_code == 200
    assert complete(client, held(with_a), **HTMX).status_code == 200
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 1)


def test_a_student_reads_and_books_their_own_only(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 2)
    give(studio, studio.omar, studio.tutor_a, 1)
    omar_lesson = lesson_of(studio, student=studio.omar)
    client.force_login(studio.sarah.user)

    response = client.get(reverse("credits:my_credits"))
    assert response.status_code == 200
    html = text(response)
    assert "My make-up credits" in html
    assert balance_row(html, studio.tutor_a) == {"available": 2, "booked": 0, "used": 0, "total": 2}
    assert "Omar" not in html

    response = post_book(client, studio.sarah, studio.tutor_a, **HTMX)
    assert response.status_code == 200
    html = text(response)
    assert "Make-up lesson booked with Amal Adel" in html
    lesson = MakeupLesson.objects.get(student=studio.sarah)
    assert lesson.booked_by == studio.sarah.user
    assert reverse("credits:cancel", args=[lesson.pk]) in html  # she may cancel
    assert reverse("credits:complete", args=[lesson.pk]) not in html  # not complete
    assert complete(client, lesson, **HTMX).status_code == 403
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 0)
    response = cancel(client, lesson, follow=True)
    assert response.redirect_chain == [(reverse("credits:my_credits"), 302)]
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 0)

    own = MakeupCredit.objects.get(student=studio.sarah)
    omars = MakeupCredit.objects.get(student=studio.omar)
    assert client.get(reverse("credits:history", args=[own.pk])).status_code == 200
    assert client.get(reverse("credits:history", args=[omars.pk])).status_code == 404
    assert post_book(client, studio.omar, studio.tutor_a).status_code == 404
    assert cancel(client, omar_lesson).status_code == 404
    assert client.get(page_url(studio.sarah)).status_code == 403  # the staff page
    assert balance(studio.omar, studio.tutor_a) == (0, 1, 0)


def test_another_schools_student_pair_and_lesson_are_404(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 2)
    lesson = lesson_of(studio)
    credit = MakeupCredit.objects.get()
    other = make_studio("Other Studio")
    client.force_login(other.admin)
    assert client.get(page_url(studio.sarah)).status_code == 404
    assert client.get(reverse("credits:history", args=[credit.pk])).status_code == 404
    assert complete(client, lesson).status_code == 404
    assert cancel(client, lesson).status_code == 404
    assert post_book(client, studio.sarah, studio.tutor_a).status_code == 404
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 0)


def test_other_roles_and_visitors_are_kept_out(client, studio):
    accountant = UserFactory(school=studio.school, role=Role.ACCOUNTANT)
    client.force_login(accountant)
    assert client.get(page_url(studio.sarah)).status_code == 403
    assert client.get(reverse("credits:my_credits")).status_code == 403
    client.force_login(studio.admin)
    assert client.get(reverse("credits:my_credits")).status_code == 403  # students only
    client.logout()
    response = client.get(page_url(studio.sarah))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(book_url(studio.sarah)).status_code == 302
    assert client.get(reverse("credits:complete", args=[1])).status_code == 302


def test_actions_take_post_only(client, studio):
    give(studio, studio.sarah, studio.tutor_a, 1)
    lesson = lesson_of(studio)
    client.force_login(studio.admin)
    assert client.get(book_url(studio.sarah)).status_code == 405
    assert client.get(reverse("credits:complete", args=[lesson.pk])).status_code == 405
    assert balance(studio.sarah, studio.tutor_a) == (0, 1, 0)


# --- queries -------------------------------------------------------------------------------


# Queries on a tutor's view of a student's page: session, user, school (for today),
# the student (the tutor's scope as subqueries), lessons with tutor and who booked and
# finished, tutors holding an available credit, the ones the user may book with, the
# balances with their last change (subqueries), who made those changes, the form's
# tutor options.
STUDENT_PAGE_QUERIES = 10
# The history: session, user, school (for today), the pair (scope as subqueries), the
# count for the pager, the page's changes with who and the lesson.
HISTORY_QUERIES = 6


def test_the_student_page_does_not_query_per_tutor_or_lesson(
    client, studio, django_assert_num_queries, django_assert_max_num_queries
):
    give(studio, studio.sarah, studio.tutor_a, 5)
    lesson_of(studio)
    client.force_login(studio.tutor_a)
    with django_assert_num_queries(STUDENT_PAGE_QUERIES):
        assert client.get(page_url(studio.sarah)).status_code == 200

    for n in range(6):
        tutor = UserFactory(school=studio.school, role=Role.TEACHER, username=f"extra-{n}")
        give(studio, studio.sarah, tutor, 3)
        complete_makeup_lesson(lesson=held(lesson_of(studio, tutor=tutor)), actor=studio.admin)
        lesson_of(studio, tutor=tutor, days=20 + n)
    with django_assert_max_num_queries(STUDENT_PAGE_QUERIES):
        html = text(client.get(page_url(studio.sarah)))
    assert html.count('class="lesson lesson-') == 13
    assert html.count('<tr id="balance-') == 7


def test_the_history_page_does_not_query_per_row(
    client, studio, django_assert_num_queries, django_assert_max_num_queries
):
    give(studio, studio.sarah, studio.tutor_a, 3)
    credit = MakeupCredit.objects.get()
    client.force_login(studio.tutor_a)
    url = reverse("credits:history", args=[credit.pk])
    with django_assert_num_queries(HISTORY_QUERIES):
        assert client.get(url).status_code == 200
    for _ in range(8):
        complete_makeup_lesson(lesson=held(lesson_of(studio)), actor=studio.tutor_a)
        give(studio, studio.sarah, studio.tutor_a, 3, actor=studio.tutor_a)
    with django_assert_max_num_queries(HISTORY_QUERIES):
        html = text(client.get(url))
    assert html.count('<tr id="change-') == 25


# --- in the browser ------------------------------------------------------------------------


@pytest.fixture
def live_studio(transactional_db):
    studio = make_studio()
    studio.school.timezone = CAIRO
    studio.school.save(update_fields=["timezone"])
    return studio


@pytest.mark.browser
def test_book_then_complete_in_place_and_a_refusal_shows(
    live_server, page, live_studio, time_machine
):
    studio = live_studio
    give(studio, studio.sarah, studio.tutor_a, 3, actor=studio.tutor_a)
    sign_in(page, live_server, studio.tutor_a.username)
    page.goto(f"{live_server.url}{page_url(studio.sarah)}")
    page.evaluate("window.__creditsMarker = 'same page'")

    page.get_by_label("When").fill(SLOT)
    page.get_by_role("button", name="Book make-up lesson").click()
    message = page.locator("#credits-message")
    expect(message).to_contain_text("Make-up lesson booked with Amal Adel on Fri 27 Nov 2026 16:00")
    expect(message).to_be_focused()
    row = page.locator(f"#credits-balances tr[data-tutor='{studio.tutor_a.pk}']")
    expect(row.locator("[data-figure='booked']")).to_have_text("1")

    lesson = MakeupLesson.objects.get()
    # No "Completed" before the lesson's time; the day after, there is.
    expect(page.get_by_role("button", name=re.compile("^Completed"))).to_have_count(0)
    time_machine.move_to(AFTER_SLOT, tick=True)
    page.reload()
    page.evaluate("window.__creditsMarker = 'same page'")
    button = page.get_by_role("button", name=re.compile("^Completed"))
    button.dblclick()  # the second click finds the button disabled, then gone
    expect(message).to_contain_text("marked completed")
    expect(row.locator("[data-figure='used']")).to_have_text("1")
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 1)
    assert CreditChange.objects.filter(kind="completed", lesson=lesson).count() == 1

    # Another tab completed... : a refused action shows its reason in place (409 swapped).
    page.get_by_label("When").fill(LATER_SLOT)
    page.get_by_role("button", name="Book make-up lesson").click()
    expect(message).to_contain_text("Make-up lesson booked")
    later = MakeupLesson.objects.get(status="booked")
    complete_makeup_lesson(lesson=held(later), actor=studio.admin)
    page.get_by_role("button", name=re.compile("^Cancel")).click()
    expect(message).to_contain_text("This make-up lesson is already completed.")
    expect(message).to_have_attribute("role", "alert")
    assert page.evaluate("window.__creditsMarker") == "same page"
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 2)

"""Make-up lessons keep to the calendar: one cannot be booked at a time that has passed, nor
marked completed before its time; one outcome banner shows at a time
(docs/design/credits.md, "Make-up lessons")."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from credits.models import CreditChange, MakeupLesson
from credits.services import CreditError, book_makeup_lesson, complete_makeup_lesson
from tests.browser import sign_in

from .conftest import make_studio
from .factories import balance, book, give

CAIRO = zoneinfo.ZoneInfo("Africa/Cairo")
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=CAIRO)  # Wednesday morning, school-local
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _wednesday_25_november_2026(time_machine):
    time_machine.move_to(NOW, tick=True)


def _studio():
    studio = make_studio()
    studio.school.timezone = "Africa/Cairo"
    studio.school.save(update_fields=["timezone"])
    give(studio, studio.sarah, studio.tutor_a, 2)
    return studio


@pytest.fixture
def studio(db):
    return _studio()


def post_book(client, studio, when, **extra):
    data = {"tutor": studio.tutor_a.pk, "scheduled_for": when, "note": ""}
    return client.post(reverse("credits:book", args=[studio.sarah.pk]), data, **extra)


# --- booking in the past ---------------------------------------------------------------------


def test_booking_yesterday_is_refused_with_the_reason_and_nothing_is_booked(client, studio):
    client.force_login(studio.tutor_a)

    response = post_book(client, studio, "2026-11-24T16:00", **HTMX)

    assert response.status_code == 400
    assert (
        "The make-up lesson was not booked. Tue 24 Nov 2026 16:00 has passed: a make-up "
        "lesson is booked for a time to come. Choose a later date or time."
    ) in response.content.decode()
    assert not MakeupLesson.objects.exists()
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 0)


def test_booking_this_afternoon_is_accepted(client, studio):
    client.force_login(studio.tutor_a)

    response = post_book(client, studio, "2026-11-25T16:00", **HTMX)

    assert response.status_code == 200
    assert "Make-up lesson booked with Amal Adel on Wed 25 Nov 2026 16:00" in (
        response.content.decode()
    )


def test_the_service_refuses_a_past_time_and_writes_nothing(studio):
    with pytest.raises(CreditError, match="has passed"):
        book_makeup_lesson(
            student=studio.sarah,
            tutor=studio.tutor_a,
            scheduled_for=NOW - datetime.timedelta(minutes=1),
            actor=studio.admin,
        )
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 0)
    assert not CreditChange.objects.filter(kind="booked").exists()


# --- completing before the lesson ------------------------------------------------------------


def test_a_lesson_to_come_has_no_completed_button_and_completing_it_is_refused(client, studio):
    lesson = book(studio.sarah, studio.tutor_a, actor=studio.admin, days=2)
    complete_url = reverse("credits:complete", args=[lesson.pk])
    client.force_login(studio.tutor_a)

    page = client.get(reverse("credits:student", args=[studio.sarah.pk])).content.decode()
    response = client.post(complete_url, **HTMX)

    assert complete_url not in page
    assert reverse("credits:cancel", args=[lesson.pk]) in page  # cancelling stays possible
    assert response.status_code == 409
    assert (
        "This make-up lesson is on Fri 27 Nov 2026 09:00: it can be marked completed once "
        "it has taken place."
    ) in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.status == MakeupLesson.Status.BOOKED
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 0)


def test_once_its_time_has_come_the_lesson_can_be_completed(client, studio, time_machine):
    lesson = book(studio.sarah, studio.tutor_a, actor=studio.admin, days=2)
    time_machine.move_to(NOW + datetime.timedelta(days=2, hours=1), tick=True)
    client.force_login(studio.tutor_a)

    page = client.get(reverse("credits:student", args=[studio.sarah.pk])).content.decode()
    response = client.post(reverse("credits:complete", args=[lesson.pk]), **HTMX)

    assert reverse("credits:complete", args=[lesson.pk]) in page
    assert response.status_code == 200
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 1)


def test_the_service_refuses_to_complete_a_lesson_to_come(studio):
    lesson = book(studio.sarah, studio.tutor_a, actor=studio.admin, days=2)

    with pytest.raises(CreditError, match="once it has taken place"):
        complete_makeup_lesson(lesson=lesson, actor=studio.admin)

    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 0)
    assert not CreditChange.objects.filter(kind="completed").exists()


# --- one banner at a time (browser) -----------------------------------------------------------


@pytest.fixture
def live_studio(transactional_db):
    return _studio()


@pytest.mark.browser
def test_a_new_outcome_replaces_the_banner_left_by_the_last_one(live_server, page, live_studio):
    studio = live_studio
    url = f"{live_server.url}{reverse('credits:student', args=[studio.sarah.pk])}"
    sign_in(page, live_server, studio.tutor_a.username)
    page.goto(url)
    # A booking without htmx (as with scripts off) leaves its outcome as a page banner.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{live_server.url}{reverse('credits:book', args=[studio.sarah.pk])}",
        form={
            "csrfmiddlewaretoken": token,
            "tutor": str(studio.tutor_a.pk),
            "scheduled_for": "2026-11-26T16:00",
        },
        headers={"Referer": url},
        max_redirects=0,  # the page below shows the banner, as the redirect would
    )
    assert response.status == 302
    page.goto(url)
    expect(page.locator(".messages")).to_contain_text("on Thu 26 Nov 2026 16:00")

    page.get_by_label("When").fill("2026-11-27T16:00")
    page.get_by_role("button", name="Book make-up lesson").click()

    expect(page.locator("#credits-message")).to_contain_text("on Fri 27 Nov 2026 16:00")
    expect(page.locator(".messages")).to_have_count(0)
    expect(page.get_by_text(re.compile("Make-up lesson booked"))).to_have_count(1)

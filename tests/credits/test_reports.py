"""Make-up credit reports (docs/design/credits.md, "Reporting"): the per-tutor figures of a
period, who sees which, the CSV export, and clearing a departed tutor's credits."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.models import Role
from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.reports import percent, period_bounds, students_with_several_tutors, tutor_report
from credits.services import (
    book_makeup_lesson,
    cancel_makeup_lesson,
    complete_makeup_lesson,
    set_available_credits,
)
from tests.academics.factories import SchoolFactory, UserFactory
from tests.credits.factories import held

from .conftest import make_studio

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 15, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


class Clock:
    """`timezone.now()` (the services' clock and every auto_now field) under the test's
    control, so the figures of a period do not depend on when the tests run."""

    def __init__(self, monkeypatch):
        self.now = NOW
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def days_ago(self, days: float) -> "Clock":
        self.now = NOW - datetime.timedelta(days=days)
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def set_credits(students, tutor, amount, actor):
    return set_available_credits(students=students, tutor=tutor, amount=amount, actor=actor)


def book(student, tutor):
    return book_makeup_lesson(
        student=student,
        tutor=tutor,
        scheduled_for=timezone.now() + datetime.timedelta(days=2),
        actor=tutor,
    )


@pytest.fixture
def history(studio, clock):
    """Credits issued and used over four months (Tutor A: Amal Adel, Tutor B: Bassem Badr).

    100 days ago (before the default period): Sarah gets 2 with A.
    30 days ago: A sets Sarah 2→3 (+1), Omar 0→2 (+2), Lina 0→1 (+1); B sets Sarah 0→2.
    20 days ago: Sarah and Omar book with A, Sarah books with B.
    10 and 9 days ago: A completes Sarah's (20 days after the set) and Omar's (21 days).
    8 days ago: Sarah's lesson with B is cancelled.
    5 days ago: A sets Lina 1→0 (issues nothing).
    """
    a, b = studio.tutor_a, studio.tutor_b
    clock.days_ago(100)
    set_credits([studio.sarah], a, 2, studio.admin)
    clock.days_ago(30)
    set_credits([studio.sarah], a, 3, a)
    set_credits([studio.omar], a, 2, a)
    set_credits([studio.lina], a, 1, a)
    set_credits([studio.sarah], b, 2, b)
    clock.days_ago(20)
    sarah_a, omar_a, sarah_b = book(studio.sarah, a), book(studio.omar, a), book(studio.sarah, b)
    clock.days_ago(10)
    complete_makeup_lesson(lesson=held(sarah_a), actor=a)
    clock.days_ago(9)
    complete_makeup_lesson(lesson=held(omar_a), actor=a)
    clock.days_ago(8)
    cancel_makeup_lesson(lesson=sarah_b, actor=b)
    clock.days_ago(5)
    set_credits([studio.lina], a, 0, a)
    clock.now = NOW
    return studio


def figures(row) -> dict:
    return {
        "issued": row.issued,
        "booked": row.lessons_booked,
        "completed": row.lessons_completed,
        "cancelled": row.lessons_cancelled,
        "now": (row.available, row.booked, row.used),
        "liability": row.liability,
        "booking_rate": row.booking_rate,
        "usage_rate": row.usage_rate,
        "days": row.average_days_to_use,
    }


def rows_by_name(report) -> dict:
    return {str(row.tutor): row for row in report.tutors}


def get_report(client, user, **query):
    client.force_login(user)
    return client.get(reverse("credits:reports"), query)


# --- the figures --------------------------------------------------------------------------


def test_the_default_period_shows_each_tutors_figures(client, history):
    response = get_report(client, history.admin)

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.start, report.end) == (TODAY - datetime.timedelta(days=89), TODAY)
    rows = rows_by_name(report)
    assert list(rows) == ["Amal Adel", "Bassem Badr"]  # by name
    assert figures(rows["Amal Adel"]) == {
        "issued": 4,  # +1 +2 +1 in the period; the 2 of 100 days ago and the set to 0 don't count
        "booked": 2,
        "completed": 2,
        "cancelled": 0,
        "now": (3, 0, 2),  # Sarah 2, Omar 1, Lina 0 available; two used
        "liability": 3,
        "booking_rate": Decimal("50.0"),
        "usage_rate": Decimal("100.0"),
        "days": Decimal("20.5"),  # 20 and 21 days from the set to the completion
    }
    assert figures(rows["Bassem Badr"]) == {
        "issued": 2,
        "booked": 1,
        "completed": 0,
        "cancelled": 1,
        "now": (2, 0, 0),  # the cancelled lesson gave the credit back
        "liability": 2,
        "booking_rate": Decimal("50.0"),
        "usage_rate": Decimal("0.0"),
        "days": None,
    }
    totals = report.totals
    assert (totals.issued, totals.lessons_booked, totals.liability) == (6, 3, 5)
    assert (totals.booking_rate, totals.usage_rate, totals.average_days_to_use) == (
        Decimal("50.0"),
        Decimal("66.7"),
        Decimal("20.5"),
    )

    page = response.content.decode()
    assert 'data-total="liability">5<' in page
    assert 'data-total="usage_rate">66.7 %<' in page
    assert 'data-col="average_days">20.5<' in page
    assert 'data-col="average_days">—<' in page  # Bassem: nothing completed


def test_a_shorter_period_counts_only_what_happened_in_it(client, history):
    start = TODAY - datetime.timedelta(days=9)
    response = get_report(client, history.admin, start=start.isoformat(), end=TODAY.isoformat())

    rows = rows_by_name(response.context["report"])
    amal = figures(rows["Amal Adel"])
    assert (amal["issued"], amal["booked"], amal["completed"]) == (0, 0, 1)  # Omar's, 9 days ago
    assert amal["now"] == (3, 0, 2)  # balances are today's, whatever the period
    assert (amal["booking_rate"], amal["usage_rate"], amal["days"]) == (None, None, Decimal("21.0"))
    assert figures(rows["Bassem Badr"])["cancelled"] == 1
    assert 'data-col="booking_rate">—<' in response.content.decode()


def test_tutors_without_credits_are_left_out_unless_asked_for(client, history):
    UserFactory(school=history.school, role=Role.TEACHER, first_name="Nadia", last_name="Nour")

    default = get_report(client, history.admin)
    every = client.get(reverse("credits:reports"), {"all": "1"})

    assert [str(r.tutor) for r in default.context["rows"]] == ["Amal Adel", "Bassem Badr"]
    page = default.content.decode()
    assert "1 tutor without credits or make-up lessons not shown" in page
    assert "Nadia Nour" not in page
    assert [str(r.tutor) for r in every.context["rows"]] == [
        "Amal Adel",
        "Bassem Badr",
        "Nadia Nour",
    ]
    assert "all=1" in every.content.decode().split("Download CSV")[0]  # the CSV link keeps it
    assert every.context["report"].totals.issued == default.context["report"].totals.issued
    _header, *rows = read_csv(client.get(reverse("credits:reports_export")))
    assert [row[0] for row in rows] == ["Amal Adel", "Bassem Badr"]
    _header, *rows = read_csv(client.get(reverse("credits:reports_export"), {"all": "1"}))
    assert [row[0] for row in rows] == ["Amal Adel", "Bassem Badr", "Nadia Nour"]


def test_a_period_is_the_schools_local_days(studio, clock):
    studio.school.timezone = "Africa/Cairo"  # UTC+3 in October 2026
    studio.school.save()
    day = datetime.date(2026, 10, 10)
    since, until = period_bounds(school=studio.school, start=day, end=day)
    assert (since.isoformat(), until.isoformat()) == (
        "2026-10-10T00:00:00+03:00",
        "2026-10-11T00:00:00+03:00",
    )
    clock.now = datetime.datetime(2026, 10, 10, 22, 30, tzinfo=datetime.UTC)  # 01:30 on the 11th
    set_credits([studio.sarah], studio.tutor_a, 2, studio.admin)

    on_the_10th = tutor_report(school=studio.school, start=day, end=day)
    on_the_11th = tutor_report(
        school=studio.school, start=day.replace(day=11), end=day.replace(day=11)
    )
    assert on_the_10th.totals.issued == 0
    assert on_the_11th.totals.issued == 2


def test_rates_say_nothing_rather_than_divide_by_zero():
    assert percent(0, 0) is None
    assert percent(1, 3) == Decimal("33.3")
    assert percent(3, 2) == Decimal("150.0")  # credits issued before the period were booked


def test_another_schools_credits_are_not_counted(client, history, clock):
    other = make_studio("Other Studio")
    set_credits([other.sarah], other.tutor_a, 9, other.admin)

    rows = rows_by_name(get_report(client, history.admin).context["report"])

    assert rows["Amal Adel"].issued == 4 and rows["Amal Adel"].tutor.school_id == history.school.pk
    assert len(rows) == 2


def test_students_with_credits_with_several_tutors_are_listed_with_the_breakdown(client, history):
    response = get_report(client, history.admin)

    several = response.context["several"]
    assert [str(entry.student) for entry in several] == ["Sarah Samir"]
    assert [(str(h.tutor), h.available, h.booked) for h in several[0].holdings] == [
        ("Amal Adel", 2, 0),
        ("Bassem Badr", 2, 0),
    ]
    page = response.content.decode()
    assert "Amal Adel: 2 available" in page and "Bassem Badr: 2 available" in page


def test_a_student_counts_as_holding_while_a_lesson_is_booked(history, clock):
    book(history.omar, history.tutor_a)  # Omar: 0 available, 1 booked with A
    set_credits([history.omar], history.tutor_b, 1, history.admin)

    several = students_with_several_tutors(school=history.school)

    omar = next(entry for entry in several if entry.student == history.omar)
    assert [(str(h.tutor), h.available, h.booked) for h in omar.holdings] == [
        ("Amal Adel", 0, 1),
        ("Bassem Badr", 1, 0),
    ]
    set_credits([history.sarah], history.tutor_b, 0, history.admin)  # Sarah: only A now
    assert history.sarah not in [
        e.student for e in students_with_several_tutors(school=history.school)
    ]


# --- who sees what ------------------------------------------------------------------------


def test_a_tutor_sees_only_their_own_figures(client, history):
    response = get_report(client, history.tutor_b)

    assert response.status_code == 200
    assert list(rows_by_name(response.context["report"])) == ["Bassem Badr"]
    page = response.content.decode()
    assert "your figures" in page and "Clear credits" not in page
    assert f'data-tutor="{history.tutor_a.pk}"' not in page
    # Sarah holds credits with Bassem too: he sees that she also has some with Amal.
    assert [str(e.student) for e in response.context["several"]] == ["Sarah Samir"]


def test_a_tutor_sees_no_other_tutors_students_in_the_several_tutors_list(client, history, clock):
    set_credits([history.omar], history.tutor_b, 1, history.admin)  # Omar: A and B
    set_credits([history.sarah], history.tutor_b, 0, history.admin)  # Sarah: A only
    hod = UserFactory(school=history.school, role=Role.HOD, first_name="Hana", last_name="Hod")

    as_b = get_report(client, history.tutor_b).context["several"]
    as_hod = get_report(client, hod)

    assert [str(e.student) for e in as_b] == ["Omar Osman"]
    assert as_hod.status_code == 200
    assert list(rows_by_name(as_hod.context["report"])) == ["Hana Hod"]
    assert as_hod.context["several"] == []


def test_a_principal_reads_everyone_but_clears_nothing(client, history):
    history.tutor_b.is_active = False
    history.tutor_b.save()

    response = get_report(client, history.principal)

    assert list(rows_by_name(response.context["report"])) == ["Amal Adel", "Bassem Badr"]
    assert "Left" in response.content.decode()
    assert "Clear credits" not in response.content.decode()
    cleared = client.post(reverse("credits:clear_tutor", args=[history.tutor_b.pk]))
    assert cleared.status_code == 403


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ACCOUNTANT])
def test_students_and_accountants_get_no_reports(client, studio, role):
    client.force_login(UserFactory(school=studio.school, role=role))
    assert client.get(reverse("credits:reports")).status_code == 403
    assert client.get(reverse("credits:reports_export")).status_code == 403


def test_signing_in_comes_first(client, studio):
    response = client.get(reverse("credits:reports"))
    assert response.status_code == 302 and "/login/" in response.url


def test_a_period_ending_before_it_starts_is_explained(client, history):
    response = get_report(client, history.admin, start="2026-10-10", end="2026-10-01")

    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date is before the start date." in page
    report = response.context["report"]
    assert (report.start, report.end) == (TODAY - datetime.timedelta(days=89), TODAY)


def test_the_period_inputs_show_the_default_period(client, history):
    page = get_report(client, history.admin).content.decode()
    start = (TODAY - datetime.timedelta(days=89)).isoformat()
    assert f'value="{start}"' in page and f'value="{TODAY.isoformat()}"' in page


def test_an_htmx_request_gets_the_report_only(client, history):
    client.force_login(history.admin)
    response = client.get(
        reverse("credits:reports"),
        {"start": "2026-09-01", "end": "2026-10-15"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="credit-report"')
    assert "<html" not in page and "1 Sep 2026 – 15 Oct 2026" in page
    assert "start=2026-09-01&amp;end=2026-10-15" in page  # the CSV link follows the period


def test_the_query_count_does_not_grow_with_the_tutors(
    client, history, clock, django_assert_max_num_queries
):
    client.force_login(history.admin)

    def queries() -> int:
        # session, user, school; the tutors; credits issued, lessons and balances grouped
        # by tutor; the students with several tutors (tutors and students joined in)
        with django_assert_max_num_queries(8) as captured:
            assert client.get(reverse("credits:reports")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        tutor = UserFactory(school=history.school, role=Role.TEACHER, last_name=f"Extra{n}")
        set_credits([history.sarah, history.omar], tutor, 2, history.admin)
        book(history.sarah, tutor)
        if n % 2:
            tutor.is_active = False
            tutor.save()
    response = client.get(reverse("credits:reports"))
    assert len(response.context["report"].tutors) == 10
    assert len(response.context["several"]) == 2
    assert queries() == few


# --- the CSV export -----------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_has_the_tables_rows_for_the_period(client, history):
    client.force_login(history.admin)
    start = TODAY - datetime.timedelta(days=89)

    response = client.get(reverse("credits:reports_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        f"makeup-credits-{start.isoformat()}-to-{TODAY.isoformat()}.csv"
        in (response["Content-Disposition"])
    )
    header, *rows = read_csv(response)
    assert header[:3] == ["Tutor", "Left the school", "Credits issued"]
    assert rows == [
        ["Amal Adel", "no", "4", "2", "2", "0", "3", "0", "2", "3", "2", "50.0", "100.0", "20.5"],
        ["Bassem Badr", "no", "2", "1", "0", "1", "2", "0", "0", "2", "1", "50.0", "0.0", ""],
    ]


def test_a_tutors_export_is_their_own_line(client, history):
    client.force_login(history.tutor_a)
    response = client.get(reverse("credits:reports_export"), {"start": "2026-10-06"})
    _header, *rows = read_csv(response)
    assert [row[0] for row in rows] == ["Amal Adel"]
    assert rows[0][4] == "1"  # completed since 6 October: only Omar's (on the 6th)


def test_an_export_of_a_bad_period_goes_back_to_the_report(client, history):
    client.force_login(history.admin)
    response = client.get(reverse("credits:reports_export"), {"start": "2026-10-10", "end": "x"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("credits:reports") + "?")


# --- a departed tutor's credits -----------------------------------------------------------


@pytest.fixture
def departed(history, clock):
    """Bassem has left: Omar got a credit with him and booked it; Sarah still has 2."""
    set_credits([history.omar], history.tutor_b, 1, history.admin)
    book(history.omar, history.tutor_b)
    history.tutor_b.is_active = False
    history.tutor_b.save()
    return history


def test_a_departed_tutor_is_marked_and_an_admin_may_clear_their_credits(client, departed):
    response = get_report(client, departed.admin)

    row = rows_by_name(response.context["report"])["Bassem Badr"]
    assert row.has_left and row.liability == 3  # Sarah 2 available, Omar 1 booked
    page = response.content.decode()
    assert "Left" in page
    assert reverse("credits:clear_tutor", args=[departed.tutor_b.pk]) in page
    assert reverse("credits:clear_tutor", args=[departed.tutor_a.pk]) not in page


def test_clearing_asks_first_and_changes_nothing_until_confirmed(client, departed):
    client.force_login(departed.admin)
    before = list(MakeupCredit.objects.order_by("pk").values_list("available", "booked", "used"))

    response = client.post(reverse("credits:clear_tutor", args=[departed.tutor_b.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Clear 3 make-up credits that Bassem Badr still owes 2 students?" in page
    assert "2 available credits set to 0." in page
    assert "1 booked make-up lesson cancelled" in page
    assert 'name="confirmed" value="yes"' in page
    after = list(MakeupCredit.objects.order_by("pk").values_list("available", "booked", "used"))
    assert after == before


def test_confirmed_clearing_clears_logs_and_says_so(client, departed):
    client.force_login(departed.admin)
    url = reverse("credits:clear_tutor", args=[departed.tutor_b.pk])

    response = client.post(
        url, {"confirmed": "yes", "note": "Moved abroad", "start": "2026-09-01"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("credits:reports") + "?start=2026-09-01"
    assert "Cleared 3 make-up credits of Bassem Badr" in response.content.decode()
    assert set(
        MakeupCredit.objects.filter(tutor=departed.tutor_b).values_list("available", "booked")
    ) == {(0, 0)}
    assert not MakeupLesson.objects.filter(
        tutor=departed.tutor_b, status=MakeupLesson.Status.BOOKED
    ).exists()
    cleared = CreditChange.objects.filter(kind=CreditChange.Kind.CLEARED)
    assert {(c.student, c.changed_by, c.note) for c in cleared} == {
        (departed.sarah, departed.admin, "Moved abroad"),
        (departed.omar, departed.admin, "Moved abroad"),
    }
    row = rows_by_name(response.context["report"])["Bassem Badr"]
    assert row.liability == 0
    assert "Clear credits" not in response.content.decode()  # nothing left to clear


def test_an_active_tutors_credits_are_not_cleared(client, history):
    client.force_login(history.admin)
    url = reverse("credits:clear_tutor", args=[history.tutor_a.pk])

    response = client.post(url, {"confirmed": "yes"}, follow=True)

    assert "Amal Adel is still active" in response.content.decode()
    assert MakeupCredit.objects.get(student=history.sarah, tutor=history.tutor_a).available == 2


def test_clearing_another_schools_tutor_is_not_found_and_get_is_refused(client, departed):
    other = make_studio("Other Studio")
    other.tutor_a.is_active = False
    other.tutor_a.save()
    client.force_login(departed.admin)

    assert client.post(reverse("credits:clear_tutor", args=[other.tutor_a.pk])).status_code == 404
    assert client.get(reverse("credits:clear_tutor", args=[departed.tutor_b.pk])).status_code == 405
    client.force_login(departed.tutor_a)
    url = reverse("credits:clear_tutor", args=[departed.tutor_b.pk])
    assert client.post(url, {"confirmed": "yes"}).status_code == 403
    assert MakeupCredit.objects.get(student=departed.sarah, tutor=departed.tutor_b).available == 2


def test_a_superuser_of_no_school_is_refused_rather_than_failing(client, history):
    root = UserFactory(school=None, role=Role.ADMIN, is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("credits:reports")).status_code == 403


def test_a_school_without_tutors_shows_an_empty_report(client, clock):
    school = SchoolFactory()
    admin = UserFactory(school=school, role=Role.ADMIN)
    response = get_report(client, admin)
    assert response.status_code == 200
    assert "No tutors yet." in response.content.decode()

"""A guardian's pages (docs/manual/guardians.md): their children, each child's attendance,
bills and make-up credits, and booking or cancelling a make-up lesson for a child
(docs/design/credits.md, "Student/guardian books session")."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academics.models import Guardianship, Role
from academics.services.people import set_guardian_notifications
from attendance.models import Status
from billing.models import Bill
from credits.models import MakeupCredit, MakeupLesson
from credits.services import (
    CreditPermissionError,
    book_makeup_lesson,
    complete_makeup_lesson,
    set_available_credits,
)
from tests.academics.factories import (
    GuardianProfileFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentProfileFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory
from tests.credits.factories import held

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
SLOT = "2026-11-27T16:00"  # Friday afternoon, school-local


@pytest.fixture(autouse=True)
def _monday_23_november_2026(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 11, 23, 11, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Cairo")),
        tick=True,
    )


class Family:
    """A school with a teacher-tutor, a class, a guardian and their children (each absent
    today, present last Monday, absent the Monday before; billed 3 sessions with 100 paid;
    2 make-up credits with the teacher), and a child of another family."""

    def __init__(self, children: int = 1):
        self.school = SchoolFactory(timezone="Africa/Cairo")
        self.teacher = UserFactory(school=self.school, role=Role.TEACHER, last_name="Tutorson")
        self.admin = UserFactory(school=self.school, role=Role.ADMIN)
        self.school_class = SchoolClassFactory(
            school=self.school, name="Chemistry 7Q", price_per_session=Decimal("100")
        )
        self.guardian = GuardianProfileFactory(school=self.school)
        self.children = [self.add_child(f"Kid{n}") for n in range(children)]
        self.stranger = self.add_child("Stranger", linked=False)

    def add_child(self, last_name: str, *, linked: bool = True):
        student = StudentProfileFactory(school=self.school)
        student.user.last_name = last_name
        student.user.save()
        membership = MembershipFactory(
            school_class=self.school_class, student=student, joined_on=datetime.date(2026, 9, 1)
        )
        for days, status in ((0, Status.ABSENT), (7, Status.PRESENT), (14, Status.ABSENT)):
            AttendanceRecordFactory(
                membership=membership,
                date=MONDAY - datetime.timedelta(days=days),
                period_number=1,
                status=status,
            )
        Bill.objects.create(
            school=self.school,
            student=student,
            school_class=self.school_class,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
            price_per_session=Decimal("100"),
            sessions_attended=3,
            amount=Decimal("300"),
            paid_amount=Decimal("100"),
            currency="EGP",
            due_date=datetime.date(2026, 11, 30),
        )
        set_available_credits(students=[student], tutor=self.teacher, amount=2, actor=self.admin)
        if linked:
            Guardianship.objects.create(
                school=self.school, guardian=self.guardian, student=student, relationship="Father"
            )
        return student

    @property
    def child(self):
        return self.children[0]


def signed_in(client, family: Family):
    client.force_login(family.guardian.user)
    return client


def test_my_children_lists_each_child_with_today_percentage_owed_and_credits(client):
    family = Family(children=2)
    page = signed_in(client, family).get(reverse("guardians:children"))

    assert page.status_code == 200
    text = page.content.decode()
    for child in family.children:
        assert reverse("guardians:child", args=[child.pk]) in text
    assert "Stranger" not in text
    rows = page.context["children"]
    assert [row.student for row in rows] == family.children
    for row in rows:
        assert [r.status for r in row.today] == [Status.ABSENT]
        assert row.absent_today
        assert row.percentage == Decimal("33.3")  # 1 present of 3 countable
        assert row.owed == Decimal("200")
        assert row.credits_available == 2


def _queries(client, family) -> int:
    signed_in(client, family)
    client.get(reverse("guardians:children"))  # the first request of a session reads more
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("guardians:children")).status_code == 200
    return len(queries)


def test_my_children_runs_the_same_queries_for_one_child_or_four(client):
    one, four = _queries(client, Family(children=1)), _queries(client, Family(children=4))
    assert one == four


def test_a_childs_page_shows_today_the_percentage_absences_bills_and_credits(client):
    family = Family()
    page = signed_in(client, family).get(reverse("guardians:child", args=[family.child.pk]))

    assert page.status_code == 200
    context = page.context
    assert [line.status for line in context["report"].day_lines] == [Status.ABSENT]
    assert context["percentage"] == Decimal("33.3")
    assert [r.date for r in context["absences"]] == [MONDAY, MONDAY - datetime.timedelta(14)]
    assert (context["owed"], context["paid"]) == (Decimal("200"), Decimal("100"))
    assert [(c.tutor, c.available) for c in context["balances"]] == [(family.teacher, 2)]
    text = page.content.decode()
    assert reverse("attendance:student_report", args=[family.child.pk]) in text
    assert "Period 1" in text and "Absent" in text

    report = client.get(reverse("attendance:student_report", args=[family.child.pk]))
    assert report.status_code == 200
    assert reverse("attendance:register") not in report.content.decode()


def test_a_child_page_runs_the_same_queries_whatever_the_bills_and_lessons(client):
    family = Family()
    url = reverse("guardians:child", args=[family.child.pk])
    signed_in(client, family)
    client.get(url)  # the first request of a session reads a little more
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for days in (1, 2):
        book_makeup_lesson(
            student=family.child,
            tutor=family.teacher,
            scheduled_for=datetime.datetime(2026, 12, days, 16, tzinfo=datetime.UTC),
            actor=family.admin,
        )
    # Credits left to book with, so the booking form shows as before.
    set_available_credits(
        students=[family.child], tutor=family.teacher, amount=2, actor=family.admin
    )
    Bill.objects.create(
        school=family.school,
        student=family.child,
        school_class=family.school_class,
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 9, 30),
        price_per_session=Decimal("100"),
        sessions_attended=1,
        amount=Decimal("100"),
        currency="EGP",
        due_date=datetime.date(2026, 10, 30),
    )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_guardian_books_and_cancels_a_make_up_lesson_for_their_child(client):
    family = Family()
    signed_in(client, family)
    url = reverse("guardians:book", args=[family.child.pk])

    response = client.post(url, {"tutor": family.teacher.pk, "scheduled_for": SLOT, "note": ""})

    assert response.status_code == 302
    lesson = MakeupLesson.objects.get(student=family.child)
    assert lesson.booked_by == family.guardian.user
    assert lesson.scheduled_for == datetime.datetime(2026, 11, 27, 14, 0, tzinfo=datetime.UTC)
    credit = MakeupCredit.objects.get(student=family.child)
    assert (credit.available, credit.booked) == (1, 1)
    page = client.get(response.url)
    assert "booked with" in page.content.decode()

    cancel = reverse("guardians:cancel", args=[family.child.pk, lesson.pk])
    assert client.post(cancel).status_code == 302
    credit.refresh_from_db()
    assert (credit.available, credit.booked) == (2, 0)
    # A second click: no longer booked, refused, nothing changes.
    assert client.post(cancel).status_code == 409
    credit.refresh_from_db()
    assert (credit.available, credit.booked) == (2, 0)


def test_booking_without_a_tutor_or_with_one_holding_no_credit_writes_nothing(client):
    family = Family()
    other_tutor = UserFactory(school=family.school, role=Role.TEACHER)
    signed_in(client, family)
    url = reverse("guardians:book", args=[family.child.pk])

    empty = client.post(url, {})
    wrong = client.post(url, {"tutor": other_tutor.pk, "scheduled_for": SLOT})

    assert (empty.status_code, wrong.status_code) == (400, 400)
    assert "no make-up credit available with that tutor" in wrong.content.decode()
    assert not MakeupLesson.objects.exists()


def test_the_credit_service_lets_a_guardian_book_and_cancel_only_for_their_own_child():
    family = Family()
    guardian = family.guardian.user
    when = datetime.datetime(2026, 11, 27, 14, 0, tzinfo=datetime.UTC)

    lesson = book_makeup_lesson(
        student=family.child, tutor=family.teacher, scheduled_for=when, actor=guardian
    )
    with pytest.raises(CreditPermissionError):
        complete_makeup_lesson(lesson=held(lesson), actor=guardian)  # the tutor's to complete
    with pytest.raises(CreditPermissionError):
        book_makeup_lesson(
            student=family.stranger, tutor=family.teacher, scheduled_for=when, actor=guardian
        )
    assert MakeupCredit.objects.get(student=family.stranger).available == 2


def test_a_guardian_without_children_sees_a_notice(client):
    guardian = GuardianProfileFactory(school=SchoolFactory())
    client.force_login(guardian.user)
    page = client.get(reverse("guardians:children"))
    assert page.status_code == 200
    assert "No child is linked to your account yet" in page.content.decode()


def test_a_guardian_switches_off_absence_emails_and_keeps_bill_emails(client):
    family = Family()
    signed_in(client, family)
    page = client.get(reverse("guardians:email_settings")).content.decode()
    assert 'name="notify_absences" checked' in page.replace(' id="id_notify_absences"', "")
    response = client.post(reverse("guardians:email_settings"), {"notify_bills": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("guardians:children")
    family.guardian.refresh_from_db()
    assert (family.guardian.notify_absences, family.guardian.notify_bills) == (False, True)
    shown = client.get(response["Location"]).content.decode()
    assert "Your email settings are saved." in shown


def test_only_the_guardian_or_their_schools_admin_may_change_the_emails():
    family, other = Family(), Family()
    with pytest.raises(PermissionError):
        set_guardian_notifications(
            profile=family.guardian, absences=False, bills=False, actor=other.admin
        )
    with pytest.raises(PermissionError):
        set_guardian_notifications(
            profile=family.guardian, absences=False, bills=False, actor=other.guardian.user
        )
    set_guardian_notifications(
        profile=family.guardian, absences=False, bills=True, actor=family.admin
    )
    family.guardian.refresh_from_db()
    assert family.guardian.notify_absences is False

"""A school's first day, end to end in the browser (issue "day one"): a teacher signs in
through the school's OpenID Connect provider (a real one, tests/oidc) as the imported
teacher, marks a student absent; the task worker sends that student's guardian one email;
the guardian follows an invitation, sets a password, and sees the absence and the bill.
(docs/operations/sign-in.md, docs/design/notifications.md, docs/manual/guardians.md)"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from academics.models import Guardianship, Role
from academics.services.invitations import send_invitations
from billing.models import Bill
from tests.academics.factories import (
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.marking.support import student_in
from tests.mailqueue import queued_mail, run_worker  # noqa: F401  (fixture)
from tests.sso import oidc_issuer, school_id_sso, sign_in_at_the_provider  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")


def imported(user):
    """As the roster import leaves people: no password of their own."""
    user.set_unusable_password()
    user.save()
    return user


def a_zone_where_it_is_morning() -> str:
    """A time zone where it is now between 06:00 and 10:00, so the school's day has its
    12:00 notice time still ahead whatever the hour the test runs (or `--clock` says)."""
    now = datetime.datetime.now(datetime.UTC)
    for hours in range(-12, 15):
        name = f"Etc/GMT{-hours:+d}" if hours else "Etc/UTC"  # Etc/GMT-3 is UTC+3
        if 6 <= now.astimezone(ZoneInfo(name)).hour < 10:
            return name
    raise AssertionError("every hour has a zone where it is morning")


@pytest.fixture
def first_day(transactional_db):
    school = SchoolFactory(
        name="Nile Academy", timezone=a_zone_where_it_is_morning(), currency="EGP"
    )
    today = school.today()
    teacher = imported(
        UserFactory(
            school=school,
            role=Role.TEACHER,
            username="t.hughes",
            first_name="Tom",
            last_name="Hughes",
            email="Tom.Hughes@School.example",
        )
    )
    maths = SchoolClassFactory(school=school, name="Maths 9A", price_per_session=Decimal("50"))
    slot = TimetableSlotFactory(
        school_class=maths, teacher=teacher, period_number=1, weekday=today.weekday()
    )
    yara = student_in(maths, "Young", "Yara").student
    student_in(maths, "Adams", "Ali")
    mona = imported(
        UserFactory(
            school=school,
            role=Role.GUARDIAN,
            username="mona.young",
            first_name="Mona",
            last_name="Young",
            email="mona@home.example",
        )
    )
    Guardianship.objects.create(
        school=school, guardian=mona.guardian_profile, student=yara, relationship="mother"
    )
    Bill.objects.create(
        school=school,
        student=yara,
        school_class=maths,
        period_start=today - datetime.timedelta(days=30),
        period_end=today - datetime.timedelta(days=1),
        price_per_session=Decimal("50"),
        sessions_attended=4,
        amount=Decimal("200"),
        paid_amount=Decimal("0"),
        currency="EGP",
        due_date=today + datetime.timedelta(days=20),
    )
    return {"today": today, "slot": slot, "yara": yara, "mona": mona}


@pytest.mark.usefixtures("school_id_sso", "queued_mail")
def test_day_one_sign_in_mark_notify_invite(live_server, page, first_day, time_machine):
    slot, yara, mona = first_day["slot"], first_day["yara"], first_day["mona"]

    # The teacher signs in through the school's provider and marks Yara absent.
    sign_in_at_the_provider(page, live_server, "tom.hughes@school.example", "idp-teacher-pw")
    expect(page.locator(".who")).to_contain_text("Tom Hughes · Nile Academy · Teacher")
    mark = reverse("attendance:mark", kwargs={"slot_id": slot.pk, "day": first_day["today"]})
    page.goto(f"{live_server.url}{mark}")
    yara_row = page.get_by_role("row", name=re.compile("Yara Young"))
    yara_row.get_by_role("radio", name="Present", exact=True).focus()
    page.keyboard.press("2")  # Absent (the marking screen's keys)
    expect(yara_row.get_by_role("radio", name="Absent", exact=True)).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".messages")).to_contain_text("Saved attendance for 2 students")
    page.get_by_role("button", name="Sign out").click()

    # Past the school's notice time (and the few minutes a correction may still come), the
    # worker sends Mona one email; still the same school day.
    school = slot.school
    notice_time = datetime.datetime.combine(
        first_day["today"], school.absence_notice_time, tzinfo=ZoneInfo(school.timezone)
    )
    now = datetime.datetime.now(datetime.UTC)
    time_machine.move_to(max(notice_time, now + datetime.timedelta(minutes=11)), tick=True)
    assert school.today() == first_day["today"]
    run_worker()
    [notice] = mail.outbox
    assert notice.to == ["mona@home.example"]
    assert "Yara Young was absent" in notice.subject

    # The office invites Mona; she sets her password from the link.
    mail.outbox.clear()
    assert send_invitations(users=[mona], base_url=live_server.url).sent == 1
    run_worker()
    [invitation] = mail.outbox
    page.goto(LINK.search(invitation.body).group(0))
    page.get_by_label("New password", exact=True).fill("quiet-harbour-lantern-7")
    page.get_by_label("New password (again)").fill("quiet-harbour-lantern-7")
    page.get_by_role("button", name="Set password").click()

    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    row = page.locator(f"#child-{yara.pk}")
    expect(row).to_contain_text("200.00 EGP")
    page.get_by_role("link", name="Yara Young").click()
    expect(page.locator("#today")).to_contain_text("Absent")
    expect(page.locator("#owed")).to_have_text("200.00 EGP")

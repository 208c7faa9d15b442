"""The load script's two commands: `prepare_load` and `verify_load`.

Not a load test: the load itself is `loadtest/run.sh`. Here a tiny generated school is
prepared, a teacher marks a period through the marking page as the load's teachers do,
the check passes on that clean data, and each kind of damage planted afterwards is
reported by name with a non-zero exit. The clock is set (`clock`): the demo and the
marking day are built around today.
"""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse

from academics.models import Role, SchoolClass, Subject, TimetableSlot, User
from attendance.models import AttendanceRecord
from billing.models import Bill, BillLine
from credits.models import CreditChange, MakeupCredit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def plan(tmp_path) -> dict:
    """The plan `prepare_load` writes for the small generated demo school."""
    out = tmp_path / "logins.json"
    call_command(
        "prepare_load",
        "--generate",
        "--days",
        "3",
        "--targets",
        "4",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    data = json.loads(out.read_text())
    data["path"] = str(out)
    return data


def sign_in(client, username: str, password: str) -> None:
    """Through the login form (django-axes's backend needs the request)."""
    response = client.post(reverse("login"), {"login": username, "password": password})
    assert response.status_code == 302, f"{username} could not sign in"
    assert "_auth_user_id" in client.session, f"{username} could not sign in"


def mark_a_period(client, plan: dict) -> TimetableSlot:
    """A teacher of the plan signs in and saves one of their periods of the marking day
    through the marking page, everyone present; returns its slot."""
    day = datetime.date.fromisoformat(plan["day"])
    teacher = next(t for t in plan["teachers"] if t["periods"])
    sign_in(client, teacher["username"], plan["password"])
    slot = (
        TimetableSlot.objects.filter(teacher__username=teacher["username"], weekday=day.weekday())
        .order_by("period_number")
        .first()
    )
    url = reverse("attendance:mark", args=[slot.pk, day])
    form = client.get(url).context["form"]
    statuses = {name: "P" for name in form.fields if name.startswith("status_")}
    assert statuses, "the period has nobody to mark"
    response = client.post(url, statuses | {"reason": ""})
    assert response.status_code == 302, "the period was not saved"
    return slot


def verify(plan: dict) -> tuple[bool, str]:
    """Run verify_load on the plan's day: (passed, everything it printed)."""
    out = io.StringIO()
    try:
        call_command("verify_load", "--logins", plan["path"], stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_prepare_gives_every_load_user_a_login_and_work(plan, client):
    assert plan["teachers"] and any(t["periods"] for t in plan["teachers"])
    assert {a["username"] for a in plan["admins"]} >= {"demo.admin"}
    assert all(a["targets"] for a in plan["admins"])
    for username in (
        plan["teachers"][0]["username"],
        plan["admins"][-1]["username"],
        plan["accountant"]["username"],
    ):
        sign_in(client, username, plan["password"])
        client.logout()
    demo_school = User.objects.get(username="demo.admin").school
    # Every group with a timetable can be billed, and the accountant bills them all.
    assert not SchoolClass.objects.filter(
        school=demo_school, price_per_session__isnull=True, timetable_slots__isnull=False
    ).exists()
    assert set(plan["accountant"]["groups"]) >= set(
        SchoolClass.objects.filter(school=demo_school, timetable_slots__isnull=False).values_list(
            "pk", flat=True
        )
    )
    start, end = plan["accountant"]["months"][0]
    assert start.endswith("-01") and end < plan["day"]


def test_prepare_again_creates_nobody_twice(plan, tmp_path):
    admins = User.objects.filter(role=Role.ADMIN).count()
    call_command("prepare_load", "--out", str(tmp_path / "again.json"), stdout=io.StringIO())
    assert User.objects.filter(role=Role.ADMIN).count() == admins


def test_prepare_refuses_to_write_the_logins_into_the_repository(plan, settings):
    with pytest.raises(CommandError, match="outside the repository"):
        call_command("prepare_load", "--out", str(settings.BASE_DIR / "logins.json"))


def test_verify_passes_on_the_data_a_load_leaves(plan, client):
    mark_a_period(client, plan)
    passed, output = verify(plan)
    assert passed, output
    assert "no violation" in output


def test_verify_reports_a_student_missing_from_a_marked_period(plan, client):
    slot = mark_a_period(client, plan)
    record = AttendanceRecord.objects.filter(slot=slot, date=plan["day"]).first()
    record.delete()
    passed, output = verify(plan)
    assert not passed
    assert f"slot {slot.pk} on {plan['day']}" in output
    assert f"no record for student(s) {record.student_id}" in output


def test_verify_reports_two_records_of_a_student_in_one_period(plan, client):
    slot = mark_a_period(client, plan)
    record = AttendanceRecord.objects.filter(slot=slot, date=plan["day"]).first()
    other_subject = Subject.objects.filter(school=slot.school).exclude(pk=slot.subject_id).first()
    record.pk = None
    record.subject = other_subject
    record.save()
    passed, output = verify(plan)
    assert not passed
    assert f"student {record.student_id} has 2 records for slot {slot.pk}" in output


def test_verify_reports_a_bill_whose_amount_is_not_sessions_times_price(plan):
    bill = Bill.objects.order_by("pk").first()
    Bill.objects.filter(pk=bill.pk).update(amount=F("amount") + 1)
    passed, output = verify(plan)
    assert not passed
    assert f"bill {bill.pk}: amount {bill.amount + 1}" in output


def test_verify_reports_a_line_charging_another_students_record(plan):
    bill, other = Bill.objects.order_by("pk")[:2]
    assert bill.student_id != other.student_id
    line = bill.lines.first()
    stranger = (
        AttendanceRecord.objects.filter(student=other.student, bill_line__isnull=True)
        .order_by("pk")
        .first()
    )
    BillLine.objects.filter(pk=line.pk).update(attendance_record=stranger)
    passed, output = verify(plan)
    assert not passed
    assert f"bill {bill.pk} charges record {stranger.pk} of another student" in output


def test_verify_reports_a_negative_balance_in_a_credit_history(plan):
    change = CreditChange.objects.order_by("pk").first()
    CreditChange.objects.filter(pk=change.pk).update(new_available=-1)
    passed, output = verify(plan)
    assert not passed
    assert f"history line {change.pk}: available -1" in output


def drop_constraint(model, *, columns: list[str], unique: bool = False, check: bool = False):
    """Drop the database constraint of `model` on `columns` (PostgreSQL: undone when the
    test's transaction is rolled back)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # The prepared rows' deferred foreign-key checks must run before ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if info["columns"] == columns and (
                (unique and info["unique"] and not info["primary_key"]) or (check and info["check"])
            ):
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                return
    raise AssertionError(f"no such constraint on {table}{columns}")


def test_verify_reports_a_negative_credit_balance(plan):
    credit = MakeupCredit.objects.order_by("pk").first()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            MakeupCredit.objects.filter(pk=credit.pk).update(booked=-2)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
    else:
        drop_constraint(MakeupCredit, columns=["booked"], check=True)
        MakeupCredit.objects.filter(pk=credit.pk).update(booked=-2)
    passed, output = verify(plan)
    assert not passed
    assert f"credit {credit.pk}: available {credit.available}, booked -2" in output


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite cannot drop the unique constraint that forbids the planted line",
)
def test_verify_reports_a_session_billed_twice(plan):
    line = BillLine.objects.order_by("pk").first()
    second = Bill.objects.exclude(pk=line.bill_id).order_by("pk").first()
    drop_constraint(BillLine, columns=["attendance_record_id"], unique=True)
    BillLine.objects.create(bill=second, attendance_record_id=line.attendance_record_id)
    passed, output = verify(plan)
    assert not passed
    assert f"record {line.attendance_record_id} is on 2 bill lines" in output

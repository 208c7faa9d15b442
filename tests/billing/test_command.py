"""`manage.py generate_bills`: the monthly run (docs/design/billing.md, "Monthly run")."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attendance.models import AttendanceRecord, Status
from billing.management.commands import generate_bills as command
from billing.models import Bill
from billing.selectors import last_ended_month
from billing.services import BillingError
from billing.services import generate_bills as real_generate_bills
from tests.academics.factories import MembershipFactory, SchoolClassFactory, SchoolFactory
from tests.attendance.factories import AttendanceRecordFactory

from .conftest import OCTOBER, make_seed_group

pytestmark = pytest.mark.django_db


class Run:
    def __init__(self, stdout: str, stderr: str):
        self.stdout, self.stderr = stdout, stderr


def run(*args: str, tty: bool = False) -> Run:
    out, err = io.StringIO(), (TtyIO() if tty else io.StringIO())
    call_command("generate_bills", *args, stdout=out, stderr=err)
    return Run(out.getvalue(), err.getvalue())


class TtyIO(io.StringIO):
    def isatty(self) -> bool:
        return True


def line_of(output: str, text: str) -> str:
    """The one output line containing `text`."""
    lines = [line for line in output.splitlines() if text in line]
    assert len(lines) == 1, (text, output)
    return lines[0].strip()


def unpriced_group_with_attendance(school, name="Art Club", code="ART-1"):
    group = SchoolClassFactory(school=school, name=name, code=code, price_per_session=None)
    membership = MembershipFactory(school_class=group, joined_on=datetime.date(2025, 9, 1))
    AttendanceRecordFactory(membership=membership, date=datetime.date(2025, 10, 8))
    return group


@pytest.fixture
def school_of_two(seed):
    """The seed's group (700 EGP in October) and a second priced group in the same school,
    an unpriced group with attendance and an empty group."""
    second = make_seed_group(seed.school, name="Math Level 2", code="MTH-L2-A", price=Decimal("50"))
    unpriced_group_with_attendance(seed.school)
    SchoolClassFactory(school=seed.school, name="Chess (empty)", code="CHESS", price_per_session=1)
    return seed, second


def test_the_month_is_billed_for_every_priced_group_with_totals_per_group_and_overall(
    school_of_two,
):
    seed, second = school_of_two

    result = run("--month", "2025-10", "--school", "NILE")

    assert Bill.objects.filter(school_class=seed.group).count() == 3
    assert Bill.objects.filter(school_class=second.group).count() == 3
    assert set(Bill.objects.values_list("period_start", "period_end")) == {OCTOBER}
    assert set(Bill.objects.values_list("created_by", flat=True)) == {None}  # System
    assert line_of(result.stdout, "[MTH-L1-A]") == (
        "Math Level 1 [MTH-L1-A]: create 3, update 0, skipped 0 — 700.00 EGP"
    )
    assert line_of(result.stdout, "[MTH-L2-A]") == (
        "Math Level 2 [MTH-L2-A]: create 3, update 0, skipped 0 — 350.00 EGP"
    )
    assert line_of(result.stdout, "Art Club") == (
        "skipped Art Club [ART-1]: no price per session (1 session attended, not billed)"
    )
    assert "CHESS" not in result.stdout  # nothing attended: counted, not listed
    assert line_of(result.stdout, "Total over 1 school") == (
        "Total over 1 school: 2 priced groups: 6 bills created, 0 updated, 0 skipped "
        "— 1,050.00 EGP; 1 group skipped (no price per session); 1 group with nothing "
        "attended in the month."
    )
    assert not Bill.objects.filter(school_class__code__in=["ART-1", "CHESS"]).exists()


def test_a_second_run_creates_nothing_and_says_the_bills_exist(school_of_two):
    run("--month", "2025-10")
    bills = set(Bill.objects.values_list("pk", "amount"))

    again = run("--month", "2025-10")

    assert set(Bill.objects.values_list("pk", "amount")) == bills
    assert line_of(again.stdout, "[MTH-L1-A]") == (
        "Math Level 1 [MTH-L1-A]: create 0, update 0, skipped 3 (3 already billed) — 0.00 EGP"
    )
    assert "0 bills created" in line_of(again.stdout, "Total over")


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(seed):
    result = run("--month", "2025-10", "--dry-run")

    assert not Bill.objects.exists()
    assert line_of(result.stdout, "[MTH-L1-A]") == (
        "Math Level 1 [MTH-L1-A]: would create 3, would update 0, skipped 0 — 700.00 EGP"
    )
    assert line_of(result.stdout, "Total over").startswith("Dry run, nothing written.")
    assert "3 bills would be created" in result.stdout


def test_update_existing_recalculates_a_bill_after_a_correction(seed):
    run("--month", "2025-10")
    AttendanceRecord.objects.filter(pk=seed.record(0, 2).pk).update(status=Status.ABSENT)

    without = run("--month", "2025-10")
    assert Bill.objects.get(student=seed.students[0]).amount == Decimal("300")
    assert "update 0" in line_of(without.stdout, "[MTH-L1-A]")

    result = run("--month", "2025-10", "--update-existing")

    assert Bill.objects.get(student=seed.students[0]).amount == Decimal("200")
    assert line_of(result.stdout, "[MTH-L1-A]") == (
        "Math Level 1 [MTH-L1-A]: create 0, update 1, skipped 2 (2 already billed) — 200.00 EGP"
    )


def test_a_failing_group_is_named_the_others_are_billed_and_the_run_fails(
    school_of_two, monkeypatch
):
    seed, second = school_of_two

    def generate(*, school_class, **kwargs):
        if school_class.pk == seed.group.pk:
            raise BillingError("the group's lock could not be taken")
        return real_generate_bills(school_class=school_class, **kwargs)

    monkeypatch.setattr(command, "generate_bills", generate)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("generate_bills", "--month", "2025-10", stdout=out, stderr=err)

    assert "1 group failed" in str(failure.value)
    assert "Math Level 1 [MTH-L1-A]: the group's lock could not be taken" in str(failure.value)
    assert "FAILED Math Level 1 [MTH-L1-A]" in err.getvalue()
    assert not Bill.objects.filter(school_class=seed.group).exists()
    assert Bill.objects.filter(school_class=second.group).count() == 3  # not undone


def test_a_bad_month_is_refused_with_the_reason(seed):
    for month in ("2025-13", "October", "2025-1"):
        with pytest.raises(CommandError, match="Enter a month as YYYY-MM"):
            run("--month", month)
    assert not Bill.objects.exists()


def test_unknown_school_or_group_codes_are_refused(seed):
    with pytest.raises(CommandError, match='No school with code "NOPE". School codes: NILE.'):
        run("--month", "2025-10", "--school", "NOPE")
    with pytest.raises(CommandError, match='No group with code "NOPE" in Nile Academy.'):
        run("--month", "2025-10", "--school", "NILE", "--group", "NOPE")
    with pytest.raises(CommandError, match="No group with id 999999"):
        run("--month", "2025-10", "--group-id", "999999")
    assert not Bill.objects.exists()


def test_group_narrows_the_run_to_that_group(school_of_two):
    seed, second = school_of_two

    result = run("--month", "2025-10", "--school", "NILE", "--group", "MTH-L2-A")

    assert set(Bill.objects.values_list("school_class", flat=True)) == {second.group.pk}
    assert "MTH-L1-A" not in result.stdout and "Art Club" not in result.stdout


def test_group_naming_an_unpriced_group_is_an_error(school_of_two):
    with pytest.raises(CommandError, match="has no price per session, so it cannot be billed"):
        run("--month", "2025-10", "--group", "ART-1")
    assert not Bill.objects.exists()


def test_a_code_shared_by_two_groups_asks_for_the_group_id(seed):
    twin = make_seed_group(seed.school, name="Math Level 1 (evening)", code="MTH-L1-B")
    twin.group.code = "MTH-L1-A"  # rosters reuse codes (the Clever demo's "404")
    twin.group.save(update_fields=["code"])

    with pytest.raises(CommandError, match="2 groups have the code") as ambiguous:
        run("--month", "2025-10", "--group", "MTH-L1-A")
    assert f"id {twin.group.pk}: Math Level 1 (evening)" in str(ambiguous.value)
    assert not Bill.objects.exists()

    run("--month", "2025-10", "--group-id", str(twin.group.pk))
    assert set(Bill.objects.values_list("school_class", flat=True)) == {twin.group.pk}


def test_without_school_every_school_is_billed_in_its_currency(seed):
    other = make_seed_group(SchoolFactory(name="Cairo Centre", code="CAI", currency="USD"))

    result = run("--month", "2025-10")

    assert Bill.objects.filter(school=seed.school).count() == 3
    assert set(Bill.objects.filter(school=other.school).values_list("currency", flat=True)) == {
        "USD"
    }
    assert "Cairo Centre (CAI): October 2025" in result.stdout
    assert "Nile Academy (NILE): October 2025" in result.stdout
    assert "— 700.00 EGP + 700.00 USD" in line_of(result.stdout, "Total over 2 schools")


def test_without_month_each_school_bills_its_last_ended_month(seed):
    start, end = last_ended_month(seed.school.today())
    seed.mark(0, start)

    result = run("--school", "NILE")

    bill = Bill.objects.get()
    assert (bill.period_start, bill.period_end, bill.amount) == (start, end, Decimal("100"))
    assert f"{start:%B %Y} ({start.isoformat()} – {end.isoformat()})" in result.stdout


def test_a_month_not_yet_over_is_billed_with_a_warning(seed):
    today = seed.school.today()
    seed.mark(0, today)

    result = run("--month", today.strftime("%Y-%m"), "--school", "NILE")

    assert Bill.objects.get().sessions_attended == 1
    assert "has not ended" in result.stdout and "--update-existing" in result.stdout


def test_many_groups_show_a_counter_on_a_terminal_and_name_only_changed_groups(
    school_of_two, monkeypatch
):
    seed, second = school_of_two
    run("--month", "2025-10", "--group", "MTH-L1-A")
    monkeypatch.setattr(command, "COUNTER_FROM", 1)

    result = run("--month", "2025-10", tty=True)

    assert "[1/2] Math Level 1" in result.stderr and "[2/2] Math Level 2" in result.stderr
    assert "[MTH-L1-A]" not in result.stdout  # nothing changed there: the counter showed it
    assert "Math Level 2 [MTH-L2-A]: create 3" in result.stdout
    assert "2 priced groups: 3 bills created" in line_of(result.stdout, "Total over")


def test_groups_with_nothing_attended_do_not_flood_the_output(seed):
    for number in range(30):
        SchoolClassFactory(school=seed.school, name=f"Quiet group {number}", price_per_session=5)

    result = run("--month", "2025-10")

    assert "Quiet group" not in result.stdout
    assert "30 groups with nothing attended in the month" in line_of(result.stdout, "Total over")


def test_unpriced_groups_are_listed_up_to_a_limit(seed):
    for number in range(command.UNPRICED_LISTED + 2):
        unpriced_group_with_attendance(seed.school, name=f"Club {number:02d}", code=f"C{number}")

    result = run("--month", "2025-10")
    verbose = run("--month", "2025-10", "-v", "2")

    assert result.stdout.count("no price per session (1 session") == command.UNPRICED_LISTED
    assert "… and 2 more groups with attendance but no price per session" in result.stdout
    assert verbose.stdout.count("no price per session (1 session") == command.UNPRICED_LISTED + 2


def test_verbosity_0_prints_only_the_total(school_of_two):
    result = run("--month", "2025-10", "-v", "0")

    assert Bill.objects.count() == 6
    assert [line for line in result.stdout.splitlines() if line.strip()] == [
        line_of(result.stdout, "Total over 1 school")
    ]

"""`manage.py expire_makeup_credits` (docs/design/credits.md: optional expiry per school)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from credits.models import CreditChange, MakeupCredit
from credits.services import book_makeup_lesson, set_available_credits

from .conftest import make_studio
from .factories import balance

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("expire_makeup_credits", *args, stdout=out)
    return out.getvalue()


def line_of(output: str, text: str) -> str:
    lines = [line for line in output.splitlines() if text in line]
    assert len(lines) == 1, (text, output)
    return lines[0]


def set_days_ago(studio, students, tutor, amount, days):
    set_available_credits(students=students, tutor=tutor, amount=amount, actor=studio.admin)
    when = timezone.now() - datetime.timedelta(days=days)
    MakeupCredit.objects.filter(tutor=tutor, student__in=students).update(available_since=when)


@pytest.fixture
def two_schools(db):
    """Harmony (code HAR, credits expire after 30 days) with old and fresh credits, and
    Melody (code MEL, no expiry) with old credits that must stay."""
    harmony = make_studio("Harmony Studio")
    harmony.school.code, harmony.school.makeup_credit_expiry_days = "HAR", 30
    harmony.school.save()
    set_days_ago(harmony, [harmony.sarah, harmony.omar], harmony.tutor_a, 3, days=45)
    set_days_ago(harmony, [harmony.sarah], harmony.tutor_b, 2, days=10)  # fresh
    book_makeup_lesson(
        student=harmony.omar,
        tutor=harmony.tutor_a,
        scheduled_for=timezone.now() + datetime.timedelta(days=1),
        actor=harmony.tutor_a,
    )  # Omar: 2 available, 1 booked (booked never expires)
    melody = make_studio("Melody Studio")
    melody.school.code = "MEL"
    melody.school.save()
    set_days_ago(melody, [melody.lina], melody.tutor_a, 4, days=400)
    return harmony, melody


def test_old_available_credits_expire_per_school_and_are_logged(two_schools):
    harmony, melody = two_schools

    output = run()

    assert line_of(output, "Harmony Studio (HAR)") == (
        "Harmony Studio (HAR): 5 credits expired (2 student–tutor pairs; set more than "
        "30 days ago)."
    )
    assert line_of(output, "Melody Studio (MEL)") == "Melody Studio (MEL): no expiry set."
    assert "5 credits expired in 2 student–tutor pairs, over 1 school with an expiry" in output
    assert balance(harmony.sarah, harmony.tutor_a) == (0, 0, 0)
    assert balance(harmony.omar, harmony.tutor_a) == (0, 1, 0)
    assert balance(harmony.sarah, harmony.tutor_b) == (2, 0, 0)  # set 10 days ago
    assert balance(melody.lina, melody.tutor_a) == (4, 0, 0)
    expired = CreditChange.objects.filter(kind=CreditChange.Kind.EXPIRED)
    assert sorted((c.student.pk, c.previous_available, c.new_available) for c in expired) == sorted(
        [(harmony.sarah.pk, 3, 0), (harmony.omar.pk, 2, 0)]
    )
    assert {c.changed_by for c in expired} == {None}  # System


def test_running_twice_expires_nothing_more(two_schools):
    run()
    changes = CreditChange.objects.count()

    output = run()

    assert "Harmony Studio (HAR): 0 credits expired (0 student–tutor pairs" in output
    assert CreditChange.objects.count() == changes


def test_a_dry_run_says_what_would_expire_and_writes_nothing(two_schools):
    harmony, _melody = two_schools
    changes = CreditChange.objects.count()

    output = run("--dry-run")

    assert output.startswith("Dry run: nothing will be written.")
    assert "Harmony Studio (HAR): 5 credits would expire (2 student–tutor pairs" in output
    assert "Dry run, nothing written." in output
    assert balance(harmony.sarah, harmony.tutor_a) == (3, 0, 0)
    assert CreditChange.objects.count() == changes


def test_one_school_by_its_code(two_schools):
    harmony, melody = two_schools
    melody.school.makeup_credit_expiry_days = 30
    melody.school.save()

    output = run("--school", "MEL")

    assert "Harmony" not in output
    assert "Melody Studio (MEL): 4 credits expired (1 student–tutor pair;" in output
    assert balance(harmony.sarah, harmony.tutor_a) == (3, 0, 0)
    assert balance(melody.lina, melody.tutor_a) == (0, 0, 0)


def test_an_unknown_school_code_is_an_error_that_lists_the_codes(two_schools):
    with pytest.raises(CommandError, match='No school with code "NOPE". School codes: HAR, MEL.'):
        run("--school", "NOPE")
    assert not CreditChange.objects.filter(kind=CreditChange.Kind.EXPIRED).exists()

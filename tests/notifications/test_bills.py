"""Bill notices (docs/design/notifications.md, "Bills"): a new bill goes to the student's
guardians who want bill notices, or to the student when no guardian has an email address;
`send_overdue_reminders` reminds of overdue bills at most once every N days."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from billing.models import Bill
from billing.services import generate_bills
from billing.services.payments import record_payment
from notifications.models import Kind, Notification, NotificationStatus
from notifications.services import deliver, note_bills
from tests.billing.conftest import OCTOBER, make_seed_group

from .conftest import guardian_of

pytestmark = pytest.mark.django_db
CAIRO = zoneinfo.ZoneInfo("Africa/Cairo")


def on(day: datetime.date):
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=CAIRO)


@pytest.fixture
def seed(time_machine, db):
    """The billing seed's group (Ahmed 300, Sara 200, Mohamed 200 EGP for October 2025):
    Ahmed's mother wants bill notices, Sara's father switched them off, Mohamed has no
    guardian (his own address is used)."""
    time_machine.move_to(on(datetime.date(2025, 11, 3)), tick=False)
    seed = make_seed_group()
    seed.school.timezone = "Africa/Cairo"
    seed.school.save()
    ahmed, sara, _ = seed.students
    seed.mother = guardian_of(ahmed, "Amal", "amal@example.com")
    seed.father = guardian_of(sara, "Samir", "samir@example.com", notify_bills=False)
    return seed


def generate(seed, committed):
    return committed(
        generate_bills,
        school_class=seed.group,
        start=OCTOBER[0],
        end=OCTOBER[1],
        actor=seed.accountant,
    )


def send_all():
    for pk in Notification.objects.order_by("pk").values_list("pk", flat=True):
        deliver(notification_id=pk)


def test_generated_bills_are_sent_to_guardians_or_the_student_with_amount_and_due_date(
    seed, committed
):
    generate(seed, committed)
    send_all()

    assert sorted(m.to[0] for m in mail.outbox) == ["amal@example.com", "mohamed2@example.com"]
    to_mother = next(m for m in mail.outbox if m.to == ["amal@example.com"])
    assert to_mother.subject.startswith("New bill INV-")
    assert "for Ahmed Mohamed: 300.00 EGP, due 30 November 2025" in to_mother.subject
    assert "Sessions attended: 3 × 100.00 EGP" in to_mother.body
    assert "Amount: 300.00 EGP" in to_mother.body
    assert "Due date: 30 November 2025" in to_mother.body
    assert "<strong>300.00 EGP</strong>" in to_mother.alternatives[0].content
    to_student = next(m for m in mail.outbox if m.to == ["mohamed2@example.com"])
    assert "200.00 EGP" in to_student.subject
    assert set(Notification.objects.values_list("kind", "status")) == {
        (Kind.BILL_ISSUED, NotificationStatus.SENT)
    }


def test_a_guardian_who_opted_out_of_bills_is_not_replaced_by_the_student(seed, committed):
    generate(seed, committed)

    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert "samir@example.com" not in told
    assert "sara1@example.com" not in told


def test_recalculating_bills_sends_no_second_notice(seed, committed):
    generate(seed, committed)
    seed.mark(0, datetime.date(2025, 10, 27))  # a late session for Ahmed
    committed(
        generate_bills,
        school_class=seed.group,
        start=OCTOBER[0],
        end=OCTOBER[1],
        update_existing=True,
        actor=seed.accountant,
    )

    assert Notification.objects.count() == 2


def test_overdue_reminders_are_sent_once_every_seven_days_and_not_for_paid_bills(
    seed, committed, time_machine
):
    generate(seed, committed)
    time_machine.move_to(on(datetime.date(2025, 12, 5)), tick=False)  # due 30 Nov

    call_command("send_overdue_reminders", stdout=(first := _Out()))
    call_command("send_overdue_reminders", stdout=(again := _Out()))

    assert "3 overdue bills, 2 reminders queued." in first.text
    assert "3 overdue bills, 0 reminders queued." in again.text
    mohamed_bill = seed.students[2].bills.get()
    record_payment(
        bill=mohamed_bill,
        amount=Decimal("200"),
        paid_on=datetime.date(2025, 12, 5),
        method="cash",
        received_by=seed.accountant,
    )

    time_machine.move_to(on(datetime.date(2025, 12, 11)), tick=False)
    call_command("send_overdue_reminders", stdout=(too_soon := _Out()))
    time_machine.move_to(on(datetime.date(2025, 12, 12)), tick=False)
    call_command("send_overdue_reminders", stdout=(week_later := _Out()))

    assert "2 overdue bills, 0 reminders queued." in too_soon.text
    assert "2 overdue bills, 1 reminder queued." in week_later.text
    reminders = Notification.objects.filter(kind=Kind.BILL_OVERDUE)
    assert sorted((n.day.day, n.recipient.email) for n in reminders) == [
        (5, "amal@example.com"),
        (5, "mohamed2@example.com"),
        (12, "amal@example.com"),
    ]


def test_an_overdue_reminder_says_what_is_left_to_pay_and_is_dropped_once_paid(
    seed, committed, time_machine
):
    generate(seed, committed)
    time_machine.move_to(on(datetime.date(2025, 12, 5)), tick=False)
    call_command("send_overdue_reminders", stdout=_Out())
    ahmed_bill = seed.students[0].bills.get()
    record_payment(
        bill=ahmed_bill,
        amount=Decimal("100"),
        paid_on=datetime.date(2025, 12, 5),
        method="cash",
        received_by=seed.accountant,
    )
    mohamed_bill = seed.students[2].bills.get()
    record_payment(
        bill=mohamed_bill,
        amount=Decimal("200"),
        paid_on=datetime.date(2025, 12, 5),
        method="cash",
        received_by=seed.accountant,
    )
    mail.outbox.clear()

    for notice in Notification.objects.filter(kind=Kind.BILL_OVERDUE):
        deliver(notification_id=notice.pk)

    [message] = mail.outbox
    assert message.to == ["amal@example.com"]
    assert message.subject.endswith("for Ahmed Mohamed is overdue (200.00 EGP)")
    assert "Still to pay: 200.00 EGP" in message.body
    dropped = Notification.objects.get(kind=Kind.BILL_OVERDUE, recipient__email__startswith="moh")
    assert dropped.status == NotificationStatus.CANCELLED


def test_the_dry_run_queues_nothing(seed, committed, time_machine):
    generate(seed, committed)
    time_machine.move_to(on(datetime.date(2025, 12, 5)), tick=False)

    call_command("send_overdue_reminders", "--dry-run", stdout=(out := _Out()))

    assert "2 reminders would queue" in out.text
    assert not Notification.objects.filter(kind=Kind.BILL_OVERDUE).exists()


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_bills_are_noticed_in_a_few_queries_and_never_twice(
    seed, committed, django_assert_num_queries
):
    generate(seed, committed)
    bills = list(Bill.objects.order_by("pk"))
    Notification.objects.all().delete()

    # the guardians with an email address, the students left to tell themselves, the
    # schools, the insert; savepoint in and out.
    with django_assert_num_queries(6):
        assert len(note_bills(bills=bills)) == 2
    assert note_bills(bills=bills) == []  # already noticed: one by one, none new
    assert Notification.objects.count() == 2

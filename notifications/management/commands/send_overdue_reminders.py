"""`manage.py send_overdue_reminders [--school CODE] [--every-days N] [--dry-run]`
(docs/design/notifications.md, "Bills"; docs/operations/scheduled-jobs.md).

Run daily. For each school, every bill due before the school's today and not fully paid
gets a reminder to its recipients (guardians who want bill notices, or the student),
at most once every N days per bill and recipient (`OVERDUE_REMINDER_EVERY_DAYS`, 7 by
default). Safe to run twice: a second run the same day queues nothing. The worker sends
the reminders.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from academics.commands import plural, schools_for_code
from notifications.services import remind_overdue


class Command(BaseCommand):
    help = (
        "Queue reminders of overdue bills to guardians (or the student), at most once every "
        "N days per bill; safe to run twice, --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--school",
            metavar="CODE",
            help="Only the school with this code (see the School admin). Default: every school.",
        )
        parser.add_argument(
            "--every-days",
            type=int,
            metavar="N",
            help="Days between two reminders of the same bill (default: "
            "OVERDUE_REMINDER_EVERY_DAYS, 7).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the reminders due; write nothing."
        )

    def handle(self, *args, school=None, every_days=None, dry_run=False, **options):
        if every_days is None:
            every_days = settings.OVERDUE_REMINDER_EVERY_DAYS
        if every_days < 1:
            raise CommandError("--every-days must be 1 or more.")
        schools = schools_for_code(school)
        verb = "would queue" if dry_run else "queued"
        total = 0
        for each in schools:
            result = remind_overdue(
                school=each, today=each.today(), every_days=every_days, dry_run=dry_run
            )
            total += result.reminders
            label = f"{each} ({each.code or 'no code'})"
            self.stdout.write(
                f"{label}: {plural(result.overdue_bills, 'overdue bill')}, "
                f"{plural(result.reminders, 'reminder')} {verb}."
            )
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{plural(total, 'reminder')} {verb} (at most one per bill and "
                f"recipient every {plural(every_days, 'day')})."
            )
        )

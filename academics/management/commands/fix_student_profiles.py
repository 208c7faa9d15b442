"""Give every student user the StudentProfile they need (docs/design/total-sessions.md).
Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from academics.models import Role, User
from academics.services.people import ensure_student_profile


class Command(BaseCommand):
    help = "Create the missing StudentProfile of every student user. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be fixed; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        missing = User.objects.filter(role=Role.STUDENT, student_profile__isnull=True).order_by(
            "username"
        )
        fixable = [u for u in missing if u.school_id is not None]
        unfixable = [u for u in missing if u.school_id is None]
        verb = "Would create" if dry_run else "Created"
        with transaction.atomic():
            for user in fixable:
                if not dry_run:
                    ensure_student_profile(user=user)
                self.stdout.write(f"  {verb.lower()} profile for {user.username} ({user})")
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(fixable)} student profile(s)."))
        for user in unfixable:
            self.stdout.write(
                self.style.WARNING(
                    f"  {user.username} is a student with no school: attach a school first."
                )
            )

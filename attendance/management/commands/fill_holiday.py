"""Give every period of a school closure the status H (Holiday) — `fill_holiday`.

    manage.py fill_holiday --school <pk or code> --holiday <pk>
    manage.py fill_holiday --school <pk or code> --date YYYY-MM-DD

Idempotent: a second run finds everything already H and changes nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from academics.models import Holiday, School
from academics.validators import parse_id
from attendance.services import fill_holiday


class Command(BaseCommand):
    help = (
        "Fill H (Holiday) for every period meeting during a closure of the school's calendar: "
        "a record for every student on each roster; saved records of those periods are "
        'corrected to H (reason "Closure: <name>"); orphaned records are left alone.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's id (pk) or its SIS code.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--holiday", type=int, help="The holiday's id (pk).")
        which.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="A date (YYYY-MM-DD): every closure of the school covering it is filled.",
        )

    def handle(self, *args, school, holiday, date, **options):
        school = self._school(school)
        holidays = Holiday.objects.filter(school=school).order_by("start_date", "pk")
        if holiday is not None:
            holidays = holidays.filter(pk=holiday)
            if not holidays:
                raise CommandError(f"{school} has no holiday with id {holiday}.")
        else:
            holidays = holidays.filter(start_date__lte=date, end_date__gte=date)
            if not holidays:
                raise CommandError(f"{school} has no holiday or closure on {date:%Y-%m-%d}.")
        for closure in holidays:
            counts = fill_holiday(holiday=closure)
            self.stdout.write(self.style.SUCCESS(f"{closure}: {counts}."))

    def _school(self, value: str) -> School:
        """An id wins over a code (a code made of digits is reachable by its school's id)."""
        pk = parse_id(value)
        if pk is not None and (by_pk := School.objects.filter(pk=pk).first()):
            return by_pk
        schools = list(School.objects.filter(code=value)[:2])
        if not schools:
            raise CommandError(f"No school has the id or code {value!r}.")
        if len(schools) > 1:
            raise CommandError(f"More than one school has the code {value!r}: give its id.")
        return schools[0]

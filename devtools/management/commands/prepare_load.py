"""Prepare a database for the load script (`loadtest/run.sh`).

Loads the demo (the Clever district when its folder is there, dates moved to this school
year) unless it is already loaded, then gives the load script its people and its work:

- every teacher signs in with the demo password and marks their periods of the marking
  day (the latest school day, which the demo leaves unmarked); a teacher marked absent
  that day is left out (their periods are someone else's to resolve);
- an admin per school (`load.admin.<school code>`, created) besides the demo admin, each
  with students whose total sessions to edit;
- the demo accountant, with every teaching group of the demo school priced (the demo
  prices half), and the months to bill: the last month that has ended and this month
  to date.

Writes all of it as JSON to a file outside the repository (the locustfile reads it) and
prints the file's path. Safe to run again: nothing is created twice.
"""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from academics.models import (
    Membership,
    Role,
    School,
    SchoolClass,
    StaffProfile,
    TimetableSlot,
    User,
)
from academics.services.roster_import import RosterImportError
from attendance.models import StaffAbsence
from attendance.selectors.total_sessions import countable_records_by_student
from billing.selectors import last_ended_month
from devtools.demo import (
    CREATED_LOGINS,
    DEFAULT_SCHOOL_DAYS,
    DEMO_PASSWORD,
    DEMO_SEED,
    load_demo,
    marking_day,
)

DEFAULT_OUT = Path("/tmp/rollbook-load/logins.json")
# Prices for the groups the demo left unpriced, in the Clever demo's dollars.
LOAD_PRICES = tuple(Decimal(p) for p in ("10", "12", "15", "17.50", "20", "25"))
# An admin's new total is this far above the countable records at preparation time, so
# the marks teachers add during the run (a few a day per class) cannot overtake it.
TOTAL_HEADROOM = 20


def school_slug(school: School) -> str:
    """The part of a load admin's username that names the school: its code, lower case."""
    return (school.code or school.source_id or str(school.pk)).lower()


def teachers_for_day(day: datetime.date) -> list[dict]:
    """Every active teacher of a school (any school) except those marked absent on `day`:
    username, school id and the number of their periods meeting on `day` (0 for a teacher
    with none, who signs in and looks around)."""
    absent = set(StaffAbsence.objects.filter(date=day).values_list("teacher_id", flat=True))
    periods: dict[int, int] = {}
    for slot in (
        TimetableSlot.objects.filter(
            weekday=day.weekday(), teacher__role=Role.TEACHER, teacher__is_active=True
        )
        .filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    ):
        if slot.meets_on(day):
            periods[slot.teacher_id] = periods.get(slot.teacher_id, 0) + 1
    return [
        {"username": username, "school": school_id, "periods": periods.get(pk, 0)}
        for pk, username, school_id in User.objects.filter(
            role=Role.TEACHER, is_active=True, school__isnull=False
        )
        .exclude(pk__in=absent)
        .order_by("school_id", "username")
        .values_list("pk", "username", "school_id")
    ]


def total_sessions_targets(*, school: School, count: int, seed: int) -> list[dict]:
    """`count` memberships of `school` (chosen with `seed`) with a total above their
    countable records: membership, student and class ids and the total to set."""
    ids = list(Membership.objects.filter(school=school).order_by("pk").values_list("pk", flat=True))
    chosen = sorted(random.Random(seed).sample(ids, min(count, len(ids))))
    memberships = list(Membership.objects.filter(pk__in=chosen).order_by("school_class_id", "pk"))
    by_class: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_class.setdefault(membership.school_class_id, []).append(membership)
    classes = SchoolClass.objects.in_bulk(list(by_class))
    targets = []
    for class_id, members in by_class.items():
        countable = countable_records_by_student(
            school_class=classes[class_id], student_ids=[m.student_id for m in members]
        )
        for membership in members:
            targets.append(
                {
                    "membership_id": membership.pk,
                    "student_id": membership.student_id,
                    "class_id": class_id,
                    "total": countable.get(membership.student_id, 0) + TOTAL_HEADROOM,
                }
            )
    return targets


def ensure_load_admin(school: School, password_hash: str) -> User:
    """The school's load admin `load.admin.<code>` (created the first time)."""
    user, _ = User.objects.update_or_create(
        username=f"load.admin.{school_slug(school)}",
        defaults={
            "school": school,
            "role": Role.ADMIN,
            "first_name": "Load",
            "last_name": f"Admin {school.code}",
            "email": f"load.admin.{school_slug(school)}@load.rollbook.invalid",
            "is_active": True,
            "password": password_hash,
        },
    )
    StaffProfile.objects.get_or_create(
        user=user, defaults={"school": school, "title": "Administrator (load test)"}
    )
    return user


def price_groups(school: School) -> int:
    """Give every group of `school` that has a timetable and no price one (cycling through
    LOAD_PRICES by id); returns how many were priced."""
    priced = 0
    for index, group in enumerate(
        SchoolClass.objects.filter(school=school, price_per_session__isnull=True)
        .filter(timetable_slots__isnull=False)
        .distinct()
        .order_by("pk")
    ):
        group.price_per_session = LOAD_PRICES[index % len(LOAD_PRICES)]
        group.save(update_fields=["price_per_session"])
        priced += 1
    return priced


@transaction.atomic
def prepare_load(*, password: str = DEMO_PASSWORD, targets_per_admin: int = 150) -> dict:
    """Set up the loaded demo for the load script and return its plan.

    Args:
        password: every load login's password (the teachers', the admins', the
            accountant's); hashed once and shared, so preparing costs one hash.
        targets_per_admin: memberships each admin has to edit the total sessions of.

    Returns the plan: `day` (the marking day, ISO), `password`, `teachers`, `admins`
    (each with `targets`), `accountant` (username, `groups`, `months` as ISO pairs) and
    `schools`. Raises CommandError when the demo is not loaded or has no teacher with
    periods on the marking day.
    """
    demo_admin = User.objects.filter(username=CREATED_LOGINS[Role.ADMIN][0]).first()
    if demo_admin is None or demo_admin.school is None:
        raise CommandError("The demo is not loaded: run `manage.py load_demo` first.")
    demo_school = demo_admin.school
    day = marking_day(demo_school.today())
    hashed = make_password(password)

    teachers = teachers_for_day(day)
    if not any(t["periods"] for t in teachers):
        raise CommandError(f"No teacher has periods on {day:%A %d %b %Y}: nothing to mark.")
    User.objects.filter(username__in=[t["username"] for t in teachers]).update(password=hashed)
    school_ids = sorted({t["school"] for t in teachers} | {demo_school.pk})
    schools = list(School.objects.filter(pk__in=school_ids).order_by("pk"))

    admins = []
    for school in schools:
        users = [ensure_load_admin(school, hashed)]
        if school.pk == demo_school.pk:
            demo_admin.password = hashed
            demo_admin.save(update_fields=["password"])
            users.insert(0, demo_admin)
        for index, user in enumerate(users):
            admins.append(
                {
                    "username": user.username,
                    "school": school.pk,
                    "targets": total_sessions_targets(
                        school=school, count=targets_per_admin, seed=DEMO_SEED + index
                    ),
                }
            )

    accountant = User.objects.filter(
        username=CREATED_LOGINS[Role.ACCOUNTANT][0], school=demo_school
    ).first()
    if accountant is None:
        raise CommandError("The demo accountant is missing: reload the demo.")
    accountant.password = hashed
    accountant.save(update_fields=["password"])
    newly_priced = price_groups(demo_school)
    groups = list(
        SchoolClass.objects.filter(school=demo_school, price_per_session__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    last_start, last_end = last_ended_month(day)
    months = [(last_start, last_end)]
    if day.replace(day=1) > last_end:
        months.append((day.replace(day=1), day))

    return {
        "day": day.isoformat(),
        "password": password,
        "teachers": teachers,
        "admins": admins,
        "accountant": {
            "username": accountant.username,
            "school": demo_school.pk,
            "groups": groups,
            "newly_priced": newly_priced,
            "months": [[start.isoformat(), end.isoformat()] for start, end in months],
        },
        "schools": [{"id": s.pk, "name": s.name, "code": s.code} for s in schools],
    }


class Command(BaseCommand):
    help = (
        "Prepare this database for loadtest/run.sh: load the demo if needed, give every "
        "teacher, an admin per school and the accountant "
        "a login, price every group of the demo school, and write the plan (logins and "
        "work) as JSON outside the repository."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            type=Path,
            default=DEFAULT_OUT,
            help=f"Where to write the logins and work, as JSON (default {DEFAULT_OUT}).",
        )
        parser.add_argument(
            "--generate",
            action="store_true",
            help="Load the small generated demo school instead of the roster (tests).",
        )
        parser.add_argument(
            "--targets",
            type=int,
            default=150,
            help="Students each admin edits the total sessions of (default 150).",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_SCHOOL_DAYS,
            help=f"School days of roll the demo generates (default {DEFAULT_SCHOOL_DAYS}).",
        )

    def handle(self, *args, out: Path, generate: bool, targets: int, days: int, **options):
        out = out.resolve()
        if out.is_relative_to(Path(settings.BASE_DIR).resolve()):
            raise CommandError(f"Write the logins outside the repository, not to {out}.")
        if not User.objects.filter(username=CREATED_LOGINS[Role.ADMIN][0]).exists():
            roster = None if generate else Path(settings.ROLLBOOK_DEMO_ROSTER)
            if roster is not None and not roster.is_dir():
                raise CommandError(f"No roster folder at {roster}: use --generate.")
            self.stdout.write(f"Loading the demo from {roster or 'a generated school'} …")
            try:
                load_demo(roster=roster, school_days=days)
            except (RosterImportError, ValueError) as exc:
                raise CommandError(f"The demo was not loaded: {exc}") from exc
        plan = prepare_load(targets_per_admin=targets)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(plan, indent=1))
        out.chmod(0o600)
        periods = sum(t["periods"] for t in plan["teachers"])
        account = plan["accountant"]
        self.stdout.write(
            f"Marking day {plan['day']}: {len(plan['teachers'])} teachers, {periods} periods "
            f"to mark in {len(plan['schools'])} school(s); {len(plan['admins'])} admins with "
            f"{sum(len(a['targets']) for a in plan['admins'])} totals to edit; "
            f"{account['username']} bills {len(account['groups'])} groups "
            f"({account['newly_priced']} newly priced) for "
            + ", ".join(f"{start}..{end}" for start, end in account["months"])
            + "."
        )
        self.stdout.write(self.style.SUCCESS(f"Logins and work written to {out}"))

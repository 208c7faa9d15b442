"""Make-up credits' part of the demo (`manage.py load_demo`; docs/design/credits.md).

`devtools.demo.loader.load_demo` calls `add_credits_to_the_demo` at the end of a fresh load,
after billing's part; `load_credits_demo` gives the credit screens and reports something
to show:

- up to DEMO_TUTORS tutors (the demo teacher first, then the other tutors of the demo
  student, then the school's others by id) each give up to STUDENTS_PER_TUTOR of their
  own students 1–3 credits, set through `credits.services.set_available_credits` — by the
  demo teacher themself for their students, by the demo admin for the others;
- about half the pairs book a make-up lesson (`book_makeup_lesson`); lessons whose time
  has passed are completed (`complete_makeup_lesson`), a few cancelled, later ones stay
  booked;
- the demo student follows the "Automatic Credit Flow" (docs/design/credits.md) with the
  demo teacher: 3 set, one lesson booked and attended, another booked → 1 available,
  1 booked, 1 used; and they hold a credit with a second tutor (the "several tutors" list);
- a tutor who has left (DEPARTED_USERNAME, deactivated after giving credits), so the
  reports show a departed tutor's liability and the admin's "Clear credits".

The services write every balance and log row at the moment they run; the demo then dates
the sets, bookings and completions over the last weeks (sets between ISSUED_DAYS ago), so
the reports' "average days from issue to use" and periods have something to measure.
Only the rows the demo itself just wrote are re-dated.

Idempotent: nothing is added to a school that already has make-up credits. A few hundred
queries at most; well under a second on the generated school.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from academics.models import Role, School, StudentProfile, User
from credits.access import TUTOR_ROLES
from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.selectors import assigned_tutor_ids, tutor_students
from credits.services import (
    book_makeup_lesson,
    cancel_makeup_lesson,
    complete_makeup_lesson,
    set_available_credits,
)

from .logins import DemoLogin
from .school import DEMO_SEED

CREDITS_SEED = DEMO_SEED + 6
DEMO_TUTORS = 6
STUDENTS_PER_TUTOR = 8
AMOUNTS = (1, 1, 2, 2, 3)  # credits set per pair: mostly one or two
BOOKED_SHARE = 0.5  # pairs that book a make-up lesson
CANCELLED_SHARE = 0.15  # of the lessons whose time has passed
ISSUED_DAYS = (12, 80)  # credits were set between 80 and 12 days ago
DEPARTED_USERNAME = "demo.former.tutor"
DEPARTED_NAME = ("Ines", "Khalil")
DEPARTED_STUDENTS = 3


@dataclass
class Pair:
    tutor: User
    student: StudentProfile
    amount: int
    issued_at: datetime.datetime


@dataclass
class Planned:
    """A make-up lesson the demo books: when it was booked, takes place and ends."""

    pair: Pair
    booked_at: datetime.datetime
    scheduled_for: datetime.datetime
    outcome: str  # MakeupLesson.Status value
    finished_at: datetime.datetime | None = None
    lesson: MakeupLesson | None = None


def add_credits_to_the_demo(*, school: School, logins: list[DemoLogin]) -> list[str]:
    """`load_credits_demo` for the demo `school` with its admin, teacher and student
    `logins` (from `create_demo_logins`); returns the lines for `load_demo` to print."""
    usernames = {login.role: login.username for login in logins}
    return load_credits_demo(
        school=school,
        admin_username=usernames.get(Role.ADMIN),
        teacher_username=usernames.get(Role.TEACHER),
        student_username=usernames.get(Role.STUDENT),
    )


def load_credits_demo(
    *,
    school: School,
    admin_username: str | None = None,
    teacher_username: str | None = None,
    student_username: str | None = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """Give the demo `school` make-up credits, lessons and a departed tutor (module
    docstring).

    Args:
        school: the demo school.
        admin_username: the demo admin, who sets the credits of tutors other than the
            demo teacher; default: the school's first active admin. Without one, every
            tutor sets their own and no departed tutor is added.
        teacher_username: the demo teacher, the first tutor, who sets their own credits.
        student_username: the demo student, given the automatic credit flow.
        now: aware datetime the demo's history ends at (default: now).

    Returns lines saying what was added, for `load_demo` to print. Raises what the
    services raise (the demo load is then rolled back).
    """
    started = time.perf_counter()
    if MakeupCredit.objects.filter(school=school).exists():
        return ["Make-up credits: already in the demo, nothing added."]
    now = now or timezone.now()
    today = school.today()
    rng = random.Random(CREDITS_SEED)
    admin = _user(school, admin_username, Role.ADMIN)
    teacher = _user(school, teacher_username, *TUTOR_ROLES)
    student = (
        StudentProfile.objects.filter(school=school, user__username=student_username)
        .select_related("user")
        .first()
        if student_username
        else None
    )

    tutors = demo_tutors(school=school, teacher=teacher, student=student, today=today)
    pairs = choose_pairs(tutors=tutors, student=student, today=today, now=now, rng=rng)
    if not pairs:
        return ["Make-up credits: no tutor with students in the demo school, none added."]
    set_credits(pairs, admin=admin, teacher=teacher)
    planned = plan_lessons(pairs, student=student, teacher=teacher, now=now, rng=rng)
    book_lessons(planned)

    departed = None
    if admin is not None:
        departed, departed_pairs, departed_lessons = add_departed_tutor(
            school=school, admin=admin, tutors=tutors, today=today, now=now, rng=rng
        )
        pairs += departed_pairs
        planned += departed_lessons
    backdate(pairs, planned, now=now)

    outcomes = defaultdict(int)
    for plan in planned:
        outcomes[plan.outcome] += 1
    lines = [
        f"Make-up credits: {len(pairs)} student–tutor pairs given "
        f"{sum(p.amount for p in pairs)} credits by {len(tutors) + bool(departed)} tutors; "
        f"{len(planned)} make-up lessons booked ({outcomes['completed']} completed, "
        f"{outcomes['cancelled']} cancelled, {outcomes['booked']} still booked), "
        f"in {time.perf_counter() - started:.1f} s.",
    ]
    if student is not None and teacher is not None:
        lines.append(f"  {student} has the seed's 1 available, 1 booked, 1 used with {teacher}.")
    if departed is not None:
        lines.append(
            f"  {departed} has left the school and still owes credits: see Credit reports "
            "(the admin may clear them)."
        )
    return lines


def _user(school: School, username: str | None, *roles: str) -> User | None:
    users = User.objects.filter(school=school, role__in=roles, is_active=True)
    if username:
        return users.filter(username=username).first()
    return users.order_by("pk").first()


def demo_tutors(
    *,
    school: School,
    teacher: User | None,
    student: StudentProfile | None,
    today: datetime.date,
) -> list[User]:
    """Up to DEMO_TUTORS active tutors with timetabled classes: the demo teacher, the demo
    student's other tutors, then the rest by id."""
    first = [teacher.pk] if teacher is not None else []
    if student is not None:
        first += [pk for pk in assigned_tutor_ids(student=student, today=today) if pk not in first]
    teaching = (
        User.objects.filter(school=school, role__in=TUTOR_ROLES, is_active=True)
        .filter(Q(timetable_slots__isnull=False) | Q(advised_classes__isnull=False))
        .distinct()
    )
    others = teaching.exclude(pk__in=first).order_by("pk").values_list("pk", flat=True)
    ids = (first + list(others[:DEMO_TUTORS]))[:DEMO_TUTORS]
    found = {user.pk: user for user in teaching.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def choose_pairs(
    *,
    tutors: list[User],
    student: StudentProfile | None,
    today: datetime.date,
    now: datetime.datetime,
    rng: random.Random,
) -> list[Pair]:
    """Up to STUDENTS_PER_TUTOR of each tutor's own students (`tutor_students`), chosen
    with `rng`, each with an amount and the time it was issued. The demo student gets 3
    with the first tutor (the automatic credit flow) and 1 with the second."""
    pairs = []
    for index, tutor in enumerate(tutors):
        own = list(tutor_students(tutor=tutor, today=today).select_related("user").order_by("pk"))
        chosen = rng.sample(own, min(STUDENTS_PER_TUTOR, len(own)))
        special = {0: 3, 1: 1}.get(index) if student is not None else None
        if special is not None and any(s.pk == student.pk for s in own):
            chosen = [student] + [s for s in chosen if s.pk != student.pk][: STUDENTS_PER_TUTOR - 1]
        for each in sorted(chosen, key=lambda s: s.pk):
            amount = rng.choice(AMOUNTS)
            if special is not None and each.pk == student.pk:
                amount = special
            days = rng.uniform(*ISSUED_DAYS)
            pairs.append(Pair(tutor, each, amount, now - datetime.timedelta(days=days)))
    return pairs


def set_credits(pairs: list[Pair], *, admin: User | None, teacher: User | None) -> None:
    """One `set_available_credits` per tutor and amount: the demo teacher (or, without an
    admin, every tutor) sets their own; the admin sets the others'."""
    groups: dict[tuple[int, int], list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[(pair.tutor.pk, pair.amount)].append(pair)
    for same in groups.values():
        tutor = same[0].tutor
        own = admin is None or (teacher is not None and tutor.pk == teacher.pk)
        set_available_credits(
            students=[p.student for p in same],
            tutor=tutor,
            amount=same[0].amount,
            actor=tutor if own else admin,
            note="Lessons cancelled by the tutor (demo)",
        )


def _lesson_time(day: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """An afternoon hour (15:00–18:00) of `day`'s date, in `day`'s time zone."""
    return day.replace(hour=rng.randint(15, 18), minute=0, second=0, microsecond=0)


def plan_lessons(
    pairs: list[Pair],
    *,
    student: StudentProfile | None,
    teacher: User | None,
    now: datetime.datetime,
    rng: random.Random,
) -> list[Planned]:
    """Which pairs book a lesson, when, and what became of it: completed an hour after it
    began when that is past, sometimes cancelled the day after booking, else booked. The
    demo student with the demo teacher books two: one attended, one still to come."""
    planned = []
    for pair in pairs:
        flow = (
            student is not None
            and teacher is not None
            and (pair.student.pk, pair.tutor.pk) == (student.pk, teacher.pk)
        )
        roll, cancel = rng.random(), rng.random()
        booked_at = pair.issued_at + datetime.timedelta(days=rng.uniform(0.5, 8))
        scheduled = _lesson_time(booked_at + datetime.timedelta(days=rng.uniform(2, 20)), rng)
        if flow:
            attended = _lesson_time(booked_at + datetime.timedelta(days=3), rng)
            planned.append(
                Planned(pair, booked_at, attended, MakeupLesson.Status.COMPLETED,
                        attended + datetime.timedelta(hours=1))
            )  # fmt: skip
            later = now - datetime.timedelta(days=2)
            planned.append(
                Planned(pair, later, _lesson_time(now + datetime.timedelta(days=5), rng),
                        MakeupLesson.Status.BOOKED)
            )  # fmt: skip
            continue
        if roll >= BOOKED_SHARE:
            continue
        ends = scheduled + datetime.timedelta(hours=1)
        if cancel < CANCELLED_SHARE:
            outcome = MakeupLesson.Status.CANCELLED
            finished = min(booked_at + datetime.timedelta(days=1), now)
        elif ends < now:
            outcome, finished = MakeupLesson.Status.COMPLETED, ends
        else:
            outcome, finished = MakeupLesson.Status.BOOKED, None
        planned.append(Planned(pair, booked_at, scheduled, outcome, finished))
    return planned


def book_lessons(planned: list[Planned]) -> None:
    """Book, complete and cancel the planned lessons in the order they happen, so each
    pair's history reads as it would have been written (students book their own lessons;
    the tutor completes or cancels)."""
    events = []
    for index, plan in enumerate(planned):
        events.append((plan.booked_at, index, "book", plan))
        if plan.finished_at is not None:
            events.append((plan.finished_at, index, plan.outcome, plan))
    for _when, _index, step, plan in sorted(events, key=lambda e: (e[0], e[1])):
        pair = plan.pair
        if step == "book":
            by_student = pair.student.user.role == Role.STUDENT and pair.student.user.is_active
            plan.lesson = book_makeup_lesson(
                student=pair.student,
                tutor=pair.tutor,
                scheduled_for=plan.scheduled_for,
                actor=pair.student.user if by_student else pair.tutor,
                # Judged as on the day it was booked: the demo replays past bookings.
                as_of=plan.booked_at,
            )
        elif step == MakeupLesson.Status.COMPLETED:
            complete_makeup_lesson(lesson=plan.lesson, actor=pair.tutor, as_of=plan.finished_at)
        else:
            cancel_makeup_lesson(lesson=plan.lesson, actor=pair.tutor)


def add_departed_tutor(
    *,
    school: School,
    admin: User,
    tutors: list[User],
    today: datetime.date,
    now: datetime.datetime,
    rng: random.Random,
) -> tuple[User | None, list[Pair], list[Planned]]:
    """A tutor (DEPARTED_USERNAME) who gave DEPARTED_STUDENTS students credits, one of
    whom booked a lesson, and then left: the account is deactivated, so the credits show
    as a departed tutor's liability until an admin clears them. None when the username
    is taken in another school."""
    if User.objects.filter(username=DEPARTED_USERNAME).exclude(school=school).exists():
        return None, [], []
    first, last = DEPARTED_NAME
    departed = User.objects.filter(username=DEPARTED_USERNAME, school=school).first() or User(
        username=DEPARTED_USERNAME,
        school=school,
        role=Role.TEACHER,
        first_name=first,
        last_name=last,
        email=f"{DEPARTED_USERNAME}@demo.rollbook.invalid",
    )
    departed.is_active = True  # only an active tutor's credits can be set
    departed.set_unusable_password()
    departed.save()
    source = tutors[0] if tutors else None
    students = (
        list(tutor_students(tutor=source, today=today).select_related("user").order_by("pk"))
        if source is not None
        else []
    )
    chosen = sorted(rng.sample(students, min(DEPARTED_STUDENTS, len(students))), key=lambda s: s.pk)
    issued = now - datetime.timedelta(days=ISSUED_DAYS[1] - 5)
    pairs = [Pair(departed, student, 2, issued) for student in chosen]
    if pairs:
        set_available_credits(
            students=chosen, tutor=departed, amount=2, actor=admin, note="Before leaving (demo)"
        )
    lessons = []
    if pairs:
        booked_at = issued + datetime.timedelta(days=2)
        lessons.append(
            Planned(pairs[0], booked_at, _lesson_time(now + datetime.timedelta(days=9), rng),
                    MakeupLesson.Status.BOOKED)
        )  # fmt: skip
        book_lessons(lessons)
    departed.is_active = False
    departed.save(update_fields=["is_active"])
    return departed, pairs, lessons


def backdate(pairs: list[Pair], planned: list[Planned], *, now: datetime.datetime) -> None:
    """Date the demo's own sets, bookings and completions as planned (the services wrote
    them all at the moment they ran): the pairs' set changes and `available_since`, the
    lessons' booking, credit and finish times and their change rows."""
    credits = {
        (c.student_id, c.tutor_id): c
        for c in MakeupCredit.objects.filter(
            tutor_id__in={p.tutor.pk for p in pairs},
            student_id__in={p.student.pk for p in pairs},
        )
    }
    issued = {}
    latest: dict[int, datetime.datetime] = {}
    for pair in pairs:
        credit = credits[(pair.student.pk, pair.tutor.pk)]
        issued[credit.pk] = pair.issued_at
        credit.available_since = pair.issued_at
        latest[credit.pk] = pair.issued_at
    lessons, when = [], {}
    for plan in planned:
        lesson = plan.lesson
        lesson.booked_at = plan.booked_at
        lesson.credit_set_at = issued[lesson.credit_id]
        if plan.finished_at is not None:
            lesson.finished_at = plan.finished_at
        lessons.append(lesson)
        when[(lesson.pk, CreditChange.Kind.BOOKED)] = plan.booked_at
        if plan.finished_at is not None:
            when[(lesson.pk, plan.outcome)] = plan.finished_at
        latest[lesson.credit_id] = max(latest[lesson.credit_id], plan.finished_at or plan.booked_at)
    changes = list(CreditChange.objects.filter(credit_id__in=issued))
    for change in changes:
        if change.lesson_id is None:
            change.changed_at = issued[change.credit_id]
        else:
            change.changed_at = when.get((change.lesson_id, change.kind)) or change.changed_at
    for credit in credits.values():
        credit.updated_at = min(latest[credit.pk], now)
    MakeupCredit.objects.bulk_update(credits.values(), ["available_since", "updated_at"])
    MakeupLesson.objects.bulk_update(lessons, ["booked_at", "credit_set_at", "finished_at"])
    CreditChange.objects.bulk_update(changes, ["changed_at"], batch_size=500)

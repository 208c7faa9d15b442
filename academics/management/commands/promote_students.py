"""`manage.py promote_students`: roll one school's students over into the next academic
year from the command line (docs/design/promotion.md), with the wizard's service.

    manage.py promote_students --school 13K123 --from 2015-2016 --to 2016-2017 --dry-run
    manage.py promote_students --school 13K123 --from 2015-2016 --to 2016-2017 \\
        --retain 276607595 --leave 508410312 --yes

Students of the school's highest grade graduate, everyone else moves up a grade into the
class continuing their own (5-A → 6-A); `--retain` and `--leave` name exceptions by
student number (or SIS id), `--grade` limits the run to some grades. The preview is
printed first, with every alert, warning and capacity shortfall; anything that would stop
the wizard's Execute stops the command too (non-zero exit, nothing written). Then it asks
before promoting, unless `--yes`. Planning and execution happen in one transaction, so a
refusal or an error leaves the school exactly as it was. The run it makes is listed on
the promotion history page (/promotion/<id>/), where it can be undone.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from academics.access import can_promote
from academics.commands import plural, schools_for_code
from academics.models import (
    AcademicYear,
    Grade,
    PromotionAction,
    PromotionMode,
    PromotionRow,
    School,
    StudentProfile,
    User,
)
from academics.services.promotion import (
    PromotionBusy,
    PromotionError,
    PromotionSummary,
    create_academic_year,
    execute_promotion,
    next_year_defaults,
    open_run,
    plan_promotion,
    preview_promotion,
)
from academics.services.roster_import.roster import grade_level

# Distinct alert or warning messages printed before "… and N more" (all with -v 2), and
# the student names printed with each.
LISTED = 10
NAMES_LISTED = 5
OUTCOME = {
    PromotionAction.RETAIN: "retained",
    PromotionAction.GRADUATE: "graduating",
    PromotionAction.LEAVE: "leaving",
}
ACTION_ORDER = (
    PromotionAction.PROMOTE,
    PromotionAction.RETAIN,
    PromotionAction.GRADUATE,
    PromotionAction.LEAVE,
)
PAST_TENSE = {
    PromotionAction.PROMOTE: "promoted",
    PromotionAction.RETAIN: "retained",
    PromotionAction.GRADUATE: "graduated",
    PromotionAction.LEAVE: "left",
}


class Command(BaseCommand):
    help = (
        "Promote one school's students from one academic year into the next (the wizard's "
        "automatic mode): the highest grade graduates, everyone else moves up a grade into "
        "the continuing class. Prints the preview and every warning, refuses while anything "
        "blocks it, asks before writing unless --yes; one transaction, undoable from the "
        "promotion history page. --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--school", required=True, metavar="CODE", help="The school's code (its SIS id)."
        )
        parser.add_argument(
            "--from",
            dest="from_year",
            required=True,
            metavar="YEAR",
            help='The academic year promoted from, by name, e.g. "2025-2026".',
        )
        parser.add_argument(
            "--to",
            dest="to_year",
            required=True,
            metavar="YEAR",
            help='The academic year promoted into, by name, e.g. "2026-2027".',
        )
        parser.add_argument(
            "--grade",
            dest="grades",
            action="extend",
            nargs="+",
            default=[],
            metavar="GRADE",
            help='Only students now in these grades: a name ("Grade 5", "Kindergarten") or '
            "a level (5, K). Default: every grade.",
        )
        parser.add_argument(
            "--retain",
            action="extend",
            nargs="+",
            default=[],
            metavar="STUDENT",
            help="Keep these students in their grade: student numbers (or SIS ids).",
        )
        parser.add_argument(
            "--leave",
            action="extend",
            nargs="+",
            default=[],
            metavar="STUDENT",
            help="These students leave the school (enrollment marked left, student inactive).",
        )
        parser.add_argument(
            "--create-year",
            action="store_true",
            help="Create the --to year if it does not exist yet: dates one year after --from, "
            "its homeroom classes and their sections copied (as step 1 of the wizard does).",
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="The school's admin or principal recorded as having run the promotion "
            "(default: nobody named).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the preview; write nothing."
        )
        parser.add_argument("--yes", action="store_true", help="Don't ask for confirmation.")

    def handle(
        self,
        *args,
        school: str,
        from_year: str,
        to_year: str,
        grades: Sequence[str],
        retain: Sequence[str],
        leave: Sequence[str],
        create_year: bool,
        by: str | None,
        dry_run: bool,
        yes: bool,
        **options,
    ):
        """Preview, check, confirm, then plan and execute in one transaction
        (docs/design/promotion.md).

        Raises CommandError, with nothing written, for an unknown school, year, grade or
        student, a plan someone is making in the wizard, any alert or class over capacity
        in the preview, or a refusal by the service (PromotionError, PromotionBusy).
        """
        self.verbosity = options.get("verbosity", 1)
        school_obj = schools_for_code(school)[0]
        actor = _actor(school_obj, by)
        source = _year(school_obj, from_year)
        target = _year(school_obj, to_year, missing_ok=True)
        to_year = target.name if target is not None else to_year.strip()
        if target is None and not create_year:
            raise CommandError(
                f'{school_obj} has no academic year "{to_year}"{_years_of(school_obj)}. '
                "Create it in step 1 of the promotion wizard, or add --create-year to "
                f"create it here (dates one year after {source}, homerooms copied)."
            )
        grade_ids = _grade_ids(school_obj, grades)
        named = _named_students(school_obj, retain=retain, leave=leave)
        actions = {student.pk: action for student, action in named.values()}
        if target is not None:
            self._check_no_draft(school_obj, source, target, dry_run=dry_run)

        if dry_run:
            self.stdout.write("Dry run: nothing will be written.")
        if target is None:
            self.stdout.write(
                f"{to_year} does not exist yet: it "
                f"{'would be' if dry_run else 'will be'} created from "
                f"{_new_year_dates(source)}, with the homeroom classes of {source} copied."
            )
        filters = {"grades": grade_ids}
        # Preview without writing: a year still to be created is made for the preview
        # inside a transaction that is rolled back, and created for real after "y".
        with transaction.atomic():
            into = target or _create_year(school_obj, to_year, source, actor)
            try:
                summary = preview_promotion(
                    school=school_obj, from_year=source, to_year=into, filters=filters,
                    actions=actions,
                )  # fmt: skip
            except PromotionError as exc:
                raise CommandError(_refused(exc.messages)) from exc
            self._write_preview(school_obj, source, to_year, summary)
            transaction.set_rollback(True)

        planned = {row.student_id for row in summary.rows}
        outside = [(code, s) for code, (s, _) in named.items() if s.pk not in planned]
        if outside:
            listed = ", ".join(f'"{code}" ({s})' for code, s in outside)
            raise CommandError(
                f"{listed}: not among the students to promote (not enrolled in {source}, "
                f"already promoted, or outside --grade). Nothing was changed."
            )
        if not summary.rows:
            raise CommandError(f"No student of {source} matches --grade. Nothing was changed.")
        if summary.problems:
            what = []
            if summary.alerts:
                what.append(f"{plural(len(summary.alerts), 'student')} with an alert")
            if summary.shortfalls:
                what.append(f"{plural(len(summary.shortfalls), 'class', 'classes')} over capacity")
            would = "would be refused" if dry_run else "is refused"
            raise CommandError(
                f"The promotion {would} until the problems above ({' and '.join(what)}) "
                "are resolved: in the wizard, or here with --retain, --leave or --grade. "
                "Nothing was changed."
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Dry run, nothing written."))
            return
        question = f"Promote {plural(summary.total, 'student')} from {source} to {to_year}? [y/N] "
        if not yes and not self._confirmed(question):
            self.stdout.write("Nothing changed.")
            return

        self.stdout.write(f"Planning the promotion of {plural(summary.total, 'student')} …")
        try:
            with transaction.atomic():
                into = target or _create_year(school_obj, to_year, source, actor)
                self._check_no_draft(school_obj, source, into, dry_run=False)
                run = plan_promotion(
                    school=school_obj,
                    from_year=source,
                    to_year=into,
                    mode=PromotionMode.AUTOMATIC,
                    filters=filters,
                    actions=actions,
                    actor=actor,
                )
                if run.rows.count() != summary.total:
                    raise CommandError(
                        f"The students of {source} changed since the preview. Nothing was "
                        "changed: run the command again."
                    )
                self.stdout.write(f"Executing run #{run.pk} …")
                result = execute_promotion(run=run, actor=actor, school=school_obj)
        except PromotionBusy as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PromotionError as exc:
            raise CommandError(_refused(exc.messages)) from exc
        counts = ", ".join(
            f"{n:,} {PAST_TENSE[a]}"
            for a, n in zip(
                ACTION_ORDER,
                (
                    result.promoted_count,
                    result.retained_count,
                    result.graduated_count,
                    result.left_count,
                ),
                strict=True,
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {result.seconds:.1f} s: {counts} "
                f"({plural(result.total, 'student')}). Run #{result.run_id}, log #{result.log_id}."
            )
        )
        self.stdout.write(
            f"See it, or undo it while nothing has been recorded in {to_year} (attendance, "
            f"bills), on the promotion history page: {_run_path(result.run_id)}"
        )

    # --- checks ---------------------------------------------------------------------------

    def _check_no_draft(
        self, school: School, source: AcademicYear, target: AcademicYear, *, dry_run: bool
    ) -> None:
        """Someone planning these years in the wizard owns the one draft they may have;
        the command must not plan over it."""
        draft = open_run(school=school, from_year=source, to_year=target)
        if draft is None:
            return
        who = str(draft.created_by) if draft.created_by else "Someone"
        message = (
            f"{who} started planning a promotion from {source} to {target} on "
            f"{draft.created_at:%-d %b %Y %H:%M} (run #{draft.pk}), not executed yet. Finish "
            f"or discard it in the wizard first: {_run_path(draft.pk)}"
        )
        if not dry_run:
            raise CommandError(message)
        self.stdout.write(self.style.WARNING(f"Warning: {message}"))

    def _confirmed(self, question: str) -> bool:
        try:
            answer = input(question)
        except EOFError:
            return False
        return answer.strip().lower() in ("y", "yes")

    # --- the preview -----------------------------------------------------------------------

    def _write_preview(
        self, school: School, source: AcademicYear, to_year: str, summary: PromotionSummary
    ) -> None:
        write = self.stdout.write
        code = f" ({school.code})" if school.code else ""
        write(f"{school}{code}: {source} → {to_year}, {plural(summary.total, 'student')}.")
        by_grade: dict[Grade, list[PromotionRow]] = defaultdict(list)
        for row in summary.rows:
            by_grade[row.from_enrollment.grade].append(row)
        grades = sorted(by_grade, key=lambda g: (g.level, g.name))
        width = max((len(g.name) for g in grades), default=0)
        for grade in grades:
            rows = by_grade[grade]
            write(f"  {grade.name:<{width}}  {len(rows):>5,}  {_grade_outcome(rows)}")
        totals = ", ".join(f"{summary.counts.get(a, 0):,} {a}" for a in ACTION_ORDER)
        write(f"  Actions: {totals}.")
        if self.verbosity >= 2:
            for preview in summary.previews():
                target = " / ".join(
                    p
                    for p in (preview.target_grade, preview.target_class, preview.target_section)
                    if p
                )
                roll = f" #{preview.roll_number}" if preview.roll_number else ""
                write(
                    f"    {preview.student_name} ({preview.student_number or '—'}), "
                    f"{preview.current_grade}: {preview.action}"
                    f"{' → ' + target + roll if target else ''}"
                )
        limit = None if self.verbosity >= 2 else LISTED
        self._write_grouped("Alerts (each stops the promotion)", summary.rows, "alert", limit)
        if summary.shortfalls:
            write(self.style.ERROR(f"Over capacity ({len(summary.shortfalls)}):"))
            for line in _capped([s.message for s in summary.shortfalls], limit):
                write(f"  {line}")
        self._write_grouped("Warnings", summary.rows, "warning", limit)

    def _write_grouped(
        self, title: str, rows: Iterable[PromotionRow], attr: str, limit: int | None
    ) -> None:
        """One line per distinct message, with how many students and the first names."""
        groups: dict[str, list[PromotionRow]] = defaultdict(list)
        for row in rows:
            if message := getattr(row, attr):
                groups[message].append(row)
        if not groups:
            return
        total = sum(len(g) for g in groups.values())
        style = self.style.ERROR if attr == "alert" else self.style.WARNING
        self.stdout.write(style(f"{title}: {plural(total, 'student')}"))
        lines = []
        for message, group in groups.items():
            names = [str(r.student.user) for r in group]
            shown = ", ".join(names[:NAMES_LISTED])
            if len(names) > NAMES_LISTED:
                shown += f" … and {len(names) - NAMES_LISTED} more"
            lines.append(f"{message} ({plural(len(names), 'student')}: {shown})")
        for line in _capped(lines, limit):
            self.stdout.write(f"  {line}")


# --- argument lookups ------------------------------------------------------------------------


def _actor(school: School, username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f'No user "{username}".')
    allowed = user.is_superuser or (user.school_id == school.pk and can_promote(user))
    if not allowed:
        raise CommandError(
            f"{user} ({username}) is not an admin or principal of {school}: only they may "
            "promote its students."
        )
    return user


def _years_of(school: School) -> str:
    names = list(
        AcademicYear.objects.filter(school=school)
        .order_by("start_date")
        .values_list("name", flat=True)
    )
    return f" (its years: {', '.join(names)})" if names else " (it has no academic years)"


def _year(school: School, name: str, *, missing_ok: bool = False) -> AcademicYear | None:
    year = AcademicYear.objects.filter(school=school, name__iexact=name.strip()).first()
    if year is None and not missing_ok:
        raise CommandError(f'{school} has no academic year "{name}"{_years_of(school)}.')
    return year


def _new_year_dates(source: AcademicYear) -> str:
    dates = next_year_defaults(source)
    return f"{dates['start_date']:%-d %b %Y} to {dates['end_date']:%-d %b %Y}"


def _create_year(
    school: School, name: str, source: AcademicYear, actor: User | None
) -> AcademicYear:
    """The --to year, one year after `source`, with its homerooms copied (--create-year)."""
    dates = next_year_defaults(source)
    try:
        return create_academic_year(
            school=school,
            name=name,
            start_date=dates["start_date"],
            end_date=dates["end_date"],
            copy_classes_from=source,
            actor=actor,
        )
    except PromotionError as exc:
        raise CommandError(_refused(exc.messages)) from exc


def _grade_ids(school: School, values: Sequence[str]) -> list[int]:
    """The school's grades named by --grade: by name (any case), else by level ("5",
    "Grade 5", "K", "KG", "Kindergarten" → 0)."""
    if not values:
        return []
    grades = list(Grade.objects.filter(school=school).order_by("level", "name"))
    found, unknown = [], []
    for value in values:
        text = value.strip()
        matches = [g for g in grades if g.name.lower() == text.lower()]
        if not matches:
            level = grade_level(text)
            if level is None and re.fullmatch(r"-?\d+", text):
                level = int(text)
            matches = [g for g in grades if level is not None and g.level == level]
        if matches:
            found.extend(g.pk for g in matches)
        else:
            unknown.append(value)
    if unknown:
        names = ", ".join(g.name for g in grades) or "none"
        raise CommandError(
            f"{school} has no grade {', '.join(repr(u) for u in unknown)}. Its grades: {names}."
        )
    return sorted(set(found))


def _named_students(
    school: School, *, retain: Sequence[str], leave: Sequence[str]
) -> dict[str, tuple[StudentProfile, str]]:
    """code → (student, action) for --retain and --leave. A code is a student number,
    else a StudentProfile.source_id (the SIS id). Unknown, ambiguous or doubly named
    codes are refused, all of them in one message."""
    wanted = [(code.strip(), PromotionAction.RETAIN) for code in retain] + [
        (code.strip(), PromotionAction.LEAVE) for code in leave
    ]
    if not wanted:
        return {}
    codes = {code for code, _ in wanted}
    students = list(
        StudentProfile.objects.filter(school=school)
        .filter(Q(student_number__in=codes) | Q(source_id__in=codes))
        .select_related("user")
    )
    problems = []
    actions_of = defaultdict(set)
    for code, action in wanted:
        actions_of[code].add(action)
    named: dict[str, tuple[StudentProfile, str]] = {}
    for code, action in wanted:
        if code in named:
            continue
        matches = [s for s in students if s.student_number == code] or [
            s for s in students if s.source_id == code
        ]
        if not matches:
            problems.append(f'no student of {school} has the number or SIS id "{code}"')
        elif len(matches) > 1:
            problems.append(
                f'{len(matches)} students have the number "{code}" '
                f"({', '.join(str(s) for s in matches)}): give their SIS id instead"
            )
        elif len(actions_of[code]) > 1:
            problems.append(f'"{code}" ({matches[0]}) is given to both --retain and --leave')
        else:
            named[code] = (matches[0], action)
    by_student = Counter(student.pk for student, _ in named.values())
    for code, (student, _) in named.items():
        if by_student[student.pk] > 1:
            problems.append(f'"{code}" names {student}, who is named twice')
            by_student[student.pk] = 0
    if problems:
        raise CommandError(_refused(problems))
    return named


# --- text ------------------------------------------------------------------------------------


def _grade_outcome(rows: list[PromotionRow]) -> str:
    """ "58 → Grade 1, 1 retained, 1 leaving" for one current grade."""
    parts: Counter = Counter()
    for row in rows:
        if row.action == PromotionAction.PROMOTE:
            key = f"→ {row.to_grade}" if row.to_grade else "with no next grade"
        else:
            key = OUTCOME[row.action]
        parts[key] += 1
    return ", ".join(f"{n:,} {key}" for key, n in parts.most_common())


def _capped(lines: list[str], limit: int | None) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… and {len(lines) - limit} more (all of them with -v 2)"]


def _run_path(run_id: int) -> str:
    """The run's page in the promotion history (a draft's opens its preview)."""
    return reverse("academics:promotion_detail", args=[run_id])


def _refused(messages: Iterable[str]) -> str:
    messages = [m.rstrip(".") for m in messages]
    return f"{'; '.join(messages)}. Nothing was changed."

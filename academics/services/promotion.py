"""Academic-year promotion: rolling a school's students over into the next year (seed 004;
DOMAIN.md, "Promotion"; issue 7).

The plan is made first and stored (a `PromotionRun` with a `PromotionRow` per student), so
the wizard survives a reload and other admins see a run in progress; `execute_promotion`
then carries it out in one transaction, and `undo_promotion` takes it back while nothing
has been recorded against the new enrollments.

`PromotionService` gives the seed's method names (section 2.1) over the module's functions;
the wizard and `manage.py promote_students` both use it.

Targets (seed 004, 2.3):
- promote: the next grade by level, into the class of that grade that continues the
  current one (5-A → 6-A; see `continuing_class`); no next grade is an alert, never a guess.
- retain: the same grade, in the class that continues the current one in the new year.
- graduate: the enrollment is marked graduated and the student made inactive; no new
  enrollment. The default for students of the school's highest grade.
- leave: the enrollment is marked left and the student made inactive.

Sections: `rebalance_sections` spreads a target class's students evenly over its active
sections within their capacities, in alphabetical blocks; a class short of seats is
reported with how many, and execution is refused until it is resolved. Roll numbers are
given per class, alphabetically, after the numbers already used there.

Planning reads a fixed number of queries and execution writes with bulk statements, so
neither grows per student (see `academics/benchmark_promotion.py`).
"""

from __future__ import annotations

import datetime
import re
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import (
    AcademicYear,
    Enrollment,
    Grade,
    Membership,
    PromotionAction,
    PromotionLog,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    School,
    SchoolClass,
    Section,
    StudentProfile,
    User,
)
from ..signals import promotion_undo_requested

# Seconds per student assumed by `estimate_seconds` before this installation has measured
# its own: `manage.py bench_promotion` executed 2,000 students in 1.0–1.6 s on the
# development machine, SQLite and PostgreSQL alike (README "Figures"); rounded up.
DEFAULT_SECONDS_PER_STUDENT = 0.001
FILTER_KEYS = ("grades", "classes", "sections", "exclude", "students", "default_action")


class PromotionError(Exception):
    """A promotion was refused; nothing was written. `messages` lists every reason."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


class PromotionBusy(PromotionError):
    """Another promotion between the same years is being executed or undone right now."""


# --- the seed's shapes ---------------------------------------------------------------------


@dataclass
class PromotionPreview:
    """One student's line in the preview (seed 004, 3.1; with section, roll number and the
    row's alert and warning)."""

    student_id: int
    student_name: str
    current_grade: str
    current_class: str
    target_grade: str
    target_class: str
    action: str  # 'promote', 'retain', 'graduate', 'leave'
    notes: str
    student_number: str = ""
    current_section: str = ""
    target_section: str = ""
    roll_number: int | None = None
    alert: str = ""
    warning: str = ""


@dataclass
class PromotionResult:
    """What an execution did (seed 004, 3.1). `errors` is empty when `success`."""

    success: bool
    promoted_count: int
    retained_count: int
    graduated_count: int
    left_count: int
    errors: list[str]
    log_id: int | None
    run_id: int | None = None
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.promoted_count + self.retained_count + self.graduated_count + self.left_count


@dataclass
class CapacityShortfall:
    """A target class whose active sections have fewer free seats than students sent there."""

    school_class: SchoolClass
    seats: int
    students: int
    over: int = 0  # students in a section beyond its capacity (chosen by the user)

    @property
    def short_by(self) -> int:
        """How many students don't fit: more than the free seats, or more in a section than
        it holds."""
        return max(self.students - self.seats, self.over, 1)

    @property
    def message(self) -> str:
        return (
            f"{self.school_class} is {self.short_by} over capacity: {self.students} students "
            f"for {self.seats} free seats. Raise a section's capacity, add a section, or "
            "move students to another class."
        )


@dataclass
class PromotionSummary:
    """The preview of a whole plan: its rows, counts per action and everything that stops
    it (`alerts`, `shortfalls`) or deserves a look (`warnings`)."""

    rows: list[PromotionRow]
    counts: dict[str, int]
    alerts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    shortfalls: list[CapacityShortfall] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def problems(self) -> list[str]:
        """Every reason execution is refused, in the order the preview shows them."""
        return self.alerts + [s.message for s in self.shortfalls]

    @property
    def can_execute(self) -> bool:
        return bool(self.rows) and not self.problems

    def previews(self) -> list[PromotionPreview]:
        return [to_preview(row) for row in self.rows]


def to_preview(row: PromotionRow) -> PromotionPreview:
    """The seed's PromotionPreview of a planned row (related objects already loaded)."""
    enrollment = row.from_enrollment
    return PromotionPreview(
        student_id=row.student_id,
        student_name=str(row.student.user),
        student_number=row.student.student_number,
        current_grade=str(enrollment.grade),
        current_class=str(enrollment.school_class or ""),
        current_section=enrollment.section.name if enrollment.section else "",
        target_grade=str(row.to_grade or ""),
        target_class=str(row.to_class or ""),
        target_section=row.to_section.name if row.to_section else "",
        roll_number=row.roll_number,
        action=row.action,
        notes=row.notes,
        alert=row.alert,
        warning=row.warning,
    )


# --- years ---------------------------------------------------------------------------------


def validate_prerequisites(
    *, school: School, from_year: AcademicYear, to_year: AcademicYear
) -> None:
    """Check that students can be promoted from `from_year` into `to_year` (seed 004, 3.1).

    Both years must be the school's, `to_year` must start after `from_year` ends, and
    `from_year` must hold enrollments still waiting to be promoted (status active).

    Raises PromotionError listing every problem.
    """
    problems = []
    if from_year.school_id != school.pk or to_year.school_id != school.pk:
        raise PromotionError("Both academic years must belong to this school.")
    if from_year.pk == to_year.pk:
        raise PromotionError("Choose two different academic years.")
    if to_year.start_date <= from_year.end_date:
        problems.append(
            f"{to_year} must start after {from_year} ends ({from_year.end_date:%-d %b %Y})."
        )
    if not Enrollment.objects.filter(
        academic_year=from_year, status=Enrollment.Status.ACTIVE
    ).exists():
        problems.append(f"No student of {from_year} is waiting to be promoted.")
    if problems:
        raise PromotionError(problems)


def next_year_defaults(from_year: AcademicYear) -> dict:
    """Name and dates for the year after `from_year`: each number in the name and both dates
    one year on ("2025-2026" → "2026-2027")."""

    def plus_one(d: datetime.date) -> datetime.date:
        try:
            return d.replace(year=d.year + 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year + 1, day=28)

    name = re.sub(r"\d{4}", lambda m: str(int(m.group()) + 1), from_year.name)
    if name == from_year.name:
        name = f"{from_year.name} (next)"
    return {
        "name": name,
        "start_date": plus_one(from_year.start_date),
        "end_date": plus_one(from_year.end_date),
    }


@transaction.atomic
def create_academic_year(
    *,
    school: School,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    copy_classes_from: AcademicYear | None,
    actor: User,
) -> AcademicYear:
    """Create the school's next academic year (wizard step 1).

    Args:
        name: unique in the school, e.g. "2026-2027".
        start_date, end_date: school-local; the year may not overlap another of the school.
        copy_classes_from: a year whose active homeroom classes (name, code, grade, advisor)
            and their active sections (name, capacity) are copied into the new year, so
            5-A of this year has a 5-A next year for 4-A to be promoted into; None copies
            nothing.

    Returns the new year (not current: making it current is the office's decision).
    Raises PromotionError for a taken name, reversed dates or an overlap.
    """
    name = name.strip()
    if not name:
        raise PromotionError("Give the year a name, e.g. 2026-2027.")
    if end_date <= start_date:
        raise PromotionError("The year must end after it starts.")
    years = AcademicYear.objects.filter(school=school)
    if years.filter(name__iexact=name).exists():
        raise PromotionError(f"{school} already has an academic year called {name}.")
    overlap = years.filter(start_date__lte=end_date, end_date__gte=start_date).first()
    if overlap is not None:
        raise PromotionError(
            f"{name} would overlap {overlap} "
            f"({overlap.start_date:%-d %b %Y} – {overlap.end_date:%-d %b %Y})."
        )
    year = AcademicYear.objects.create(
        school=school,
        name=name,
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
        updated_by=actor,
    )
    if copy_classes_from is not None:
        if copy_classes_from.school_id != school.pk:
            raise PromotionError("Classes can only be copied from a year of this school.")
        _copy_homerooms(source=copy_classes_from, target=year, actor=actor)
    return year


def _copy_homerooms(*, source: AcademicYear, target: AcademicYear, actor: User) -> None:
    classes = list(
        SchoolClass.objects.filter(
            academic_year=source,
            kind=SchoolClass.Kind.HOMEROOM,
            is_active=True,
            grade__isnull=False,
        ).order_by("pk")
    )
    copies = SchoolClass.objects.bulk_create(
        [
            SchoolClass(
                school_id=c.school_id,
                academic_year=target,
                grade_id=c.grade_id,
                subject_id=c.subject_id,
                name=c.name,
                code=c.code,
                kind=c.kind,
                advisor_id=c.advisor_id,
                created_by=actor,
                updated_by=actor,
            )
            for c in classes
        ]
    )
    copy_of = {c.pk: copy for c, copy in zip(classes, copies, strict=True)}
    Section.objects.bulk_create(
        [
            Section(
                school_id=s.school_id,
                school_class=copy_of[s.school_class_id],
                name=s.name,
                capacity=s.capacity,
                created_by=actor,
                updated_by=actor,
            )
            for s in Section.objects.filter(school_class__in=classes, is_active=True)
        ]
    )


# --- who is promoted -------------------------------------------------------------------------


def get_eligible_students(
    *,
    academic_year: AcademicYear,
    to_year: AcademicYear | None = None,
    exclude_statuses: Collection[str] | None = None,
) -> QuerySet[Enrollment]:
    """Enrollments of `academic_year` waiting to be promoted (seed 004, 3.1).

    Those whose status is in `exclude_statuses` (default: every status but active, i.e.
    students already retained, promoted, graduated, left or dropped) are left out, and so
    are students who already have an enrollment in `to_year`. Ordered by name, with the
    student, grade, class and section loaded.
    """
    if exclude_statuses is None:
        exclude_statuses = set(Enrollment.Status.values) - {Enrollment.Status.ACTIVE}
    enrollments = Enrollment.objects.filter(academic_year=academic_year).exclude(
        status__in=exclude_statuses
    )
    if to_year is not None:
        enrollments = enrollments.exclude(
            student__in=Enrollment.objects.filter(academic_year=to_year).values("student")
        )
    return enrollments.select_related("student__user", "grade", "school_class", "section").order_by(
        "student__user__last_name", "student__user__first_name", "pk"
    )


def _filtered(enrollments: QuerySet[Enrollment], filters: Mapping) -> QuerySet[Enrollment]:
    if filters.get("grades"):
        enrollments = enrollments.filter(grade__in=filters["grades"])
    if filters.get("classes"):
        enrollments = enrollments.filter(school_class__in=filters["classes"])
    if filters.get("sections"):
        enrollments = enrollments.filter(section__in=filters["sections"])
    if filters.get("students"):
        enrollments = enrollments.filter(student__in=filters["students"])
    if filters.get("exclude"):
        enrollments = enrollments.exclude(student__in=filters["exclude"])
    return enrollments


# --- where to --------------------------------------------------------------------------------


def _name_key(student: StudentProfile) -> tuple[str, str, int]:
    user = student.user
    return (user.last_name.lower(), user.first_name.lower(), student.pk)


class _Ladder:
    """What planning needs to know about a school and the two years, read once: grades by
    level, the classes of both years by grade, the target classes' active sections, and
    what the target year already holds (seats taken, roll numbers used)."""

    def __init__(self, *, school: School, from_year: AcademicYear, to_year: AcademicYear,
                 ignore_enrollments: Collection[int] = ()):  # fmt: skip
        self.school = school
        self.from_year = from_year
        self.to_year = to_year
        self.grades = list(Grade.objects.filter(school=school).order_by("level"))
        self.grade_by_id = {g.pk: g for g in self.grades}
        self.next_grade = {a.pk: b for a, b in zip(self.grades, self.grades[1:], strict=False)}
        self.highest = self.grades[-1] if self.grades else None
        classes = SchoolClass.objects.filter(
            school=school, is_active=True, grade__isnull=False
        ).filter(Q(academic_year__isnull=True) | Q(academic_year__in=[from_year, to_year]))
        self.classes_by_id: dict[int, SchoolClass] = {}
        # (grade id, kind) → classes, by name: in the target year (or of no year), and in
        # the year promoted from (for matching by position).
        self.targets: dict[tuple[int, str], list[SchoolClass]] = defaultdict(list)
        self.sources: dict[tuple[int, str], list[SchoolClass]] = defaultdict(list)
        for c in classes.order_by("name", "code", "pk"):
            self.classes_by_id[c.pk] = c
            if c.academic_year_id in (None, to_year.pk):
                self.targets[(c.grade_id, c.kind)].append(c)
            if c.academic_year_id in (None, from_year.pk):
                self.sources[(c.grade_id, c.kind)].append(c)
        target_ids = [c.pk for group in self.targets.values() for c in group]
        self.sections: dict[int, list[Section]] = defaultdict(list)
        for s in Section.objects.filter(school_class__in=target_ids, is_active=True).order_by(
            "name", "pk"
        ):
            self.sections[s.school_class_id].append(s)
        existing = Enrollment.objects.filter(academic_year=to_year).exclude(
            pk__in=list(ignore_enrollments)
        )
        self.seats_taken = Counter(
            dict(
                existing.filter(section__isnull=False)
                .values("section")
                .annotate(n=Count("pk"))
                .values_list("section", "n")
            )
        )
        self.highest_roll = dict(
            existing.filter(school_class__isnull=False)
            .values("school_class")
            .annotate(top=Max("roll_number"))
            .values_list("school_class", "top")
        )

    def target_classes(self, grade: Grade, kind: str) -> list[SchoolClass]:
        return self.targets.get((grade.pk, kind), [])


def continuing_class(
    current: SchoolClass | None, target_grade: Grade, ladder: _Ladder
) -> tuple[SchoolClass | None, str, str]:
    """The class of `target_grade` in the target year that continues `current`.

    In order: the one whose code or name is the current one's with the grade changed
    (5-A → 6-A, "Class 101" → "Class 201", or the same name when retained); the only
    class of that grade; the class in the same position when both grades have as many
    classes. Returns (class, alert, warning): an alert when several classes are left to
    choose from (the user chooses), a warning when the grade has no class in the target
    year yet (the student is placed in the grade without one).
    """
    if current is None:
        return None, "", ""
    candidates = ladder.target_classes(target_grade, current.kind)
    year = ladder.to_year
    if not candidates:
        return None, "", f"No {target_grade} class in {year} yet: placed without a class."
    if current in candidates:  # a class of no particular year stays the student's class
        return current, "", ""
    source_grade = ladder.grade_by_id.get(current.grade_id)
    swaps = [("", "")]
    if source_grade is not None and source_grade.pk != target_grade.pk:
        swaps = [
            (str(source_grade.level), str(target_grade.level)),
            (source_grade.name, target_grade.name),
        ]
    for attr in ("code", "name"):
        # In order of preference: "Class 101" → "Class 201" before "Class 102"/"Class 202".
        for wanted in _renamed(getattr(current, attr), swaps):
            found = [c for c in candidates if getattr(c, attr).strip().lower() == wanted]
            if len(found) == 1:
                return found[0], "", ""
    if len(candidates) == 1:
        return candidates[0], "", ""
    siblings = ladder.sources.get((current.grade_id, current.kind), [])
    if len(siblings) == len(candidates) and current in siblings:
        return candidates[siblings.index(current)], "", ""
    return (
        None,
        f"Choose the {target_grade} class: none of {len(candidates)} continues {current}.",
        "",
    )


def _renamed(value: str, swaps: list[tuple[str, str]]) -> list[str]:
    """`value` with a swap's first string replaced by its second (lower case), most likely
    first: its first occurrence, then every occurrence, then each other single one."""
    value = value.strip().lower()
    if not value:
        return []
    names: list[str] = []
    for old, new in swaps:
        old, new = old.lower(), new.lower()
        if not old:
            names.append(value)
            continue
        starts = [m.start() for m in re.finditer(re.escape(old), value)]
        if not starts:
            continue
        singles = [value[:start] + new + value[start + len(old) :] for start in starts]
        names += [singles[0], value.replace(old, new), *singles[1:]]
    return list(dict.fromkeys(names))


def _set_targets(row: PromotionRow, ladder: _Ladder, *, keep_choices: bool = False) -> None:
    """Fill in a row's target grade and class (unless chosen) and its alert and warning."""
    enrollment = row.from_enrollment
    grade = ladder.grade_by_id.get(enrollment.grade_id, enrollment.grade)
    row.alert = row.warning = ""
    if row.action in (PromotionAction.GRADUATE, PromotionAction.LEAVE):
        row.to_grade = row.to_class = row.to_section = None
        row.class_chosen = row.section_chosen = False
        row.roll_number = None
        if row.action == PromotionAction.GRADUATE and ladder.highest and grade != ladder.highest:
            row.warning = f"{grade} is not the school's highest grade ({ladder.highest})."
        return
    if not keep_choices or row.to_grade_id is None:
        if row.action == PromotionAction.RETAIN:
            row.to_grade = grade
        else:
            row.to_grade = ladder.next_grade.get(grade.pk)
    if row.to_grade is None:
        row.to_class = row.to_section = None
        row.alert = (
            f"No grade after {grade} in {ladder.school}: choose a grade, or graduate or "
            "retain the student."
        )
        return
    if keep_choices and row.class_chosen:
        return
    row.class_chosen = False
    row.to_class, row.alert, row.warning = continuing_class(
        enrollment.school_class, row.to_grade, ladder
    )


def calculate_promotion_targets(
    *,
    enrollments: Iterable[Enrollment],
    ladder: _Ladder,
    default_action: str | None = None,
    actions: Mapping[int, str] | None = None,
) -> list[PromotionRow]:
    """Where each student goes (seed 004, 3.1): unsaved rows with action, target grade,
    class, section and roll number, alerts and warnings.

    Args:
        enrollments: the students' enrollments in the year promoted from.
        default_action: one PromotionAction for all (bulk mode); None: graduate students
            of the highest grade and promote the rest.
        actions: student id → PromotionAction, overriding the default for those students.
    """
    rows = _targets(
        enrollments=enrollments, ladder=ladder, default_action=default_action, actions=actions
    )
    _rebalance_all(rows, ladder)
    return rows


def _targets(
    *,
    enrollments: Iterable[Enrollment],
    ladder: _Ladder,
    default_action: str | None,
    actions: Mapping[int, str] | None,
) -> list[PromotionRow]:
    actions = actions or {}
    rows = []
    for enrollment in enrollments:
        action = actions.get(enrollment.student_id) or default_action
        if not action:
            highest = ladder.highest
            is_top = highest is not None and enrollment.grade_id == highest.pk
            action = PromotionAction.GRADUATE if is_top else PromotionAction.PROMOTE
        row = PromotionRow(student=enrollment.student, from_enrollment=enrollment, action=action)
        _set_targets(row, ladder)
        rows.append(row)
    return rows


def _rebalance_all(rows: list[PromotionRow], ladder: _Ladder) -> list[CapacityShortfall]:
    by_class: dict[int, list[PromotionRow]] = defaultdict(list)
    for row in rows:
        if row.to_class_id is None:
            row.to_section = None
            row.section_chosen = False
            row.roll_number = None
        else:
            by_class[row.to_class_id].append(row)
    shortfalls = []
    for class_id, class_rows in by_class.items():
        school_class = ladder.classes_by_id.get(class_id) or class_rows[0].to_class
        shortfall = rebalance_sections(school_class=school_class, rows=class_rows, ladder=ladder)
        if shortfall is not None:
            shortfalls.append(shortfall)
    return sorted(shortfalls, key=lambda s: (s.school_class.name, s.school_class.pk))


def rebalance_sections(
    *, school_class: SchoolClass, rows: list[PromotionRow], ladder: _Ladder
) -> CapacityShortfall | None:
    """Spread the students sent to `school_class` over its active sections (seed 004, 5.5).

    Students whose section the user chose keep it; the rest are shared out so the
    sections' sizes (with the seats already taken in the target year) come out as even as
    capacities allow, in alphabetical blocks (the first names go to the first section).
    Roll numbers are given 1, 2, … by name after the highest number already used in the
    class that year. Changes `rows` in place.

    Returns the shortfall when the sections have fewer free seats than students (the rows
    left over get no section), else None. A class without sections, or with a section of
    no capacity, never runs short.
    """
    rows.sort(key=lambda r: _name_key(r.student))
    sections = ladder.sections.get(school_class.pk, [])
    shortfall = None
    if sections:
        size = {s.pk: ladder.seats_taken.get(s.pk, 0) for s in sections}
        capacity = {s.pk: s.capacity for s in sections}
        for row in rows:
            if row.section_chosen and row.to_section_id in size:
                size[row.to_section_id] += 1
            else:
                row.section_chosen = False
        free_rows = [row for row in rows if not row.section_chosen]
        share = dict.fromkeys(size, 0)
        for _ in free_rows:
            open_sections = [
                s for s in sections if capacity[s.pk] is None or size[s.pk] < capacity[s.pk]
            ]
            if not open_sections:
                break
            smallest = min(open_sections, key=lambda s: size[s.pk])
            size[smallest.pk] += 1
            share[smallest.pk] += 1
        queue = iter(free_rows)
        for section in sections:
            for _ in range(share[section.pk]):
                next(queue).to_section = section
        unplaced = list(queue)
        for row in unplaced:
            row.to_section = None
        over = len(unplaced) + sum(
            max(0, size[s.pk] - capacity[s.pk]) for s in sections if capacity[s.pk] is not None
        )
        if over:
            seats = sum(
                max(0, capacity[s.pk] - ladder.seats_taken.get(s.pk, 0))
                for s in sections
                if capacity[s.pk] is not None
            )
            shortfall = CapacityShortfall(
                school_class=school_class, seats=seats, students=len(rows), over=over
            )
    else:
        for row in rows:
            row.to_section = None
            row.section_chosen = False
    start = ladder.highest_roll.get(school_class.pk) or 0
    for number, row in enumerate(rows, start=start + 1):
        row.roll_number = number
    return shortfall


# --- previews and stored runs ------------------------------------------------------------


def _summary(rows: list[PromotionRow], shortfalls: list[CapacityShortfall]) -> PromotionSummary:
    counts = Counter(row.action for row in rows)
    alerts, warnings = [], []
    for row in rows:
        if row.alert:
            alerts.append(f"{row.student.user}: {row.alert}")
        if row.warning:
            warnings.append(f"{row.student.user}: {row.warning}")
    return PromotionSummary(
        rows=rows,
        counts={action: counts.get(action, 0) for action in PromotionAction.values},
        alerts=alerts,
        warnings=warnings,
        shortfalls=shortfalls,
    )


def _clean_filters(filters: Mapping | None) -> dict:
    filters = dict(filters or {})
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise PromotionError(f"Unknown filter: {', '.join(sorted(unknown))}.")
    clean: dict = {}
    for key in ("grades", "classes", "sections", "exclude", "students"):
        ids = filters.get(key) or []
        try:
            clean[key] = sorted({int(i) for i in ids})
        except (TypeError, ValueError) as exc:
            raise PromotionError(f"The {key} filter takes ids.") from exc
    action = filters.get("default_action") or ""
    if action and action not in PromotionAction.values:
        raise PromotionError(f'"{action}" is not an action.')
    clean["default_action"] = action
    return clean


def preview_promotion(
    *,
    school: School,
    from_year: AcademicYear,
    to_year: AcademicYear,
    filters: Mapping | None = None,
    actions: Mapping[int, str] | None = None,
) -> PromotionSummary:
    """The plan for promoting from `from_year` into `to_year`, written nowhere (seed 004,
    3.1; the command's --dry-run).

    Args:
        filters: grades, classes, sections (ids: only students placed there), students
            (ids: only these — manual mode), exclude (ids: not these), default_action (a
            PromotionAction for every student — bulk mode; empty: automatic).
        actions: student id → PromotionAction for named students (the command's --retain
            and --leave).

    A fixed number of queries for any number of students. Raises PromotionError when the
    years don't allow a promotion.
    """
    validate_prerequisites(school=school, from_year=from_year, to_year=to_year)
    filters = _clean_filters(filters)
    ladder = _Ladder(school=school, from_year=from_year, to_year=to_year)
    enrollments = list(
        _filtered(get_eligible_students(academic_year=from_year, to_year=to_year), filters)
    )
    rows = _targets(
        enrollments=enrollments,
        ladder=ladder,
        default_action=filters["default_action"] or None,
        actions=actions,
    )
    shortfalls = _rebalance_all(rows, ladder)
    rows.sort(key=lambda r: _name_key(r.student))
    return _summary(rows, shortfalls)


def open_run(
    *, school: School, from_year: AcademicYear, to_year: AcademicYear
) -> PromotionRun | None:
    """The run being planned for these years, if someone has started one."""
    return (
        PromotionRun.objects.filter(
            school=school,
            from_year=from_year,
            to_year=to_year,
            status=PromotionRun.Status.DRAFT,
        )
        .select_related("created_by")
        .first()
    )


@transaction.atomic
def plan_promotion(
    *,
    school: School,
    from_year: AcademicYear,
    to_year: AcademicYear,
    mode: str,
    filters: Mapping | None = None,
    actions: Mapping[int, str] | None = None,
    actor: User,
    run: PromotionRun | None = None,
) -> PromotionRun:
    """Make the plan and store it (wizard step 2 → 3): a draft PromotionRun with one row
    per student, so the wizard survives a reload and other admins see it.

    `mode` is a PromotionMode: bulk needs `filters["default_action"]`, manual needs
    `filters["students"]`. Given `run` (a draft of the same years), its rows are planned
    again from scratch with the new filters; without one, a new draft is made, or the
    existing draft of these years is planned again.

    Returns the run. Raises PromotionError (nothing written) when the years don't allow a
    promotion, the mode lacks its choice, or no student matches the filters.
    """
    if mode not in PromotionMode.values:
        raise PromotionError(f'"{mode}" is not a promotion mode.')
    filters = _clean_filters(filters)
    if mode == PromotionMode.BULK and not filters["default_action"]:
        raise PromotionError("Bulk mode applies one action to everyone: choose it.")
    if mode == PromotionMode.MANUAL and not filters["students"]:
        raise PromotionError("Manual mode promotes the students you pick: pick at least one.")
    summary = preview_promotion(
        school=school, from_year=from_year, to_year=to_year, filters=filters, actions=actions
    )
    if not summary.rows:
        raise PromotionError("No student matches these choices.")
    if run is None:
        run = open_run(school=school, from_year=from_year, to_year=to_year)
    if run is not None:
        run = PromotionRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PromotionRun.Status.DRAFT:
            raise PromotionError(
                f"Run #{run.pk} was {run.get_status_display().lower()} meanwhile by another "
                "admin: start a new plan from the promotion history."
            )
        if (run.school_id, run.from_year_id, run.to_year_id) != (
            school.pk,
            from_year.pk,
            to_year.pk,
        ):
            raise PromotionError("That run is for other years.")
        run.rows.all().delete()
        run.mode, run.filters, run.updated_by = mode, filters, actor
        run.save(update_fields=["mode", "filters", "updated_by", "updated_at"])
    else:
        try:
            with transaction.atomic():
                run = PromotionRun.objects.create(
                    school=school,
                    from_year=from_year,
                    to_year=to_year,
                    mode=mode,
                    filters=filters,
                    created_by=actor,
                    updated_by=actor,
                )
        except IntegrityError as exc:  # another admin started one at this very moment
            raise PromotionError(
                f"Someone else has just started a promotion from {from_year} to {to_year}: "
                "open it from the promotion history."
            ) from exc
    for row in summary.rows:
        row.run = run
    PromotionRow.objects.bulk_create(summary.rows, batch_size=1000)
    return run


def run_rows(run: PromotionRun) -> QuerySet[PromotionRow]:
    """The run's rows by name, with everything the preview shows loaded (one query)."""
    return run.rows.select_related(
        "student__user",
        "from_enrollment__grade",
        "from_enrollment__school_class",
        "from_enrollment__section",
        "to_grade",
        "to_class",
        "to_section",
    ).order_by("student__user__last_name", "student__user__first_name", "pk")


def _ladder_for(run: PromotionRun) -> _Ladder:
    ignore = []
    if run.status == PromotionRun.Status.EXECUTED:
        ignore = list(
            run.rows.exclude(new_enrollment=None).values_list("new_enrollment", flat=True)
        )
    return _Ladder(
        school=run.school, from_year=run.from_year, to_year=run.to_year, ignore_enrollments=ignore
    )


def summarise_run(run: PromotionRun, *, ladder: _Ladder | None = None) -> PromotionSummary:
    """The stored plan's preview: rows, counts, alerts and capacity shortfalls (computed
    from the rows and the target year as they are now). A fixed number of queries."""
    rows = list(run_rows(run))
    ladder = ladder or _ladder_for(run)
    shortfalls = []
    if run.status == PromotionRun.Status.DRAFT:
        shortfalls = _shortfalls(rows, ladder)
    return _summary(rows, shortfalls)


def _shortfalls(rows: list[PromotionRow], ladder: _Ladder) -> list[CapacityShortfall]:
    """The capacity check of stored rows: the shortfalls execution would meet (it places
    the students whose section the user did not choose again), without moving anyone."""
    kept = [(row, row.to_section, row.section_chosen, row.roll_number) for row in rows]
    shortfalls = _rebalance_all(list(rows), ladder)
    for row, section, chosen, roll_number in kept:
        row.to_section, row.section_chosen, row.roll_number = section, chosen, roll_number
    return shortfalls


def _locked(run: PromotionRun) -> PromotionRun:
    """The run read again under a row lock, with its school and years."""
    return (
        PromotionRun.objects.select_for_update()
        .select_related("school", "from_year", "to_year")
        .get(pk=run.pk)
    )


def _draft_for_update(run: PromotionRun) -> PromotionRun:
    run = _locked(run)
    if run.status != PromotionRun.Status.DRAFT:
        raise PromotionError(
            f"Run #{run.pk} is {run.get_status_display().lower()}: its plan can't be changed."
        )
    return run


@transaction.atomic
def update_promotion_rows(
    *,
    run: PromotionRun,
    row_ids: Collection[int],
    actor: User,
    action: str | None = None,
    to_grade: Grade | None = None,
    to_class: SchoolClass | None = None,
    to_section: Section | None = None,
    notes: str | None = None,
) -> set[int]:
    """Change one or more rows of a draft run (step 3's inline edit and bulk actions).

    Args:
        row_ids: rows of `run`; any other id is refused.
        action: a PromotionAction; changing it plans the row's targets again.
        to_grade: the grade to promote into (the custom grade for a missing next grade,
            seed 004 2.3); the class is then matched again.
        to_class: a class of the target grade in the target year (chosen by the user).
        to_section: a section of that class (kept by rebalancing).
        notes: free text kept on the new enrollment.
    None leaves a field as it is.

    Sections and roll numbers of every class the rows left or joined are rebalanced.
    Returns the ids of every row that changed (the edited ones and the rebalanced ones).
    Raises PromotionError (nothing written) for a choice that doesn't fit.
    """
    run = _draft_for_update(run)
    ladder = _ladder_for(run)
    all_rows = list(run_rows(run))
    by_id = {row.pk: row for row in all_rows}
    wanted = set(row_ids)
    if not wanted or not wanted <= set(by_id):
        raise PromotionError("Choose rows of this promotion.")
    if action is not None and action not in PromotionAction.values:
        raise PromotionError(f'"{action}" is not an action.')
    if to_grade is not None and to_grade.school_id != run.school_id:
        raise PromotionError("Choose a grade of this school.")
    if to_class is not None and (
        to_class.school_id != run.school_id
        or to_class.academic_year_id not in (None, run.to_year_id)
        or not to_class.is_active
    ):
        raise PromotionError(f"Choose a class of {run.to_year}.")
    if to_section is not None and (
        to_class is None or to_section.school_class_id != to_class.pk or not to_section.is_active
    ):
        raise PromotionError("Choose a section of the chosen class.")
    before = {
        row.pk: (row.action, row.to_grade_id, row.to_class_id, row.to_section_id, row.roll_number)
        for row in all_rows
    }
    touched_classes = set()
    for row_id in wanted:
        row = by_id[row_id]
        touched_classes.add(row.to_class_id)
        if notes is not None:
            row.notes = notes.strip()[:500]
        if action is not None and action != row.action:
            row.action = action
            row.to_grade = None
            row.class_chosen = row.section_chosen = False
            _set_targets(row, ladder)
        if to_grade is not None:
            if row.action not in (PromotionAction.PROMOTE, PromotionAction.RETAIN):
                raise PromotionError(
                    f"{row.student.user} is set to {row.get_action_display().lower()}: "
                    "a grade applies only to promoted or retained students."
                )
            if to_grade.pk != row.to_grade_id:
                row.to_grade = to_grade
                row.class_chosen = row.section_chosen = False
                _set_targets(row, ladder, keep_choices=True)
        if to_class is not None:
            if row.action not in (PromotionAction.PROMOTE, PromotionAction.RETAIN):
                raise PromotionError(
                    f"{row.student.user} is set to {row.get_action_display().lower()}: "
                    "a class applies only to promoted or retained students."
                )
            if row.to_grade_id is None:
                raise PromotionError(f"Choose {row.student.user}'s grade first.")
            if to_class.grade_id != row.to_grade_id:
                raise PromotionError(
                    f"{to_class} is not a class of {row.to_grade} (the grade {row.student.user}"
                    " goes into)."
                )
            row.to_class = to_class
            row.class_chosen = True
            row.alert = ""
            if not row.to_section_id or row.to_section.school_class_id != to_class.pk:
                row.section_chosen = False
        if to_section is not None:
            row.to_section = to_section
            row.section_chosen = True
        touched_classes.add(row.to_class_id)
    touched_classes.discard(None)
    affected = [r for r in all_rows if r.to_class_id in touched_classes or r.pk in wanted]
    _rebalance_all(affected, ladder)
    for row in affected:
        if row.to_class_id is None:
            row.to_section = None
            row.roll_number = None
    changed = {
        row.pk
        for row in all_rows
        if row.pk in wanted
        or before[row.pk]
        != (row.action, row.to_grade_id, row.to_class_id, row.to_section_id, row.roll_number)
    }
    PromotionRow.objects.bulk_update(
        [by_id[pk] for pk in changed],
        [
            "action",
            "to_grade",
            "to_class",
            "to_section",
            "class_chosen",
            "section_chosen",
            "roll_number",
            "alert",
            "warning",
            "notes",
        ],
        batch_size=1000,
    )
    run.updated_by = actor
    run.save(update_fields=["updated_by", "updated_at"])
    return changed


@transaction.atomic
def rebalance_run(*, run: PromotionRun, actor: User) -> set[int]:
    """Spread every target class of a draft run over its sections again, forgetting the
    sections the user chose ("Rebalance sections"). Returns the ids of the rows moved."""
    run = _draft_for_update(run)
    ladder = _ladder_for(run)
    rows = list(run_rows(run))
    before = {row.pk: (row.to_section_id, row.roll_number) for row in rows}
    for row in rows:
        row.section_chosen = False
    _rebalance_all(rows, ladder)
    changed = [row for row in rows if before[row.pk] != (row.to_section_id, row.roll_number)]
    PromotionRow.objects.bulk_update(
        rows, ["to_section", "section_chosen", "roll_number"], batch_size=1000
    )
    run.updated_by = actor
    run.save(update_fields=["updated_by", "updated_at"])
    return {row.pk for row in changed}


@transaction.atomic
def discard_run(*, run: PromotionRun, actor: User) -> PromotionRun:
    """Give up a plan that was never executed; its rows are deleted, the run is kept as
    discarded. Raises PromotionError for a run that is not a draft."""
    run = _draft_for_update(run)
    run.rows.all().delete()
    run.status = PromotionRun.Status.DISCARDED
    run.updated_by = actor
    run.save(update_fields=["status", "updated_by", "updated_at"])
    return run


# --- execution and undo --------------------------------------------------------------------


def _lock_years(run: PromotionRun) -> None:
    """Lock both academic years, or refuse at once: a second execution (or undo) between
    the same years must not wait and then run on a plan the first has made stale (seed
    004, 5.3). Must run inside the caller's transaction; NOWAIT is ignored on SQLite,
    which allows one writer at a time anyway."""
    try:
        # A savepoint: after a refused lock the transaction stays usable (the message below
        # may still have to read the years' names).
        with transaction.atomic():
            list(
                AcademicYear.objects.select_for_update(nowait=True)
                .filter(pk__in=[run.from_year_id, run.to_year_id])
                .order_by("pk")
            )
    except DatabaseError as exc:
        raise PromotionBusy(
            f"Another promotion between {run.from_year} and {run.to_year} is running right "
            "now. Nothing was changed; try again when it has finished."
        ) from exc


def execute_promotion(*, run: PromotionRun, actor: User) -> PromotionResult:
    """Carry out a stored plan in one transaction (seed 004, 2.2 step 4 and section 5).

    For each row: promote and retain create the student's enrollment in the target year
    (grade, class, section, roll number, status active; with a membership of the new
    class) and mark the old one promoted or retained; graduate and leave mark the old
    enrollment graduated or left and make the student inactive. Old enrollments are never
    deleted. The academic years are locked first (a second run between the same years at
    the same time is refused with PromotionBusy), then the plan is checked again: every old
    enrollment still active, nobody already enrolled in the target year, no alert, no class
    over capacity. Any failure rolls everything back.

    Returns the seed's PromotionResult, with the PromotionLog's id. Raises PromotionError
    (nothing written) when the plan can't be carried out.
    """
    started = time.perf_counter()
    with transaction.atomic():
        _lock_years(run)
        run = _locked(run)
        if run.status != PromotionRun.Status.DRAFT:
            raise PromotionError(
                f"Run #{run.pk} is already {run.get_status_display().lower()}; nothing was changed."
            )
        ladder = _ladder_for(run)
        rows = list(run_rows(run))
        if not rows:
            raise PromotionError("This promotion has no students.")
        _check_still_current(run, rows)
        planned = {r.pk: (r.to_section_id, r.section_chosen, r.roll_number) for r in rows}
        # Seats may have been taken since the plan was made: rebalance the sections the
        # user did not choose, then refuse if anything is still wrong.
        shortfalls = _rebalance_all(rows, ladder)
        summary = _summary(rows, shortfalls)
        if summary.problems:
            raise PromotionError(summary.problems)
        counts = _apply(run, rows, actor=actor, planned=planned)
        seconds = time.perf_counter() - started
        now = timezone.now()
        run.status = PromotionRun.Status.EXECUTED
        run.executed_at, run.executed_by, run.updated_by = now, actor, actor
        run.save(update_fields=["status", "executed_at", "executed_by", "updated_by", "updated_at"])
        log = _log(
            run, PromotionLog.Event.EXECUTED, counts, actor=actor, seconds=seconds, notes=run.notes
        )
    return PromotionResult(
        success=True,
        promoted_count=log.promoted_count,
        retained_count=log.retained_count,
        graduated_count=log.graduated_count,
        left_count=log.left_count,
        errors=[],
        log_id=log.pk,
        run_id=run.pk,
        seconds=seconds,
    )


def _check_still_current(run: PromotionRun, rows: list[PromotionRow]) -> None:
    moved = [r for r in rows if r.from_enrollment.status != Enrollment.Status.ACTIVE]
    enrolled = set(
        Enrollment.objects.filter(
            academic_year=run.to_year, student__in=[r.student_id for r in rows]
        ).values_list("student", flat=True)
    )
    problems = []
    if moved:
        names = ", ".join(str(r.student.user) for r in moved[:5])
        problems.append(
            f"{len(moved)} students of this plan were promoted, retained or removed since it "
            f"was made ({names}{'…' if len(moved) > 5 else ''}). Plan the run again."
        )
    if enrolled:
        names = ", ".join(str(r.student.user) for r in rows if r.student_id in enrolled)
        problems.append(
            f"{len(enrolled)} students of this plan are already enrolled in {run.to_year} "
            f"({names[:200]}). Plan the run again."
        )
    if problems:
        raise PromotionError(problems)


_OLD_STATUS = {
    PromotionAction.PROMOTE: Enrollment.Status.PROMOTED,
    PromotionAction.RETAIN: Enrollment.Status.RETAINED,
    PromotionAction.GRADUATE: Enrollment.Status.GRADUATED,
    PromotionAction.LEAVE: Enrollment.Status.LEFT,
}


def _apply(
    run: PromotionRun,
    rows: list[PromotionRow],
    *,
    actor: User,
    planned: Mapping[int, tuple[int | None, bool, int | None]],
) -> Counter:
    """The writes of an execution: a few statements per table, whatever the number of rows.

    Updates go by value (one UPDATE per new status, say) or through a subquery, not with
    bulk_update: its CASE over every id makes each row's update scan the whole list, which
    took seconds for 2,000 students (`benchmark_promotion`). `planned` is each row's stored
    (to_section, section_chosen, roll_number), so only rows the rebalance moved are saved.
    """
    to_year = run.to_year
    staying = [r for r in rows if r.action in (PromotionAction.PROMOTE, PromotionAction.RETAIN)]
    new_enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                school_id=run.school_id,
                student_id=r.student_id,
                academic_year=to_year,
                grade_id=r.to_grade_id,
                school_class_id=r.to_class_id,
                section_id=r.to_section_id,
                roll_number=r.roll_number,
                status=Enrollment.Status.ACTIVE,
                enrollment_date=to_year.start_date,
                notes=r.notes,
                created_by=actor,
                updated_by=actor,
            )
            for r in staying
        ],
        batch_size=1000,
    )
    for row, enrollment in zip(staying, new_enrollments, strict=True):
        row.new_enrollment = enrollment
    _add_memberships(run, staying, actor=actor)
    now = timezone.now()
    new_status: dict[str, list[int]] = defaultdict(list)
    before: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for row in rows:
        enrollment = row.from_enrollment
        row.previous_status = enrollment.status
        row.previous_student_active = row.student.is_active
        before[(row.previous_status, row.previous_student_active)].append(row.pk)
        enrollment.status = _OLD_STATUS[row.action]
        enrollment.updated_by, enrollment.updated_at = actor, now
        new_status[enrollment.status].append(enrollment.pk)
    for status, ids in new_status.items():
        Enrollment.objects.filter(pk__in=ids).update(
            status=status, updated_by=actor, updated_at=now
        )
    leaving = [
        r.student
        for r in rows
        if r.action in (PromotionAction.GRADUATE, PromotionAction.LEAVE) and r.student.is_active
    ]
    for student in leaving:
        student.is_active = False
        student.updated_by, student.updated_at = actor, now
    if leaving:
        StudentProfile.objects.filter(pk__in=[s.pk for s in leaving]).update(
            is_active=False, updated_by=actor, updated_at=now
        )
    for (status, active), ids in before.items():
        PromotionRow.objects.filter(pk__in=ids).update(
            previous_status=status, previous_student_active=active
        )
    if staying:
        # A student has one enrollment a year, and the new one was made just now.
        PromotionRow.objects.filter(pk__in=[r.pk for r in staying]).update(
            new_enrollment=Subquery(
                Enrollment.objects.filter(
                    academic_year=to_year, student=OuterRef("student")
                ).values("pk")[:1]
            )
        )
    joined = [r for r in staying if r.new_membership is not None]
    if joined:
        # Unique per student, class and first day: the membership made just now.
        PromotionRow.objects.filter(pk__in=[r.pk for r in joined]).update(
            new_membership=Subquery(
                Membership.objects.filter(
                    student=OuterRef("student"),
                    school_class=OuterRef("to_class"),
                    joined_on=to_year.start_date,
                ).values("pk")[:1]
            )
        )
    moved = [
        r for r in rows if planned.get(r.pk) != (r.to_section_id, r.section_chosen, r.roll_number)
    ]
    PromotionRow.objects.bulk_update(
        moved, ["to_section", "section_chosen", "roll_number"], batch_size=1000
    )
    return Counter(row.action for row in rows)


def _add_memberships(run: PromotionRun, rows: list[PromotionRow], *, actor: User) -> None:
    """A homeroom placement implies a membership of the class (DOMAIN.md), from the first
    day of the new year; one the student already has is left alone."""
    placed = [r for r in rows if r.to_class_id is not None]
    joined_on = run.to_year.start_date
    existing = set(
        Membership.objects.filter(
            school_class__in={r.to_class_id for r in placed},
            student__in=[r.student_id for r in placed],
            joined_on=joined_on,
        ).values_list("student", "school_class")
    )
    new_rows = [r for r in placed if (r.student_id, r.to_class_id) not in existing]
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                school_id=run.school_id,
                student_id=r.student_id,
                school_class_id=r.to_class_id,
                joined_on=joined_on,
                created_by=actor,
                updated_by=actor,
            )
            for r in new_rows
        ],
        batch_size=1000,
    )
    for row, membership in zip(new_rows, memberships, strict=True):
        row.new_membership = membership


def _log(
    run: PromotionRun, event: str, counts: Counter, *, actor: User, seconds: float, notes: str
) -> PromotionLog:
    """The audit entry of an execution or undo, with the seed's counts (seed 004, 1.4)."""
    return PromotionLog.objects.create(
        school=run.school,
        run=run,
        event=event,
        from_academic_year=run.from_year,
        to_academic_year=run.to_year,
        promoted_by=actor,
        promotion_type=run.mode,
        total_students=sum(counts.values()),
        promoted_count=counts[PromotionAction.PROMOTE],
        retained_count=counts[PromotionAction.RETAIN],
        graduated_count=counts[PromotionAction.GRADUATE],
        left_count=counts[PromotionAction.LEAVE],
        seconds=seconds,
        notes=notes,
    )


def undo_blockers(run: PromotionRun) -> list[str]:
    """Why `run` can't be undone now, or [] when it can.

    Only an executed run can be undone, and only while nothing has been recorded against
    its new enrollments: they must still be active (not promoted on by a later run), and
    no app may object — attendance refuses once a record exists in the target year for
    one of the students, billing once a bill does (`academics.signals.
    promotion_undo_requested`).
    """
    run.refresh_from_db(fields=["status"])
    if run.status != PromotionRun.Status.EXECUTED:
        status = run.get_status_display().lower()
        return [f"Run #{run.pk} is {status}: only an executed run can be undone."]
    rows = run.rows.all()
    new_ids = [pk for pk in rows.values_list("new_enrollment", flat=True) if pk]
    reasons = []
    changed = Enrollment.objects.filter(pk__in=new_ids).exclude(status=Enrollment.Status.ACTIVE)
    if changed.exists():
        reasons.append(
            f"{changed.count()} of its new enrollments in {run.to_year} have changed status "
            "since (promoted on, or marked as left): undo the later change first."
        )
    student_ids = list(rows.values_list("student", flat=True))
    for _receiver, response in promotion_undo_requested.send(
        sender=PromotionRun, run=run, student_ids=student_ids, academic_year=run.to_year
    ):
        reasons.extend(response or [])
    return reasons


def undo_promotion(*, run: PromotionRun, actor: User) -> PromotionLog:
    """Take an executed run back (issue 7, "Undo"): its new enrollments and memberships are
    deleted, the old enrollments get their statuses back and the students their active
    flags, the run is marked undone and the undo logged. One transaction, with the same
    year locks as execution.

    Returns the PromotionLog of the undo. Raises PromotionError (nothing written) when
    `undo_blockers` gives a reason, or PromotionBusy.
    """
    started = time.perf_counter()
    with transaction.atomic():
        _lock_years(run)
        run = _locked(run)
        reasons = undo_blockers(run)
        if reasons:
            raise PromotionError(reasons)
        rows = list(run.rows.select_related("from_enrollment", "student"))
        Membership.objects.filter(
            pk__in=[r.new_membership_id for r in rows if r.new_membership_id]
        ).delete()
        Enrollment.objects.filter(
            pk__in=[r.new_enrollment_id for r in rows if r.new_enrollment_id]
        ).delete()
        now = timezone.now()
        # By value, not bulk_update (see `_apply`): an UPDATE per old status and flag.
        statuses: dict[str, list[int]] = defaultdict(list)
        flags: dict[bool, list[int]] = defaultdict(list)
        for row in rows:
            statuses[row.previous_status or Enrollment.Status.ACTIVE].append(row.from_enrollment_id)
            if row.previous_student_active is not None:
                flags[row.previous_student_active].append(row.student_id)
        for status, ids in statuses.items():
            Enrollment.objects.filter(pk__in=ids).update(
                status=status, updated_by=actor, updated_at=now
            )
        for active, ids in flags.items():
            StudentProfile.objects.filter(pk__in=ids).update(
                is_active=active, updated_by=actor, updated_at=now
            )
        counts = Counter(row.action for row in rows)
        run.status = PromotionRun.Status.REVERTED
        run.reverted_at, run.reverted_by, run.updated_by = now, actor, actor
        run.save(update_fields=["status", "reverted_at", "reverted_by", "updated_by", "updated_at"])
        return _log(
            run,
            PromotionLog.Event.REVERTED,
            counts,
            actor=actor,
            seconds=time.perf_counter() - started,
            notes=f"Undid run #{run.pk}.",
        )


def estimate_seconds(students: int) -> float:
    """How long executing a run of `students` students should take, from this
    installation's measured speed (its last executions), else the benchmark's figure."""
    measured = list(
        PromotionLog.objects.filter(event=PromotionLog.Event.EXECUTED, total_students__gt=0)
        .order_by("-created_at")
        .values_list("seconds", "total_students")[:20]
    )
    total_students = sum(n for _, n in measured)
    if total_students >= 50:
        per_student = sum(s for s, _ in measured) / total_students
    else:
        per_student = DEFAULT_SECONDS_PER_STUDENT
    return max(0.1, students * per_student)


# --- the seed's service class ----------------------------------------------------------------


class PromotionService:
    """The seed's PromotionService (004, 2.1) for one school and the user acting."""

    def __init__(self, school: School, user: User):
        self.school = school
        self.user = user

    def validate_prerequisites(self, from_year: AcademicYear, to_year: AcademicYear) -> None:
        validate_prerequisites(school=self.school, from_year=from_year, to_year=to_year)

    def get_eligible_students(
        self,
        academic_year: AcademicYear,
        exclude_statuses: Collection[str] | None = None,
        to_year: AcademicYear | None = None,
    ) -> QuerySet[Enrollment]:
        return get_eligible_students(
            academic_year=academic_year, to_year=to_year, exclude_statuses=exclude_statuses
        ).filter(school=self.school)

    def calculate_promotion_targets(
        self,
        students: Iterable[Enrollment],
        target_year: AcademicYear,
        *,
        from_year: AcademicYear,
        default_action: str | None = None,
        actions: Mapping[int, str] | None = None,
    ) -> list[PromotionRow]:
        ladder = _Ladder(school=self.school, from_year=from_year, to_year=target_year)
        return calculate_promotion_targets(
            enrollments=students, ladder=ladder, default_action=default_action, actions=actions
        )

    def preview_promotion(
        self,
        from_year: AcademicYear,
        to_year: AcademicYear,
        student_ids: Collection[int] | None = None,
        **filters,
    ) -> PromotionSummary:
        actions = filters.pop("actions", None)
        if student_ids:
            filters["students"] = list(student_ids)
        return preview_promotion(
            school=self.school, from_year=from_year, to_year=to_year, filters=filters,
            actions=actions,
        )  # fmt: skip

    def execute_promotion(self, run: PromotionRun) -> PromotionResult:
        if run.school_id != self.school.pk:
            raise PromotionError("That promotion belongs to another school.")
        return execute_promotion(run=run, actor=self.user)

    def rebalance_sections(self, run: PromotionRun) -> set[int]:
        return rebalance_run(run=run, actor=self.user)

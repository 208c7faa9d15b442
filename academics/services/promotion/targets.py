"""Where each student goes (docs/design/promotion.md): who is eligible, the action a
student gets by default, the next grade, the class continuing the current one, and how
a target class's students are spread over its sections with roll numbers.

- promote: the next grade by level, into the class of that grade that continues the
  current one (5-A → 6-A; see `continuing_class`); no next grade is an alert, never a guess.
- retain: the same grade, in the class that continues the current one in the new year.
- graduate: the enrollment is marked graduated and the student made inactive; no new
  enrollment. The default for students of the school's highest grade (`default_action_for`).
- leave: the enrollment is marked left and the student made inactive.

Sections: `rebalance_sections` spreads a target class's students evenly over its active
sections within their capacities, in alphabetical blocks; a class short of seats is
reported with how many, and execution is refused until it is resolved. Roll numbers are
given per class, alphabetically, after the numbers already used there.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from django.db.models import Count, Max, Q, QuerySet

from ...models import (
    AcademicYear,
    Enrollment,
    Grade,
    PromotionAction,
    PromotionRow,
    School,
    SchoolClass,
    Section,
    StudentProfile,
)
from .shapes import CapacityShortfall


def get_eligible_students(
    *,
    academic_year: AcademicYear,
    to_year: AcademicYear | None = None,
    exclude_statuses: Collection[str] | None = None,
) -> QuerySet[Enrollment]:
    """Enrollments of `academic_year` waiting to be promoted (docs/design/promotion.md).

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
        self.next_grade = {g.pk: grade_after(g, self.grades) for g in self.grades}
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


def grade_after(grade: Grade, grades: Sequence[Grade]) -> Grade | None:
    """The grade a promoted student of `grade` goes into (docs/design/promotion.md): the
    next higher level among `grades` (the school's, by level), not the next name; None
    above the highest grade (an alert, never a guess)."""
    return next((g for g in grades if g.level > grade.level), None)


def default_action_for(grade_id: int, *, highest: Grade | None, plan_action: str = "") -> str:
    """The action a student of grade `grade_id` gets when nobody chose one for them
    (docs/design/promotion.md): the plan's one action (`plan_action`, bulk mode) when it
    has one; else students of the school's highest grade (`highest`, None for a school
    without grades) graduate and everyone else is promoted. The one place this rule is
    decided: planning applies it, and the wizard compares rows with it to count edits."""
    if plan_action:
        return plan_action
    if highest is not None and grade_id == highest.pk:
        return PromotionAction.GRADUATE
    return PromotionAction.PROMOTE


def calculate_promotion_targets(
    *,
    school: School,
    from_year: AcademicYear,
    to_year: AcademicYear,
    enrollments: Iterable[Enrollment],
    default_action: str | None = None,
    actions: Mapping[int, str] | None = None,
) -> list[PromotionRow]:
    """Where each student goes (docs/design/promotion.md): unsaved rows with action, target
    grade, class, section and roll number, alerts and warnings; nothing is written.

    Args:
        enrollments: the students' enrollments in `from_year`, promoted into `to_year`.
        default_action: one PromotionAction for all (bulk mode); None: graduate students
            of the highest grade and promote the rest (`default_action_for`).
        actions: student id → PromotionAction, overriding the default for those students.
    """
    ladder = _Ladder(school=school, from_year=from_year, to_year=to_year)
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
        action = actions.get(enrollment.student_id) or default_action_for(
            enrollment.grade_id, highest=ladder.highest, plan_action=default_action or ""
        )
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
    """Spread the students sent to `school_class` over its active sections
    (docs/design/promotion.md).

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

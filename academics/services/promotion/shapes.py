"""The shapes the promotion service answers with (docs/design/promotion.md): its
errors, a student's preview line, an execution's result, a class short of seats and a
whole plan's summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...models import (
    PromotionAction,
    PromotionRow,
    SchoolClass,
)


class PromotionError(Exception):
    """A promotion was refused; nothing was written. `messages` lists every reason."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


class PromotionBusy(PromotionError):
    """Another promotion between the same years is being executed or undone right now."""


@dataclass
class PromotionPreview:
    """One student's line in the preview (docs/design/promotion.md; with section, roll
    number and the row's alert and warning)."""

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
    """What an execution did (docs/design/promotion.md). `errors` is empty when `success`."""

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
    """The PromotionPreview of a planned row (related objects already loaded)."""
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

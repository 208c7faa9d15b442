"""Academic-year promotion: rolling a school's students over into the next year
(docs/design/promotion.md; DOMAIN.md, "Promotion").

The plan is made first and stored (a `PromotionRun` with a `PromotionRow` per student), so
the wizard survives a reload and other admins see a run in progress; `execute_promotion`
then carries it out in one transaction, and `undo_promotion` takes it back while nothing
has been recorded against the new enrollments. The wizard, `manage.py promote_students`
and the tests all call these same functions.

One module per step:

- `years`: whether two years allow a promotion, creating the next year (step 1).
- `targets`: who is eligible, the default action, the class continuing the current one,
  sections and roll numbers.
- `plans`: previewing and storing a plan, reading it back (steps 2 and 3).
- `edits`: changing a draft: rows, sections, discarding it (step 3).
- `execution` (with `locks`): carrying a plan out (step 4).
- `undo`: taking an executed run back (step 5).
- `shapes`: the errors and the dataclasses the functions answer with.

Planning reads a fixed number of queries and execution writes with bulk statements, so
neither grows per student (see `academics/benchmark_promotion.py`).
"""

from .edits import discard_run, rebalance_run, update_promotion_rows
from .execution import DEFAULT_SECONDS_PER_STUDENT, estimate_seconds, execute_promotion
from .plans import (
    FILTER_KEYS,
    open_run,
    plan_promotion,
    preview_promotion,
    run_rows,
    summarise_run,
)
from .shapes import (
    CapacityShortfall,
    PromotionBusy,
    PromotionError,
    PromotionPreview,
    PromotionResult,
    PromotionSummary,
    to_preview,
)
from .targets import (
    calculate_promotion_targets,
    continuing_class,
    default_action_for,
    get_eligible_students,
    grade_after,
    rebalance_sections,
)
from .undo import undo_blockers, undo_promotion
from .years import create_academic_year, next_year_defaults, validate_prerequisites

__all__ = [
    "DEFAULT_SECONDS_PER_STUDENT",
    "FILTER_KEYS",
    "CapacityShortfall",
    "PromotionBusy",
    "PromotionError",
    "PromotionPreview",
    "PromotionResult",
    "PromotionSummary",
    "calculate_promotion_targets",
    "continuing_class",
    "create_academic_year",
    "default_action_for",
    "discard_run",
    "estimate_seconds",
    "execute_promotion",
    "get_eligible_students",
    "grade_after",
    "next_year_defaults",
    "open_run",
    "plan_promotion",
    "preview_promotion",
    "rebalance_run",
    "rebalance_sections",
    "run_rows",
    "summarise_run",
    "to_preview",
    "undo_blockers",
    "undo_promotion",
    "update_promotion_rows",
    "validate_prerequisites",
]

"""The promotion wizard (docs/design/promotion.md): history, five steps, undo; one
module per screen.

- `/promotion/` (`runs.history`): every run of the school, newest first, drafts in
  progress to continue.
- Step 1 `/promotion/new/` (`years`): the years (with dates and student counts); the next
  year can be created here. A draft someone already started for the chosen years is
  continued.
- Step 2 `/promotion/new/plan/?from_year=…&to_year=…` or `/promotion/<run>/plan/`
  (`plan`): mode and filters; posting plans the run (`plan_promotion`) and stores it.
- Step 3 `/promotion/<run>/preview/` (`preview`): summary, alerts, the table with inline
  editing per row, bulk actions on ticked rows, "Rebalance sections", "Discard this plan".
- Step 4 `/promotion/<run>/confirm/` (`runs.confirm`): final summary, estimated time,
  checkbox, Execute.
- Step 5 `/promotion/<run>/` (`runs.detail`): what was done, the log, the rows, Undo.

Admins and principals only (`academics.access.can_promote`; a superuser counts as admin);
others 403, another school's run 404 (docs/design/roles.md). Every screen works as plain
links and forms; htmx only swaps parts (step 1's form, step 2's student list, step 3's
rows and summary). Reads go through `academics.selectors.promotion`, changes through
`academics.services.promotion`.
"""

from .common import humane_seconds, promotion_view, started_message
from .plan import plan_again, plan_new
from .preview import bulk, discard, edit_row, preview, rebalance, row
from .runs import confirm, detail, history, undo
from .years import create_year, start

__all__ = [
    "bulk",
    "confirm",
    "create_year",
    "detail",
    "discard",
    "edit_row",
    "history",
    "humane_seconds",
    "plan_again",
    "plan_new",
    "preview",
    "promotion_view",
    "rebalance",
    "row",
    "start",
    "started_message",
    "undo",
]

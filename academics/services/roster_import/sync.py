"""The bulk create-or-update every step of the roster writer uses, and its small helpers.

Rows are matched by the SIS's id (`source_id`, unique per school) or, for models without
one, by their natural key, so a second import of the same folder finds everything and
reports it unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from .summary import KindCounts

BATCH = 1000


def clip(model: type[models.Model], name: str, value: str) -> str:
    """`value` cut to the column's max_length (SIS names can be longer than ours)."""
    return value[: model._meta.get_field(name).max_length]


def sync(
    model: type[models.Model],
    counts: KindCounts,
    existing: dict[Hashable, models.Model],
    wanted: dict[Hashable, dict[str, Any]],
    *,
    on_create: Callable[[Hashable], dict[str, Any]] | None = None,
) -> dict[Hashable, models.Model]:
    """Create the wanted rows that are missing and update those whose values differ.

    `wanted[key]` holds attnames (`grade_id`, not `grade`) → value; `on_create(key)`
    adds values used only when the row is new. Counts each row in `counts` and returns
    key → saved instance for every wanted row.
    """
    now = timezone.now()
    result, to_create, to_update, changed = {}, [], [], set()
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            obj = model(**values, **(on_create(key) if on_create else {}))
            to_create.append(obj)
            counts.created += 1
        else:
            diff = apply_values(obj, values)
            if diff:
                obj.updated_at = now
                to_update.append(obj)
                changed.update(diff)
                counts.updated += 1
            else:
                counts.unchanged += 1
        result[key] = obj
    # PostgreSQL and SQLite ≥ 3.35 return the new primary keys from bulk_create.
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        model.objects.bulk_update(to_update, [*sorted(changed), "updated_at"], batch_size=BATCH)
    return result


def apply_values(obj: models.Model, values: dict[str, Any]) -> list[str]:
    diff = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in diff:
        setattr(obj, name, values[name])
    return diff


def index_rows(
    rows: Iterable, key: Callable, *, by_name: str, name_scope: str = "school_id"
) -> dict:
    """Rows by (school, source_id); rows without a source id under ("name", scope, name)."""
    index = {}
    for row in rows:
        if row.source_id:
            index[key(row)] = row
        else:
            index[("name", getattr(row, name_scope), getattr(row, by_name))] = row
    return index


def with_name_fallback(existing: dict, wanted: dict, name: str, scope: str = "school_id") -> dict:
    """Let a wanted row adopt an existing one of the same name that has no source id
    (a year or term typed in by hand before the first import)."""
    for key, values in wanted.items():
        if key not in existing:
            by_name = existing.get(("name", values[scope], values[name]))
            if by_name is not None:
                existing[key] = by_name
    return existing

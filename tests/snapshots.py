"""Snapshots of table contents, to show that a refused request or import wrote nothing:
the database is unchanged (compare a snapshot of the affected tables before and after).

    before = snapshot(Bill, BillLine)
    ...  # the bad request
    assert snapshot(Bill, BillLine) == before

`rolled_back()` runs a block inside a savepoint that is always rolled back, so that each
hypothesis example starts from the same database (function-scoped fixtures are built once
for all the examples of a test).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.db import models, transaction


def _sort_key(row: tuple) -> tuple:
    # None sorts before anything; mixed types compare by their text.
    return tuple((value is not None, str(value)) for value in row)


def snapshot(*model_classes: type[models.Model]) -> dict[str, list[tuple]]:
    """Every row of each model, as sorted tuples of its concrete field values.

    Args:
        *model_classes: the models whose tables to read.

    Returns:
        `{"app_label.ModelName": [row tuple, ...]}`, rows sorted, so two snapshots of the
        same contents compare equal whatever order the database returns them in.
    """
    taken = {}
    for model in model_classes:
        names = [field.attname for field in model._meta.concrete_fields]
        rows = list(model._default_manager.order_by().values_list(*names))
        taken[model._meta.label] = sorted(rows, key=_sort_key)
    return taken


def app_models(*app_labels: str) -> list[type[models.Model]]:
    """Every concrete, managed model of the given apps (their many-to-many tables
    included), for a snapshot of a whole app.

    Args:
        *app_labels: e.g. "academics".

    Returns:
        The model classes, in the apps' registration order.
    """
    found: list[type[models.Model]] = []
    for label in app_labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                found.append(model)
    return found


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    """The labels of the tables whose rows differ between two snapshots.

    Args:
        before, after: snapshots taken by `snapshot`.

    Returns:
        Sorted labels; empty when nothing changed.
    """
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )


@contextlib.contextmanager
def rolled_back(using: str = "default") -> Iterator[None]:
    """Run the block in a savepoint that is rolled back at its end, whatever happens.

    Args:
        using: the database alias.

    Yields:
        Nothing; exceptions raised in the block propagate after the rollback.

    Each hypothesis example starts from the same data.
    """
    with transaction.atomic(using=using):
        try:
            yield
        finally:
            transaction.set_rollback(True, using=using)


def all_of(models_or_apps: Iterable[type[models.Model] | str]) -> list[type[models.Model]]:
    """Models given directly or by app label, flattened: `all_of(["billing", User])`.

    Args:
        models_or_apps: model classes and/or app labels.

    Returns:
        The model classes.
    """
    found: list[type[models.Model]] = []
    for item in models_or_apps:
        found.extend(app_models(item) if isinstance(item, str) else [item])
    return found

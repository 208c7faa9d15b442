"""Writing attendance records in bulk with their history (docs/design/attendance.md, EC-ATT-04).

Every service that writes many records at once (marking, closures, staff absence,
orphaning) goes through these two, so each written record gets its history row with
who, when and why, and `updated_at` is kept even though bulk updates skip `auto_now`;
and once their transaction commits, `attendance.signals.records_saved` tells the apps
built on attendance which records changed (notifications: docs/design/notifications.md).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.utils.text import Truncator
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from academics.models import User

from ..models import AttendanceRecord
from ..signals import records_saved

# simple-history's history_change_reason column is 100 characters; a longer reason is
# kept in full on the record's own modification_reason.
_REASON_LENGTH = 100

logger = logging.getLogger(__name__)


def create_records(
    records: Sequence[AttendanceRecord],
    *,
    actor: User | None,
    change_reason: str,
    now: datetime.datetime,
) -> None:
    """Insert `records` and a history row for each (actor None: "System")."""
    if records:
        bulk_create_with_history(
            records,
            AttendanceRecord,
            default_user=actor,
            default_change_reason=Truncator(change_reason).chars(_REASON_LENGTH),
            default_date=now,
        )
        announce_saved(records)


def update_records(
    records: Sequence[AttendanceRecord],
    *,
    fields: Sequence[str],
    actor: User | None,
    change_reason: str,
    now: datetime.datetime,
    batch_size: int | None = None,
) -> None:
    """Save `fields` (and updated_at) of changed `records`, with a history row for each."""
    if not records:
        return
    for record in records:
        record.updated_at = now
    bulk_update_with_history(
        records,
        AttendanceRecord,
        [*fields, "updated_at"],
        batch_size=batch_size,
        default_user=actor,
        default_change_reason=Truncator(change_reason).chars(_REASON_LENGTH),
        default_date=now,
    )
    announce_saved(records)


def announce_saved(records: Sequence[AttendanceRecord]) -> None:
    """Send `records_saved` with `records` once the current transaction commits (at once
    outside one); nothing if it rolls back. A receiver's failure is logged, never raised."""
    if records:
        transaction.on_commit(partial(_send_saved, list(records)), robust=True)


def _send_saved(records: list[AttendanceRecord]) -> None:
    for receiver, response in records_saved.send_robust(AttendanceRecord, records=records):
        if isinstance(response, Exception):
            logger.error("records_saved receiver %s failed", receiver, exc_info=response)

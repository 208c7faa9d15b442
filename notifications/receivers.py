"""Notifications listen to attendance and billing (docs/design/notifications.md): both
signals are sent after their transaction commits and robustly, so a failure here is
logged and never touches the marking or the bills."""

from __future__ import annotations

from django.dispatch import receiver

from attendance.signals import records_saved
from billing.signals import bills_generated

from .services import is_muted, note_absences, note_bills


@receiver(records_saved, dispatch_uid="notifications.records_saved")
def attendance_saved(sender, records, **kwargs) -> None:
    if not is_muted():
        note_absences(records=records)


@receiver(bills_generated, dispatch_uid="notifications.bills_generated")
def bills_generated_(sender, created, updated, **kwargs) -> None:
    # A recalculated bill is not announced again (docs/design/notifications.md).
    if not is_muted():
        note_bills(bills=created)

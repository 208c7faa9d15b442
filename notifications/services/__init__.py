"""Every write of notifications (docs/design/notifications.md)."""

from .absences import note_absences
from .bills import ReminderResult, note_bills, remind_overdue
from .delivery import deliver, send_notification
from .queue import is_muted, muted, resend, schedule

__all__ = [
    "ReminderResult",
    "deliver",
    "is_muted",
    "muted",
    "note_absences",
    "note_bills",
    "remind_overdue",
    "resend",
    "schedule",
    "send_notification",
]

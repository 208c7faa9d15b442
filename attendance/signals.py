"""The signals attendance sends to the apps built on it, which it may not import.

- `records_saved` is sent after the transaction that wrote attendance records commits
  (`services.records`), with `records=[AttendanceRecord, ...]` as saved. Every bulk write
  of records goes through there (marking, corrections, staff absence, closures), and the
  admin's save sends it too, so a receiver sees each status change. Receivers run after
  the commit and are called robustly: one that fails is logged and never undoes or refuses
  the save (notifications use it: docs/design/notifications.md).

Attendance's own receivers are in `receivers.py`: this module imports nothing of
attendance, so services can send these signals without an import circle.
"""

from django.dispatch import Signal

# Sent with `records` (a list of AttendanceRecord) after their transaction commits.
records_saved = Signal()

"""Django admin for the roll, the session-total overrides, staff absences and students'
leave, scoped like academics' admin; one module per noun.

Records and overrides keep a browsable history (django-simple-history): the "History"
button of a record shows every change, who made it and when — the audit trail
(docs/design/attendance.md, EC-ATT-04).
"""

from . import holidays, leave, records, staff_absence, total_sessions

__all__ = ["holidays", "leave", "records", "staff_absence", "total_sessions"]

"""Attendance screens, one module per area (`attendance/urls.py` routes to them)."""

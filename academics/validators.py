"""Validators every app's forms share."""

from __future__ import annotations

import datetime

from django import forms

# Dates far outside any school year only overflow date arithmetic (a day before 0001-01-01
# or after 9999-12-31: previous/next links, due dates, periods): forms refuse them like any
# other unreadable date.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)
OUT_OF_RANGE = "Choose a date between 1900 and 2999."

# The largest id a bigint primary key holds. A bigger number is no id of anything, and
# querying with it overflows in the database driver (a 500) instead of missing.
MAX_ID = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """The database id written in `text` (ASCII digits, 1 to MAX_ID), else None.

    `str.isdigit` alone lets through "²" and other Unicode digits that `int()` refuses,
    and numbers too big for a bigint: both would be a 500 instead of a missing row."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def date_within_reason(value: datetime.date | None) -> None:
    """Field validator: raise ValidationError for a date outside 1900–2999; None passes."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")

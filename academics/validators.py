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


def written_in_ascii_digits(text: str) -> bool:
    """Whether `text` is one or more of the digits 0-9 and nothing else: no sign, point,
    space, nor the other scripts' digits ("١٢", "۱۲", "１２", "²") that `int()` reads."""
    return text.isascii() and text.isdigit()


def parse_id(text: str | None) -> int | None:
    """The database id written in `text` (ASCII digits, 1 to MAX_ID), else None.

    `str.isdigit` alone lets through "²" and other Unicode digits that `int()` refuses,
    and numbers too big for a bigint: both would be a 500 instead of a missing row (and
    `int()` refuses text of more than 4,300 digits outright)."""
    if not text or not written_in_ascii_digits(text) or len(text.lstrip("0")) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def id_from(value: object) -> int | None:
    """The database id `value` holds, else None: an int from 1 to MAX_ID (not a bool),
    or text that `parse_id` reads once surrounding whitespace is stripped.

    Ids are written in ASCII digits only (docs/operations/security.md, "Bad input"):
    `int()` reads "١٢" (Arabic-Indic) and "１２" (full-width) as 12, so a form field that
    handed the value to the database would take them for row 12."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str):
        return parse_id(value.strip())
    return None


def date_within_reason(value: datetime.date | None) -> None:
    """Field validator: raise ValidationError for a date outside 1900–2999; None passes."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")

"""Helpers shared by the management commands of every app."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import School


def plural(count: int, word: str, words: str | None = None) -> str:
    """ "1 school", "3 schools", "1,204 bills"; `words` for an irregular plural."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def schools_for_code(code: str | None) -> list[School]:
    """The school whose `code` is `code` (`--school CODE`), or every school, by name, when
    `code` is None. Raises CommandError naming the codes that exist when none matches, or
    when several schools share the code."""
    schools = School.objects.order_by("name", "pk")
    if code is None:
        return list(schools)
    found = list(schools.filter(code=code))
    if not found:
        known = ", ".join(c for c in schools.exclude(code="").values_list("code", flat=True))
        raise CommandError(
            f'No school with code "{code}".' + (f" School codes: {known}." if known else "")
        )
    if len(found) > 1:
        raise CommandError(f'{len(found)} schools have the code "{code}"; codes must differ.')
    return found

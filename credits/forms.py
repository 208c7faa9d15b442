"""Parsing and validating make-up credit input (docs/design/credits.md). Views pass the
querysets the user may choose from; services re-check permissions and rules."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from academics.forms import IdChoiceField, IdMultipleChoiceField
from academics.validators import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE

from .services.balances import MAX_CREDITS, NOT_A_WHOLE_NUMBER
from .services.lessons import LessonInThePast


class TutorChoiceField(IdChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj) if obj.is_active else f"{obj} (left)"


class SetCreditsForm(forms.Form):
    """The "Make-Up Credits" dialog (docs/design/credits.md, steps 3–4): the selected students, the
    tutor (required) and the available amount to set (a whole number ≥ 0).

    Args: `students` and `tutors`, the querysets the user may choose from (ids outside
    them are refused as invalid choices, so another school's id never gets through).
    """

    students = IdMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": "Select at least one student.",
            "invalid_choice": "Select students from the list.",
            "invalid_pk_value": "Select students from the list.",
        },
    )
    tutor = TutorChoiceField(
        queryset=None,
        empty_label="Choose a tutor…",
        error_messages={"required": "Select a tutor.", "invalid_choice": "Select a tutor."},
    )
    amount = forms.IntegerField(
        min_value=0,
        max_value=MAX_CREDITS,
        label="Available credits",
        error_messages={
            "required": NOT_A_WHOLE_NUMBER,
            "invalid": NOT_A_WHOLE_NUMBER,
            "min_value": NOT_A_WHOLE_NUMBER,
            "max_value": f"Credit amount can be at most {MAX_CREDITS}.",
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_CREDITS, "step": 1}),
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, students, tutors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["students"].queryset = students
        self.fields["tutor"].queryset = tutors


class BookLessonForm(forms.Form):
    """Book a make-up lesson with the tutor who holds the credit, at a school-local time."""

    tutor = TutorChoiceField(
        queryset=None, empty_label="Choose a tutor…", error_messages={"required": "Select a tutor."}
    )
    scheduled_for = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": "Choose the lesson's date and time."},
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, tutors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutor"].queryset = tutors

    def clean_scheduled_for(self):
        """A time that has passed is refused here too, in the words of the service
        (docs/design/credits.md, "Booking")."""
        when = self.cleaned_data["scheduled_for"]
        if when < timezone.now():
            raise forms.ValidationError(
                str(LessonInThePast(when, timezone.get_current_timezone_name()))
            )
        return when


# The reports' period must lie within these (year 9999 overflowed, a 500).


class ReportPeriodForm(forms.Form):
    """The reports' period (school-local dates, both ends included); default: the last
    90 days up to `today`."""

    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            # A day past 9999 or before year 1 only overflows the period's arithmetic.
            value = cleaned.get(name)
            if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
                self.add_error(name, OUT_OF_RANGE)
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or self.today
        start = data.get("start") or end - datetime.timedelta(days=89)
        return start, end

"""Parse and validate attendance input (ARCHITECTURE.md: forms decide every 4xx)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms

from academics.models import SchoolClass, StudentProfile

from .models import MARKABLE_STATUSES, Status


class DayForm(forms.Form):
    """The date picker of "My periods" (school-local date)."""

    date = forms.DateField(required=False)


class MarkAttendanceForm(forms.Form):
    """One radio group per editable student, plus the reason for a correction.

    Args:
        students: the students whose status can be set (roster minus skipped ones).
        saved_statuses: StudentProfile pk → status already saved for this period, so a
            change to one of them can require a reason (seed 001, "Modification Reason").
    """

    reason = forms.CharField(
        label="Reason for correction",
        required=False,
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "e.g. arrived late after the register"}
        ),
        help_text="Needed when you change a status that was already saved.",
    )

    def __init__(
        self,
        *args,
        students: Sequence[StudentProfile],
        saved_statuses: Mapping[int, str],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.saved_statuses = dict(saved_statuses)
        self.student_ids = [student.pk for student in students]
        markable = [(status.value, status.label) for status in MARKABLE_STATUSES]
        for student in students:
            saved = self.saved_statuses.get(student.pk)
            choices = list(markable)
            if saved and saved not in MARKABLE_STATUSES:
                # A system status (SA, NM, H) is shown as saved and may be kept as it is.
                choices.append((saved, Status(saved).label))
            self.fields[self.field_name(student.pk)] = forms.ChoiceField(
                label=str(student),
                choices=choices,
                initial=saved or Status.PRESENT,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a status for this student."},
            )

    @staticmethod
    def field_name(student_id: int) -> str:
        return f"status_{student_id}"

    def clean(self):
        cleaned = super().clean()
        if self.corrected_student_ids() and not (cleaned.get("reason") or "").strip():
            count = len(self.corrected_student_ids())
            self.fields["reason"].widget.attrs["autofocus"] = True
            self.add_error(
                "reason",
                f"You changed {count} saved status{'es' if count != 1 else ''}: "
                "give a reason for the correction.",
            )
        return cleaned

    def statuses(self) -> dict[int, str]:
        """StudentProfile pk → chosen status code (valid fields only)."""
        data = getattr(self, "cleaned_data", {})
        return {
            student_id: data[self.field_name(student_id)]
            for student_id in self.student_ids
            if data.get(self.field_name(student_id))
        }

    def corrected_student_ids(self) -> list[int]:
        return [
            student_id
            for student_id, status in self.statuses().items()
            if student_id in self.saved_statuses and self.saved_statuses[student_id] != status
        ]


class AttendanceListFilterForm(forms.Form):
    """Filters of the attendance list; `classes` is what the user may see."""

    school_class = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(), required=False, empty_label="All classes"
    )
    order = forms.ChoiceField(
        choices=[("name", "Class and name"), ("lowest", "Lowest attendance first")],
        required=False,
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["school_class"].label = "Class"
        self.fields["order"].label = "Order"

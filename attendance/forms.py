"""Parse and validate attendance input (ARCHITECTURE.md: forms decide every 4xx)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms

from academics.models import SchoolClass, StudentProfile

from .models import MARKABLE_STATUSES, Status
from .services.marking import is_correction


class DayForm(forms.Form):
    """The date picker of "My periods" (school-local date)."""

    date = forms.DateField(required=False)


class MarkAttendanceForm(forms.Form):
    """One radio group per editable student, plus the reason for a correction.

    Args:
        students: the students whose status can be set (roster minus skipped ones).
        saved_statuses: StudentProfile pk → status already saved for this period, so a
            correction of one of them can require a reason (seed 001, "Modification
            Reason"; resolving SA is not a correction — `is_correction`).
        proposed_statuses: StudentProfile pk → status to show chosen instead of the saved
            one or P ("Mark all present", IL for approved leave on an SA period).
        read_only: every field disabled (a period past the edit window): shown, not posted.
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
        proposed_statuses: Mapping[int, str] | None = None,
        read_only: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.saved_statuses = dict(saved_statuses)
        self.student_ids = [student.pk for student in students]
        proposed = proposed_statuses or {}
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
                initial=proposed.get(student.pk) or saved or Status.PRESENT,
                widget=forms.RadioSelect,
                disabled=read_only,
                error_messages={"required": "Choose a status for this student."},
            )
        self.fields["reason"].disabled = read_only

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
            if is_correction(saved=self.saved_statuses.get(student_id), chosen=status)
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


# --- staff absence ---


class AbsentTeacherDayForm(forms.Form):
    """The teacher and date of a staff absence: what the period checkboxes depend on.

    Args:
        teachers: the school's users who may be marked absent (`absent_teacher_choices`).
    """

    teacher = forms.ModelChoiceField(queryset=None, empty_label="Choose a teacher")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["teacher"].queryset = teachers


class StaffAbsenceForm(AbsentTeacherDayForm):
    """An hod marks a teacher absent (seed 001, SA lifecycle).

    Args:
        teachers: as AbsentTeacherDayForm.
        substitutes: staff who may stand in (`substitute_choices`).
        period_slots: the chosen teacher's slots meeting on the chosen date; their period
            numbers are the choices of `periods` (none ticked = the whole day).
    """

    periods = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none for the whole day.",
        error_messages={"invalid_choice": "Period %(value)s is not one of this teacher's."},
    )
    substitute = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No substitute",
        help_text="May resolve the periods besides each class's advisor.",
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "e.g. sick, training course"}),
    )

    def __init__(self, *args, teachers, substitutes, period_slots, **kwargs):
        super().__init__(*args, teachers=teachers, **kwargs)
        self.fields["substitute"].queryset = substitutes
        by_period: dict[int, list] = {}
        for slot in period_slots:
            by_period.setdefault(slot.period_number, []).append(slot)
        self.fields["periods"].choices = [
            (number, _period_label(number, slots)) for number, slots in sorted(by_period.items())
        ]


def _period_label(number: int, slots) -> str:
    classes = ", ".join(f"{slot.school_class} ({slot.subject})" for slot in slots)
    students = sum(slot.roster_size for slot in slots)
    marked = sum(slot.marked_count for slot in slots)
    label = f"Period {number} · {classes} · {students} student{'s' if students != 1 else ''}"
    if marked:
        label += f" · {marked} already marked"
    return label


class SubstituteForm(forms.Form):
    """Change (or clear) the substitute of a staff absence."""

    substitute = forms.ModelChoiceField(queryset=None, required=False, empty_label="No substitute")

    def __init__(self, *args, substitutes, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["substitute"].queryset = substitutes


class StudentLeaveForm(forms.Form):
    """Record a student's leave (approved leave lets an SA period resolve to IL)."""

    student = forms.ModelChoiceField(queryset=None, empty_label="Choose a student")
    start_date = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(required=False, max_length=500)
    approve = forms.BooleanField(required=False, label="Approve now")

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["student"].queryset = students

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The leave cannot end before it starts.")
        return cleaned


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])

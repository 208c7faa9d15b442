"""Parse and validate attendance input (ARCHITECTURE.md: forms decide every 4xx)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _l

from academics.access import STAFF_ROLES
from academics.forms import IdChoiceField
from academics.models import Role, School, SchoolClass, StudentProfile, User
from academics.validators import MAX_ID, date_within_reason

from .models import MARKABLE_STATUSES, Status
from .selectors.reports import PeriodKind
from .services.marking import is_correction


def end_not_before_start(form: forms.Form, start_field: str, end_field: str, message: str) -> None:
    """Put `message` on `end_field` when both dates are given and the end is earlier."""
    start = form.cleaned_data.get(start_field)
    end = form.cleaned_data.get(end_field)
    if start and end and end < start:
        form.add_error(end_field, message)


class DayForm(forms.Form):
    """The date picker of "My periods" (school-local date)."""

    date = forms.DateField(required=False, validators=[date_within_reason])


class MarkAttendanceForm(forms.Form):
    """One radio group per editable student, plus the reason for a correction.

    Args:
        students: the students whose status can be set (roster minus skipped ones).
        saved_statuses: StudentProfile pk → status already saved for this period, so a
            correction of one of them can require a reason (docs/design/attendance.md, "Modification
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
        # Read-only (locked), a student nobody marked shows no status chosen: the screen
        # shows what is saved, and Present is only the starting point for marking.
        unmarked = None if read_only else Status.PRESENT
        for student in students:
            saved = self.saved_statuses.get(student.pk)
            choices = list(markable)
            if saved and saved not in MARKABLE_STATUSES:
                # A system status (SA, NM, H) is shown as saved and may be kept as it is.
                choices.append((saved, Status(saved).label))
            self.fields[self.field_name(student.pk)] = forms.ChoiceField(
                label=str(student),
                choices=choices,
                initial=proposed.get(student.pk) or saved or unmarked,
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

    school_class = IdChoiceField(
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

    teacher = IdChoiceField(queryset=None, empty_label="Choose a teacher")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["teacher"].queryset = teachers


class StaffAbsenceForm(AbsentTeacherDayForm):
    """An hod marks a teacher absent (docs/design/attendance.md, SA lifecycle).

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
    substitute = IdChoiceField(
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
    allow_clash = forms.BooleanField(
        required=False,
        label=_l("Substitute anyway"),
        help_text=_l(
            "Even if the substitute teaches a class of their own in one of these periods."
        ),
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

    substitute = IdChoiceField(queryset=None, required=False, empty_label="No substitute")
    allow_clash = forms.BooleanField(required=False, label=_l("Substitute anyway"))

    def __init__(self, *args, substitutes, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["substitute"].queryset = substitutes


class StudentLeaveForm(forms.Form):
    """Record a student's leave (approved leave lets an SA period resolve to IL)."""

    student = IdChoiceField(queryset=None, empty_label="Choose a student")
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
        end_not_before_start(
            self, "start_date", "end_date", "The leave cannot end before it starts."
        )
        return cleaned


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])


# --- reports ---

MAX_NOT_TAKEN_DAYS = 366


class ReportPeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PeriodKind.choices, required=False)
    date = forms.DateField(required=False, validators=[date_within_reason])


class RegisterMonthForm(forms.Form):
    month = forms.DateField(
        required=False, input_formats=["%Y-%m", "%Y-%m-%d"], validators=[date_within_reason]
    )


class NotTakenForm(forms.Form):
    start = forms.DateField(required=False, label="From", validators=[date_within_reason])
    end = forms.DateField(required=False, label="To", validators=[date_within_reason])
    teacher = IdChoiceField(
        queryset=None, required=False, empty_label="All teachers", label="Teacher"
    )

    def __init__(self, *args, teachers=None, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if teachers is None:
            del self.fields["teacher"]
        else:
            self.fields["teacher"].queryset = teachers

    def clean(self):
        cleaned = super().clean()
        end_not_before_start(self, "start", "end", "The end date is before the start date.")
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start <= end and (end - start).days + 1 > MAX_NOT_TAKEN_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_NOT_TAKEN_DAYS} days.")
        return cleaned


# --- corrections ---


class CorrectionsFilterForm(forms.Form):
    """Filters of "Recent corrections"; choices are the reader's school's only."""

    school_class = IdChoiceField(
        queryset=SchoolClass.objects.none(), required=False, empty_label="All classes"
    )
    changed_by = IdChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    slot_teacher = IdChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any teacher"
    )
    changed_from = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[date_within_reason],
    )
    changed_to = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[date_within_reason],
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school=school)
        staff = User.objects.filter(school=school, role__in=STAFF_ROLES)
        self.fields["changed_by"].queryset = staff
        self.fields["slot_teacher"].queryset = staff.filter(
            Q(role=Role.TEACHER) | Q(timetable_slots__isnull=False)
        ).distinct()
        self.fields["school_class"].label = "Class"
        self.fields["changed_by"].label = "Changed by"
        self.fields["slot_teacher"].label = "Period's teacher"
        self.fields["changed_from"].label = "Changed on or after"
        self.fields["changed_to"].label = "Changed on or before"

    def clean(self):
        cleaned = super().clean()
        end_not_before_start(
            self, "changed_from", "changed_to", "Must not be before “Changed on or after”."
        )
        return cleaned


# --- total sessions ---

from django.core.exceptions import NON_FIELD_ERRORS  # noqa: E402  (total sessions block)

from .services.total_sessions import (  # noqa: E402
    NOT_A_NUMBER,
    TotalSessionsError,
    parse_total_sessions,
)


class TotalSessionsValueField(forms.Field):
    """A total of sessions as typed or sent: `parse_total_sessions` decides, so a form and
    the JSON endpoint refuse the same values with the documented message
    (docs/design/total-sessions.md)."""

    def to_python(self, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_total_sessions(value)
        except TotalSessionsError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


def _total_sessions_field() -> TotalSessionsValueField:
    return TotalSessionsValueField(
        label="Total sessions",
        error_messages={"required": NOT_A_NUMBER},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 5}),
    )


class TotalSessionsForm(forms.Form):
    """One student's total sessions in one class: the inline edit and its no-JS page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["total_sessions"] = _total_sessions_field()


class BulkTotalSessionsForm(forms.Form):
    """ "Bulk Update Sessions" (docs/design/total-sessions.md): one total for every student of a
    class; the first post asks for confirmation, the confirmed one applies."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["total_sessions"] = _total_sessions_field()


class JsonIdField(forms.Field):
    """A database id sent as a JSON integer: not a string, boolean or float, and small
    enough for a bigint column (a bigger one would overflow the query, not miss)."""

    default_error_messages = {"invalid": "must be a whole number id (a JSON integer)"}

    def to_python(self, value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class TotalSessionsPayloadForm(forms.Form):
    """The JSON body of `POST /attendance/update-total-sessions/`, already decoded.

    `{"student_id": <StudentProfile pk>, "total_sessions": <int>, "class_id": <optional
    SchoolClass pk>, "subject_id": <optional Subject pk>}`; any other key is refused.
    """

    student_id = JsonIdField(error_messages={"required": "is required"})
    total_sessions = TotalSessionsValueField(error_messages={"required": NOT_A_NUMBER})
    class_id = JsonIdField(required=False)
    subject_id = JsonIdField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # null or "" is a bad number (the documented message); no key at all is a missing field.
        if "total_sessions" not in self.data:
            self.fields["total_sessions"].error_messages["required"] = "is required"

    def clean(self):
        cleaned = super().clean()
        unknown = sorted(set(self.data) - set(self.fields))
        if unknown:
            raise forms.ValidationError(
                f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
            )
        return cleaned

    def error_message(self) -> str:
        """The errors as one line: the documented message alone for `total_sessions`, else
        "<field>: <problem>"."""
        parts = []
        for name, errors in self.errors.items():
            stands_alone = name == NON_FIELD_ERRORS or name == "total_sessions"
            for error in errors:
                alone = stands_alone and error != "is required"
                parts.append(error if alone else f"{name}: {error}")
        return "; ".join(parts)

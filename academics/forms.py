"""Parsing and validating the promotion wizard's input (docs/design/promotion.md) and the
enrollments list's filters; and the id fields every app's forms and the admin use
(`IdChoiceField`, `IdMultipleChoiceField`, `IdField`: ids are ASCII digits,
docs/operations/security.md, "Bad input").

Forms decide every 4xx and every message next to a field; the promotion service
(`academics.services.promotion`) gets model instances and ids, and gives the rest of the
messages (PromotionError).
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import QuerySet

from .models import (
    AcademicYear,
    Enrollment,
    Grade,
    PromotionAction,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    School,
    SchoolClass,
    Section,
    StudentProfile,
)
from .selectors.promotion import target_classes
from .validators import MAX_ID, id_from, written_in_ascii_digits

MODE_HELP = {
    PromotionMode.AUTOMATIC: "Everyone moves up a grade; students of the highest grade graduate.",
    PromotionMode.MANUAL: "Only the students you tick below are promoted; the rest stay put.",
    PromotionMode.BULK: "Everyone chosen by the filters gets the same action (e.g. retain).",
}


def _keyed_by_id(field: forms.ModelChoiceField) -> bool:
    """Whether `field`'s values are its model's integer primary key (the usual case; a
    field keyed by another column, `to_field_name`, is left to Django)."""
    pk = field.queryset.model._meta.pk
    if (field.to_field_name or "pk") not in ("pk", pk.name, pk.attname):
        return False
    while pk.is_relation:  # a one-to-one primary key holds the other row's id
        pk = pk.target_field
    return isinstance(pk, models.IntegerField)


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose posted id must be written in ASCII digits, 1 to MAX_ID
    (`academics.validators.id_from`), else "invalid_choice" before any query: Django's own
    passes the text to `int()`, which reads "١٢" and "１２" as 12 (docs/operations/
    security.md, "Bad input"). A model instance, or an int (a disabled field's initial
    value), is taken as Django takes it."""

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, models.Model):
            return super().to_python(value)
        self.validate_no_null_characters(value)
        if _keyed_by_id(self):
            pk = id_from(value)
            if pk is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )
            value = pk
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose posted ids must be written in ASCII digits, 1 to
    MAX_ID (`academics.validators.id_from`), else "invalid_pk_value" before any query:
    Django's own check sends 2**64 to the database, where it raises OverflowError (a 500)
    instead of missing, and `int()` reads "١٢" as 12."""

    def _check_values(self, value):
        """Raise ValidationError (`invalid_pk_value`) for any value that is no id; then
        Django's own checks. Returns the chosen rows."""
        if _keyed_by_id(self) and isinstance(value, list | tuple):
            for pk in value:
                if not isinstance(pk, models.Model) and id_from(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class IdField(forms.IntegerField):
    """A database id sent as a plain number (a list filter, a hidden field): written in
    ASCII digits, else "invalid"; from 1 to MAX_ID unless told otherwise ("min_value",
    "max_value"). Unlike IntegerField it refuses "١٢", "1.0" and "-1". A number a person
    types (a total, an amount) is an IntegerField."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not written_in_ascii_digits(str(value).strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def year_label(year: AcademicYear) -> str:
    """An academic year with its dates and, when annotated by
    `academics.selectors.promotion.years_with_counts`, its student counts (step 1's
    choices)."""
    counts = ""
    if hasattr(year, "students"):
        counts = f" · {year.students} student{'s' if year.students != 1 else ''}"
        if year.waiting != year.students:
            counts += f", {year.waiting} waiting"
    current = " (current)" if year.is_current else ""
    return f"{year.name}{current} · {year.start_date:%-d %b %Y} – {year.end_date:%-d %b %Y}{counts}"


class NextYearForm(forms.Form):
    """Step 1's "Create the next year" (`create_academic_year`)."""

    source = IdChoiceField(
        queryset=AcademicYear.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose the From year first: the new year follows it.",
            "invalid_choice": "That From year is not one of this school's: choose it again.",
        },
    )
    name = forms.CharField(max_length=50, label="Name", help_text="e.g. 2026-2027")
    start_date = forms.DateField(
        label="Starts on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label="Ends on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    copy_classes = forms.BooleanField(
        required=False,
        initial=True,
        label="Copy this year's homeroom classes and sections",
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = AcademicYear.objects.filter(school=school)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The year must end after it starts.")
        return data


class StudentChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, student: StudentProfile) -> str:
        return str(student.user)


class PlanForm(forms.Form):
    """Step 2: the mode and the filters (`plan_promotion`'s `mode` and `filters`)."""

    mode = forms.ChoiceField(
        choices=PromotionMode.choices, widget=forms.RadioSelect, initial=PromotionMode.AUTOMATIC
    )
    grades = IdMultipleChoiceField(queryset=Grade.objects.none(), required=False)
    classes = IdMultipleChoiceField(queryset=SchoolClass.objects.none(), required=False)
    sections = IdMultipleChoiceField(queryset=Section.objects.none(), required=False)
    exclude = StudentChoiceField(queryset=StudentProfile.objects.none(), required=False)
    students = StudentChoiceField(queryset=StudentProfile.objects.none(), required=False)
    default_action = forms.ChoiceField(
        choices=[("", "Choose an action")] + list(PromotionAction.choices), required=False
    )

    def __init__(
        self,
        *args,
        school: School,
        from_year: AcademicYear,
        eligible: QuerySet[Enrollment],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["grades"].queryset = Grade.objects.filter(school=school).order_by("level")
        classes = SchoolClass.objects.filter(
            school=school,
            pk__in=Enrollment.objects.filter(academic_year=from_year).values("school_class"),
        ).order_by("grade__level", "name", "pk")
        self.fields["classes"].queryset = classes
        self.fields["sections"].queryset = (
            Section.objects.filter(school_class__in=classes)
            .select_related("school_class")
            .order_by("school_class__grade__level", "school_class__name", "name")
        )
        students = StudentProfile.objects.filter(school=school, pk__in=eligible.values("student"))
        self.fields["exclude"].queryset = students
        self.fields["students"].queryset = students

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == PromotionMode.BULK and not data.get("default_action"):
            self.add_error("default_action", "Bulk mode applies one action to everyone: choose it.")
        if mode == PromotionMode.MANUAL and not data.get("students"):
            self.add_error("students", "Manual mode promotes the students you tick: tick one.")
        return data

    def filters(self) -> dict:
        """The cleaned choices as `plan_promotion`'s filters (ids)."""
        data = self.cleaned_data
        mode = data["mode"]
        return {
            "grades": [g.pk for g in data["grades"]],
            "classes": [c.pk for c in data["classes"]],
            "sections": [s.pk for s in data["sections"]],
            "exclude": [s.pk for s in data["exclude"]],
            "students": [s.pk for s in data["students"]] if mode == PromotionMode.MANUAL else [],
            "default_action": data["default_action"] if mode == PromotionMode.BULK else "",
        }


class RowEditForm(forms.Form):
    """Step 3's inline edit of one row. The `was_*` fields carry what the editor showed
    when it was drawn, so only what the user changed is sent to `update_promotion_rows`
    (a target left as it was is planned again by the service, e.g. on Retain)."""

    action = forms.ChoiceField(choices=PromotionAction.choices)
    to_grade = IdChoiceField(queryset=Grade.objects.none(), required=False)
    to_class = IdChoiceField(queryset=SchoolClass.objects.none(), required=False)
    to_section = IdChoiceField(queryset=Section.objects.none(), required=False)
    notes = forms.CharField(max_length=500, required=False)
    was_to_grade = IdField(required=False)
    was_to_class = IdField(required=False)
    was_to_section = IdField(required=False)

    def __init__(self, *args, run: PromotionRun, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_grade"].queryset = Grade.objects.filter(school_id=run.school_id)
        self.fields["to_class"].queryset = target_classes(
            school_id=run.school_id, to_year_id=run.to_year_id
        )
        self.fields["to_section"].queryset = Section.objects.filter(
            school_id=run.school_id, is_active=True
        )

    def changes(self, row: PromotionRow) -> dict:
        """`update_promotion_rows`' keyword arguments for what the user changed in `row`."""
        data = self.cleaned_data
        changes: dict = {}
        action = data["action"]
        if action != row.action:
            changes["action"] = action
        if data["notes"].strip() != row.notes:
            changes["notes"] = data["notes"]
        if action not in (PromotionAction.PROMOTE, PromotionAction.RETAIN):
            return changes
        grade, school_class, section = data["to_grade"], data["to_class"], data["to_section"]
        if grade is not None and grade.pk != data["was_to_grade"]:
            changes["to_grade"] = grade
        if school_class is not None and (
            school_class.pk != data["was_to_class"] or "to_grade" in changes
        ):
            changes["to_class"] = school_class
        if section is not None and (section.pk != data["was_to_section"] or "to_class" in changes):
            changes["to_section"] = section
            changes.setdefault("to_class", school_class or section.school_class)
        return changes


class BulkForm(forms.Form):
    """Step 3's bulk actions on the ticked rows: set their action, or their class."""

    OPS = [("action", "Set action"), ("class", "Set class")]

    op = forms.ChoiceField(choices=OPS)
    rows = IdMultipleChoiceField(
        queryset=PromotionRow.objects.none(),
        error_messages={"required": "Tick the students to change first."},
    )
    action = forms.ChoiceField(choices=[("", "Action…")] + list(PromotionAction.choices),
                               required=False)  # fmt: skip
    to_class = IdChoiceField(queryset=SchoolClass.objects.none(), required=False)

    def __init__(self, *args, run: PromotionRun, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rows"].queryset = PromotionRow.objects.filter(run=run)
        self.fields["to_class"].queryset = target_classes(
            school_id=run.school_id, to_year_id=run.to_year_id
        )

    def clean(self):
        data = super().clean()
        if data.get("op") == "action" and not data.get("action"):
            self.add_error("action", "Choose the action to set.")
        if data.get("op") == "class" and not data.get("to_class"):
            self.add_error("to_class", "Choose the class to set.")
        return data


class ConfirmForm(forms.Form):
    """Step 4: the checkbox that must be ticked before Execute."""

    understood = forms.BooleanField(
        error_messages={"required": "Tick the box to confirm that you understand the change."}
    )

    def clean_understood(self) -> bool:
        """Only the value a ticked box sends ("on") confirms: Django's checkbox takes any
        other text but "false" as ticked ("0", "off", "no"), which must not execute a
        promotion. Raises ValidationError ("required") otherwise."""
        if self.data.get("understood") != "on":
            raise forms.ValidationError(
                self.fields["understood"].error_messages["required"], code="required"
            )
        return True


class EnrollmentFilterForm(forms.Form):
    """The enrollments list's filters; unknown ids simply match nothing."""

    year = IdField(required=False)
    grade = IdField(required=False)
    school_class = IdField(required=False)
    section = IdField(required=False)
    run = IdField(required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status")] + list(Enrollment.Status.choices), required=False
    )

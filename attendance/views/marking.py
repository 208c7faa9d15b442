"""Marking screens: my periods and marking one period.

Thin views (ARCHITECTURE.md): authorise and scope, validate with a form, call one
service, render. An htmx request that is not a boosted page load gets the screen's
partial; everything else gets the full page, so each screen also works without JS.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils.formats import date_format

from academics.access import forbidden, role_required
from academics.models import Membership, TimetableSlot

from ..forms import DayForm, MarkAttendanceForm
from ..models import MARKABLE_STATUSES, AttendanceRecord, Status
from ..selectors import (
    MARKING_ROLES,
    attendance_percentage,
    can_mark_slot,
    latest_teaching_day_before,
    periods_for_day,
    records_for_period,
    roster,
    school_slots,
)
from ..services import CorrectionNeedsReason, MarkingError, mark_attendance
from .common import wants_partial

# --- my periods ------------------------------------------------------------------------


@role_required(*MARKING_ROLES)
def my_periods(request: HttpRequest) -> HttpResponse:
    """The periods the user marks on a day: today (school-local) unless one is chosen."""
    today = request.user.school.today()
    form = DayForm(request.GET or None)
    day = today
    if form.is_valid() and form.cleaned_data["date"]:
        day = form.cleaned_data["date"]
    slots = list(periods_for_day(user=request.user, day=day))
    context = {
        "form": form,
        "day": day,
        "today": today,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "slots": slots,
        "earlier_teaching_day": (
            None if slots else latest_teaching_day_before(user=request.user, day=day)
        ),
    }
    template = "attendance/my_periods.html"
    if wants_partial(request):
        template += "#periods"
    return render(request, template, context)


# --- marking one period ----------------------------------------------------------------


@dataclass
class RosterRow:
    membership: Membership
    percentage: Decimal | None
    record: AttendanceRecord | None
    field: BoundField | None
    skipped_because: str = ""

    @property
    def student(self):
        return self.membership.student

    @property
    def status(self) -> str | None:
        """The status shown as chosen: what was posted, else what was saved, else P."""
        if self.field is not None:
            return self.field.value()
        return self.record.status if self.record else None

    @property
    def is_changed(self) -> bool:
        return bool(self.record and self.field is not None and self.status != self.record.status)


@dataclass
class MarkingSheet:
    form: MarkAttendanceForm
    rows: list[RosterRow]

    @property
    def saved_records(self) -> list[AttendanceRecord]:
        return [row.record for row in self.rows if row.record and not row.skipped_because]

    @property
    def last_saved(self) -> datetime.datetime | None:
        return max((record.updated_at for record in self.saved_records), default=None)

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(code, label, count) of the chosen statuses; markable codes always listed."""
        counts = Counter(row.status for row in self.rows if row.field is not None)
        codes = list(MARKABLE_STATUSES) + [
            code for code in counts if code and code not in MARKABLE_STATUSES
        ]
        return [(code, Status(code).label, counts.get(code, 0)) for code in codes]


def _marking_sheet(*, slot: TimetableSlot, day: datetime.date, data=None) -> MarkingSheet:
    """The roster with its saved records and the form for it: two queries."""
    memberships: list[Membership] = []
    seen: set[int] = set()
    for membership in roster(slot=slot, day=day):
        # Two overlapping memberships of one class would list a student twice.
        if membership.student_id not in seen:
            seen.add(membership.student_id)
            memberships.append(membership)
    records = {
        record.student_id: record
        for record in records_for_period(slot=slot, day=day, student_ids=seen).select_related(
            "school_class", "modified_by"
        )
    }

    skipped: dict[int, str] = {}
    for student_id, record in records.items():
        if record.school_class_id != slot.school_class_id:
            skipped[student_id] = f"already marked in {record.school_class}"
        elif record.is_orphaned:
            skipped[student_id] = "saved record is orphaned (period removed) and frozen"
    editable = [m.student for m in memberships if m.student_id not in skipped]
    form = MarkAttendanceForm(
        data,
        students=editable,
        saved_statuses={
            student_id: record.status
            for student_id, record in records.items()
            if student_id not in skipped
        },
    )
    rows = [
        RosterRow(
            membership=m,
            percentage=attendance_percentage(m.present_count, m.denominator),
            record=records.get(m.student_id),
            field=None if m.student_id in skipped else form[form.field_name(m.student_id)],
            skipped_because=skipped.get(m.student_id, ""),
        )
        for m in memberships
    ]
    return MarkingSheet(form=form, rows=rows)


@role_required(*MARKING_ROLES)
def mark_period(request: HttpRequest, slot_id: int, day: datetime.date) -> HttpResponse:
    """Show the roll of one slot on one date; save it with one POST (then redirect)."""
    slot = get_object_or_404(school_slots(user=request.user), pk=slot_id)
    if not can_mark_slot(user=request.user, slot=slot, day=day):
        return forbidden(request, "Only this period's teacher or an admin can mark it.")
    context = {"slot": slot, "day": day, "today": request.user.school.today()}

    if not slot.meets_on(day):
        # Nothing to mark: say why instead of showing a roster that can't be saved.
        context["not_meeting"] = (
            f"{slot.school_class} has no {slot.subject} in period {slot.period_number} on "
            f"{date_format(day, 'l j F Y')}: it meets on {slot.get_weekday_display()}s"
            f"{_validity(slot)}."
        )
        if request.method == "POST":
            messages.error(request, "Nothing was saved: " + context["not_meeting"])
            return render(request, "attendance/mark.html", context, status=400)
        return render(request, "attendance/mark.html", context)

    sheet = _marking_sheet(
        slot=slot, day=day, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and sheet.form.is_valid():
        try:
            result = mark_attendance(
                slot=slot,
                day=day,
                statuses=sheet.form.statuses(),
                actor=request.user,
                reason=sheet.form.cleaned_data["reason"],
            )
        except CorrectionNeedsReason as exc:
            sheet.form.add_error("reason", str(exc))
        except MarkingError as exc:
            sheet.form.add_error(None, str(exc))
        else:
            text = f"Saved attendance for {result.saved} student{pluralize(result.saved)}"
            if result.corrected:
                text += f" ({result.corrected} correction{pluralize(result.corrected)})"
            messages.success(request, text + ".")
            for skipped in result.skipped:
                messages.warning(request, f"{skipped.student_name} not saved: {skipped.reason}.")
            return redirect("attendance:mark", slot_id=slot.pk, day=day)

    context.update(
        sheet=sheet,
        form=sheet.form,
        rows=sheet.rows,
        low_below=request.user.school.low_attendance_threshold,
    )
    return render(request, "attendance/mark.html", context)


def _validity(slot: TimetableSlot) -> str:
    start = date_format(slot.valid_from, "j F Y")
    if slot.valid_to is None:
        return f" from {start}"
    return f" from {start} to {date_format(slot.valid_to, 'j F Y')}"

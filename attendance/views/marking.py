"""Marking screens: my periods and marking one period.

Thin views (ARCHITECTURE.md): authorise and scope, validate with a form, call one
service, render. An htmx request that is not a boosted page load gets the screen's
partial; everything else gets the full page, so each screen also works without JS.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize

from academics.access import forbidden, role_required, wants_partial
from academics.models import Membership, TimetableSlot

from ..access import MARKING_ROLES
from ..forms import DayForm, MarkAttendanceForm
from ..models import MARKABLE_STATUSES, AttendanceRecord, Status
from ..selectors import (
    attendance_percentage,
    can_change_records,
    can_mark_slot,
    closure_on,
    latest_teaching_day_before,
    periods_for_day,
    records_for_period,
    roster,
    school_slots,
)
from ..selectors.marking import locked_message
from ..selectors.staff_absence import approved_leave_student_ids, may_resolve_staff_absence
from ..services import (
    CorrectionNeedsReason,
    DayNotOpen,
    MarkingError,
    MarkingNotAllowed,
    check_day_open,
    mark_attendance,
)

# --- my periods ------------------------------------------------------------------------


@role_required(*MARKING_ROLES)
def my_periods(request: HttpRequest) -> HttpResponse:
    """The periods the user marks on a day: today (school-local) unless one is chosen;
    a closure on that day is shown instead of links to mark (docs/design/attendance.md)."""
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
        "closure": closure_on(school_id=request.user.school_id, day=day),
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
    approved_leave: bool = False

    @property
    def student(self):
        return self.membership.student

    @property
    def status(self) -> str | None:
        """The status shown as chosen: what was posted or proposed, else what was saved."""
        if self.field is not None:
            return self.field.value()
        return self.record.status if self.record else None

    @property
    def is_changed(self) -> bool:
        return bool(self.record and self.field is not None and self.status != self.record.status)

    @property
    def is_orphaned(self) -> bool:
        return bool(self.record and self.record.is_orphaned)

    @property
    def is_unresolved_staff_absence(self) -> bool:
        return bool(
            self.field is not None and self.record and self.record.status == Status.STAFF_ABSENT
        )

    @property
    def frozen_choices(self) -> list[tuple[str, str, bool]]:
        """(code, label, is the saved one) for the disabled buttons of a frozen record."""
        saved = self.record.status if self.record else None
        codes = list(MARKABLE_STATUSES) + ([saved] if saved not in MARKABLE_STATUSES else [])
        return [(code, Status(code).label, code == saved) for code in codes if code]


@dataclass
class MarkingSheet:
    form: MarkAttendanceForm
    rows: list[RosterRow]
    read_only: bool = False
    unsaved: bool = False

    @property
    def saved_records(self) -> list[AttendanceRecord]:
        """The records someone took the roll for: an unresolved SA is the system's
        placeholder for a roll nobody has taken yet (docs/design/attendance.md, "The
        staff-absent lifecycle"), so it is not "saved" and needs no correction reason."""
        return [
            row.record
            for row in self.rows
            if row.record and not row.skipped_because and row.record.status != Status.STAFF_ABSENT
        ]

    @property
    def to_resolve_count(self) -> int:
        """Rows still SA, to be set to what happened."""
        return sum(1 for row in self.rows if row.is_unresolved_staff_absence)

    @property
    def last_saved_record(self) -> AttendanceRecord | None:
        return max(self.saved_records, key=lambda record: record.updated_at, default=None)

    @property
    def last_saved(self) -> datetime.datetime | None:
        record = self.last_saved_record
        return record.updated_at if record else None

    @property
    def last_saved_by(self) -> str:
        """Who saved last: the corrector or resolver, else who first marked; "System" for
        a mark no person made (a closure filled with H, an expired SA)."""
        record = self.last_saved_record
        if record is None:
            return ""
        return str(record.modified_by or record.marked_by or "System")

    @property
    def resolving_staff_absence(self) -> bool:
        return any(row.is_unresolved_staff_absence for row in self.rows)

    @property
    def status_counts(self) -> list[tuple[str, str, int, int | None]]:
        """(code, label, count, key) of the chosen statuses; markable codes always listed,
        each with the number key that sets it on the marking screen."""
        counts = Counter(row.status for row in self.rows if row.field is not None)
        keys = {code: n for n, code in enumerate(MARKABLE_STATUSES, start=1)}
        # A posted code that is no status (refused by the form) is not counted.
        codes = list(MARKABLE_STATUSES) + [
            code for code in counts if code in Status.values and code not in MARKABLE_STATUSES
        ]
        return [(code, Status(code).label, counts.get(code, 0), keys.get(code)) for code in codes]


def _marking_sheet(
    *,
    slot: TimetableSlot,
    day: datetime.date,
    data=None,
    read_only: bool = False,
    all_present: bool = False,
) -> MarkingSheet:
    """The roster with its saved records and the form for it: two queries, and a third
    for approved leave only on a staff-absent period."""
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
            "school_class", "modified_by", "marked_by"
        )
    }

    skipped: dict[int, str] = {}
    for student_id, record in records.items():
        if record.is_orphaned:
            # docs/design/attendance.md, EC-ATT-02: frozen, and shown so.
            skipped[student_id] = "Orphaned — Period Removed"
        elif record.school_class_id != slot.school_class_id:
            skipped[student_id] = f"already marked in {record.school_class}"
    editable = [m.student for m in memberships if m.student_id not in skipped]
    saved_statuses = {
        student_id: record.status
        for student_id, record in records.items()
        if student_id not in skipped
    }
    on_leave: set[int] = set()
    if Status.STAFF_ABSENT in saved_statuses.values():
        # docs/design/attendance.md: an SA period of a student on approved leave resolves to IL.
        on_leave = approved_leave_student_ids(school_id=slot.school_id, day=day)
    proposed = {
        student_id: Status.INFORMED_LEAVE
        for student_id, status in saved_statuses.items()
        if status == Status.STAFF_ABSENT and student_id in on_leave
    }
    if all_present:
        proposed = {student.pk: Status.PRESENT for student in editable}
    form = MarkAttendanceForm(
        data,
        students=editable,
        saved_statuses=saved_statuses,
        proposed_statuses=proposed,
        read_only=read_only,
    )
    rows = [
        RosterRow(
            membership=m,
            percentage=attendance_percentage(m.present_count, m.denominator),
            record=records.get(m.student_id),
            field=None if m.student_id in skipped else form[form.field_name(m.student_id)],
            skipped_because=skipped.get(m.student_id, ""),
            approved_leave=m.student_id in proposed and m.student_id in on_leave,
        )
        for m in memberships
    ]
    return MarkingSheet(
        form=form,
        rows=rows,
        read_only=read_only,
        unsaved=not read_only and (form.is_bound or bool(proposed and all_present)),
    )


@role_required(*MARKING_ROLES)
def mark_period(request: HttpRequest, slot_id: int, day: datetime.date) -> HttpResponse:
    """Show the roll of one slot on one date; save it with one POST (then redirect).

    Refused with the reason on screen (and 400 to a POST, nothing written): a date the
    slot does not meet, a closure, a future date. Past the edit window a teacher sees the
    period read-only (403 to a POST); an hod of the department or an admin may still
    correct it (docs/design/attendance.md).
    """
    slot = get_object_or_404(school_slots(user=request.user), pk=slot_id)
    if not can_mark_slot(user=request.user, slot=slot, day=day):
        return forbidden(request, str(MarkingNotAllowed()))
    school = request.user.school
    today = school.today()
    context = {
        "slot": slot,
        "day": day,
        "today": today,
        "school": school,
        # An advisor or substitute is here to resolve a staff absence: lead them back there.
        "back_to_resolve": slot.teacher_id != request.user.pk
        and may_resolve_staff_absence(user=request.user, slot=slot, day=day),
    }

    try:
        check_day_open(slot=slot, day=day, today=today)
    except DayNotOpen as refusal:
        # Nothing to mark: say why instead of showing a roster that can't be saved.
        context["refusal"] = str(refusal)
        context["closure"] = getattr(refusal, "holiday", None)
        if request.method == "POST":
            messages.error(request, "Nothing was saved: " + str(refusal))
            return render(request, "attendance/mark.html", context, status=400)
        return render(request, "attendance/mark.html", context)

    may_change = can_change_records(user=request.user, slot=slot, day=day, today=today)
    if request.method == "POST" and not may_change:
        return forbidden(request, locked_message(edit_window_days=school.edit_window_days))
    sheet = _marking_sheet(
        slot=slot,
        day=day,
        data=request.POST if request.method == "POST" else None,
        read_only=not may_change,
        # Without JS, "Mark all present" is a GET that proposes P for everyone, unsaved.
        all_present=request.method == "GET" and may_change and "all_present" in request.GET,
    )
    if request.method == "POST" and sheet.form.is_valid():
        try:
            result = mark_attendance(
                slot=slot,
                day=day,
                statuses=sheet.form.statuses(),
                actor=request.user,
                reason=sheet.form.cleaned_data["reason"],
                today=today,
            )
        except CorrectionNeedsReason as exc:
            sheet.form.add_error("reason", str(exc))
        except MarkingError as exc:
            sheet.form.add_error(None, str(exc))
        else:
            text = f"Saved attendance for {result.saved} student{pluralize(result.saved)}"
            details = []
            if result.corrected:
                details.append(f"{result.corrected} correction{pluralize(result.corrected)}")
            if result.resolved:
                details.append(f"{result.resolved} staff-absent resolved")
            if details:
                text += f" ({', '.join(details)})"
            messages.success(request, text + ".")
            for skipped in result.skipped:
                messages.warning(request, f"{skipped.student_name} not saved: {skipped.reason}.")
            return redirect("attendance:mark", slot_id=slot.pk, day=day)

    context.update(
        sheet=sheet,
        form=sheet.form,
        rows=sheet.rows,
        low_below=school.low_attendance_threshold,
        locked=(locked_message(edit_window_days=school.edit_window_days) if not may_change else ""),
        key_statuses=" ".join(MARKABLE_STATUSES),
        saved_today=bool(
            sheet.last_saved
            and sheet.last_saved.astimezone(zoneinfo.ZoneInfo(school.timezone)).date() == today
        ),
    )
    return render(request, "attendance/mark.html", context)

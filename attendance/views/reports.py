"""Attendance reports (docs/design/attendance.md): a student's report, a class's monthly register,
the registers nobody took; each also as CSV (`?format=csv`) and XLSX (`?format=xlsx`).

Thin views: authorise and scope (role_required, then scoped querysets — another school's
student or class is a 404), read the filters with a form (junk falls back to the default
with a message, never a 4xx or 500), call one selector, render or export.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from academics.access import role_required, wants_partial
from academics.models import Role
from academics.validators import parse_id

from ..access import (
    NOT_TAKEN_ROLES,
    REGISTER_READERS,
    can_read_registers,
    can_see_all_not_taken,
)
from ..exports import EXPORT_FORMATS, tabular_response
from ..forms import (
    MAX_NOT_TAKEN_DAYS,
    NotTakenForm,
    RegisterMonthForm,
    ReportPeriodForm,
)
from ..models import Status
from ..selectors import own_student_profile_id, visible_classes
from ..selectors.reports import (
    ORPHANED_LABEL,
    STATUS_CODES,
    UNRESOLVED_SA_LABEL,
    ClassRegister,
    PeriodKind,
    StudentReport,
    TrendWeek,
    class_register,
    group_by_teacher_and_date,
    not_taken_teachers,
    registers_not_taken,
    report_period,
    student_attendance_report,
    visible_students,
)

DEFAULT_NOT_TAKEN_DAYS = 14


def code_header(code: str) -> str:
    """A status code as a report's column heading (SA is always unresolved on a record)."""
    return UNRESOLVED_SA_LABEL if code == Status.STAFF_ABSENT else code


# --- the weekly trend chart (inline SVG, no JS) -----------------------------------------------


@dataclass(frozen=True)
class TrendBar:
    week: TrendWeek
    x: float
    y: float
    width: float
    height: float
    label_x: float
    show_label: bool
    low: bool

    @property
    def title(self) -> str:
        if self.week.percentage is None:
            return f"Week of {self.week.start:%-d %b}: nothing countable"
        return (
            f"Week of {self.week.start:%-d %b}: {self.week.percentage}% "
            f"({self.week.present} present of {self.week.countable})"
        )


@dataclass(frozen=True)
class TrendChart:
    """Geometry of a bar chart of weekly percentages, for `attendance/_trend.svg`."""

    weeks: list[TrendWeek]
    bars: list[TrendBar]
    threshold: Decimal
    threshold_y: float
    subject: str
    width: int = 640
    height: int = 180
    left: int = 36
    top: int = 10
    bottom: int = 24

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        plot_height = self.height - self.top - self.bottom
        return [(p, _y(p, top=self.top, plot_height=plot_height)) for p in (0, 50, 100)]

    @property
    def title(self) -> str:
        return f"Weekly attendance of {self.subject}"

    @property
    def description(self) -> str:
        parts = [
            f"week of {w.start:%-d %b %Y}: "
            + (f"{w.percentage}%" if w.percentage is not None else "nothing countable")
            for w in self.weeks
        ]
        return (
            f"Percentage present by week, {len(self.weeks)} weeks; the line marks the "
            f"{self.threshold}% low-attendance threshold. " + "; ".join(parts) + "."
        )


def _y(percentage, *, top: int, plot_height: int) -> float:
    """The SVG y of a percentage (0 at the bottom of the plot, 100 at its top)."""
    return round(top + plot_height * (1 - float(percentage) / 100), 1)


def trend_chart(*, weeks: list[TrendWeek], threshold: Decimal, subject: str) -> TrendChart:
    """Lay out one bar per week; a week with nothing countable gets no bar."""
    width, height, left, right, top, bottom = 640, 180, 36, 8, 10, 24
    plot_width, plot_height = width - left - right, height - top - bottom
    slot = plot_width / max(len(weeks), 1)
    every = 1 if len(weeks) <= 13 else 2
    bars = []
    for index, week in enumerate(weeks):
        percentage = week.percentage
        y = _y(percentage if percentage is not None else 0, top=top, plot_height=plot_height)
        bars.append(
            TrendBar(
                week=week,
                x=round(left + index * slot + slot * 0.15, 1),
                y=y,
                width=round(slot * 0.7, 1),
                height=round(top + plot_height - y, 1),
                label_x=round(left + index * slot + slot / 2, 1),
                show_label=index % every == 0,
                low=percentage is not None and percentage < threshold,
            )
        )
    return TrendChart(
        weeks=weeks,
        bars=bars,
        threshold=threshold,
        threshold_y=_y(threshold, top=top, plot_height=plot_height),
        subject=subject,
    )


# --- a student's report ------------------------------------------------------------------------


@role_required(Role.STUDENT)
def my_report(request: HttpRequest) -> HttpResponse:
    """A student's own report (the nav link), keeping any period filters."""
    profile_id = own_student_profile_id(user=request.user)
    if profile_id is None:
        # A student user saved before profiles were automatic (docs/design/total-sessions.md,
        # "Student profile not found"): the list explains, until `fix_student_profiles` runs.
        return redirect("attendance:list")
    url = reverse("attendance:student_report", args=[profile_id])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@role_required(*Role.values)
def student_report(request: HttpRequest, student_id: int) -> HttpResponse:
    """One student's attendance by day, week, month or term (docs/design/attendance.md, "Reports can
    aggregate to daily, weekly, monthly, or semester views"). A student opens only their
    own, a guardian their children's; a teacher only students of classes they teach or
    advise, and sees only those classes; other readers the whole school
    (`visible_students`, `visible_classes`)."""
    user = request.user
    student = get_object_or_404(visible_students(user=user).select_related("user"), pk=student_id)
    school = user.school
    today = school.today()
    form = ReportPeriodForm(request.GET or None)
    kind, anchor = PeriodKind.MONTH, today
    if form.is_valid():
        kind = form.cleaned_data["period"] or kind
        anchor = form.cleaned_data["date"] or anchor
    period = report_period(school=school, kind=kind, anchor=anchor)
    report = student_attendance_report(
        student=student, period=period, classes=visible_classes(user=user), today=today
    )

    export = request.GET.get("format")
    if export in EXPORT_FORMATS:
        number = student.student_number or str(student.pk)
        return tabular_response(
            _student_report_rows(report),
            _student_report_headers(),
            f"attendance-{number}-{period.kind}-{period.start:%Y-%m-%d}",
            export,
        )

    context = {
        "student": student,
        "report": report,
        "period": period,
        # The switcher keeps the chosen date when it lies in the period shown (a term view
        # opened on 15 Oct switches to the week of 15 Oct, not of the term's first day).
        "anchor": anchor if period.start <= anchor <= period.end else period.start,
        "current_label": {"day": "Today", "week": "This week", "month": "This month"}.get(
            period.kind, "This term"
        ),
        "form": form,
        "today": today,
        "kinds": PeriodKind.choices,
        "codes": [(code, code_header(code), Status(code).label) for code in STATUS_CODES],
        "low_below": school.low_attendance_threshold,
        "orphaned_label": ORPHANED_LABEL,
        "is_self": user.role == Role.STUDENT,
        # A guardian reads their child's report (docs/manual/guardians.md): back to the
        # children, and no links to class registers (staff pages).
        "is_guardian": user.role == Role.GUARDIAN,
        "can_read_registers": can_read_registers(user),
        "chart": trend_chart(
            weeks=report.trend, threshold=school.low_attendance_threshold, subject=str(student)
        ),
    }
    template = "attendance/student_report.html"
    if wants_partial(request):
        template += "#report"
    return render(request, template, context)


def _student_report_headers() -> list[str]:
    return [
        "Class",
        *(code_header(code) for code in STATUS_CODES),
        "Orphaned (not counted)",
        "Present",
        "Countable",
        "Attendance %",
        # docs/design/total-sessions.md, "Planned and to-date figures".
        "Whole course to date %",
        "Whole course % of planned total",
    ]


def _student_report_rows(report: StudentReport):
    for row in report.rows:
        s = row.summary
        yield [
            str(row.school_class),
            *(s.counts[code] for code in STATUS_CODES),
            s.orphaned,
            s.present,
            s.countable,
            s.percentage,
            row.overall_to_date,
            row.overall_percentage if row.planned_applies else None,
        ]
    total = report.total
    yield [
        "Total",
        *(total.counts[code] for code in STATUS_CODES),
        total.orphaned,
        total.present,
        total.countable,
        total.percentage,
        None,
        None,
    ]


# --- a class's register ---------------------------------------------------------------------------


@role_required(*REGISTER_READERS)
def register(request: HttpRequest) -> HttpResponse:
    """A class's period-by-date register for one month (`?school_class=<id>&month=YYYY-MM`),
    with each student's percentage for the month; below the school's threshold is
    highlighted. Only classes the user may see (`visible_classes`); others are a 404."""
    user = request.user
    classes = visible_classes(user=user)
    school_class = None
    class_id = request.GET.get("school_class", "")
    if class_id:
        pk = parse_id(class_id)
        if pk is None:
            raise Http404("No such class.")
        school_class = get_object_or_404(classes.select_related("school"), pk=pk)
    today = user.school.today()
    form = RegisterMonthForm(request.GET or None)
    month = today
    if form.is_valid() and form.cleaned_data["month"]:
        month = form.cleaned_data["month"]
    grid = (
        class_register(school_class=school_class, month=month, today=today)
        if school_class
        else None
    )

    export = request.GET.get("format")
    if grid is not None and export in EXPORT_FORMATS:
        return tabular_response(
            _register_rows(grid),
            _register_headers(grid),
            f"register-{school_class.code or school_class.pk}-{grid.start:%Y-%m}",
            export,
        )

    first = month.replace(day=1)
    context = {
        "classes": classes.order_by("name"),
        "school_class": school_class,
        "register": grid,
        "month": first,
        "form": form,
        "previous_month": (first - datetime.timedelta(days=1)).replace(day=1),
        "next_month": (first + datetime.timedelta(days=32)).replace(day=1),
        "today": today,
        "orphaned_label": ORPHANED_LABEL,
        "unresolved_sa_label": UNRESOLVED_SA_LABEL,
        "chart": grid
        and trend_chart(weeks=grid.trend, threshold=grid.threshold, subject=str(school_class)),
    }
    template = "attendance/class_register.html"
    if wants_partial(request):
        template += "#register"
    return render(request, template, context)


def _register_headers(grid: ClassRegister) -> list[str]:
    return [
        "Student",
        *(grid.session_label(session) for session in grid.sessions),
        "Present",
        "Countable",
        "Attendance %",
        "Below threshold",
    ]


def _register_rows(grid: ClassRegister):
    for row in grid.rows:
        yield [
            str(row.student),
            *(
                None
                if mark is None
                else f"{mark.status} (orphaned)"
                if mark.is_orphaned
                else mark.status
                for mark in row.marks
            ),
            row.present,
            row.countable,
            row.percentage,
            row.below_threshold,
        ]


# --- registers not taken ----------------------------------------------------------------------


@role_required(*NOT_TAKEN_ROLES)
def not_taken(request: HttpRequest) -> HttpResponse:
    """Timetable periods before today that nobody marked, per teacher and date, over a
    range (default: the last 14 days). admin, principal and hod see the school and may
    pick a teacher; a teacher sees their own."""
    user = request.user
    today = user.school.today()
    school_wide = can_see_all_not_taken(user)
    form = NotTakenForm(
        request.GET or None, teachers=not_taken_teachers(user=user) if school_wide else None
    )
    start = today - datetime.timedelta(days=DEFAULT_NOT_TAKEN_DAYS)
    end = today - datetime.timedelta(days=1)
    teacher = None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        teacher = form.cleaned_data.get("teacher")
        if end < start or (end - start).days + 1 > MAX_NOT_TAKEN_DAYS:
            start = end - datetime.timedelta(days=DEFAULT_NOT_TAKEN_DAYS - 1)
    missing = registers_not_taken(user=user, start=start, end=end, today=today, teacher=teacher)

    export = request.GET.get("format")
    if export in EXPORT_FORMATS:
        return tabular_response(
            (
                [
                    m.date,
                    str(m.teacher) if m.teacher else "",
                    m.slot.period_number,
                    str(m.slot.school_class),
                    str(m.slot.subject),
                ]
                for m in missing
            ),
            ["Date", "Teacher", "Period", "Class", "Subject"],
            f"registers-not-taken-{start:%Y-%m-%d}-{end:%Y-%m-%d}",
            export,
        )

    context = {
        "form": form,
        "groups": group_by_teacher_and_date(missing),
        "missing_count": len(missing),
        "start": start,
        "end": end,
        "today": today,
        "teacher": teacher,
        "school_wide": school_wide,
    }
    template = "attendance/not_taken.html"
    if wants_partial(request):
        template += "#not-taken"
    return render(request, template, context)

"""The corrections audit trail: a record's history and "Recent corrections"
(docs/design/attendance.md, EC-ATT-04). Principal and admin only (DOMAIN.md, roles); every query is
scoped to the reader's school, so another school's record is a 404 and its corrections never listed.
"""

from __future__ import annotations

import csv
import zoneinfo

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from academics.access import role_required, wants_partial
from academics.models import School

from ..access import AUDIT_READERS
from ..forms import CorrectionsFilterForm
from ..selectors import as_corrections, audit_records, corrections, record_history

CORRECTIONS_PAGE_SIZE = 50
_FILTERS = ("school_class", "changed_by", "slot_teacher", "changed_from", "changed_to")


@role_required(*AUDIT_READERS)
def record_history_page(request: HttpRequest, record_id: int) -> HttpResponse:
    """Every version of one record, oldest first: "Marked P by …", then "P → A by … on …
    — reason" for each correction (docs/design/attendance.md, EC-ATT-04)."""
    record = get_object_or_404(
        audit_records(user=request.user).select_related(
            "student__user", "school_class", "subject", "slot__teacher", "marked_by", "modified_by"
        ),
        pk=record_id,
    )
    context = {
        "record": record,
        "entries": record_history(record=record),
        "school_timezone": request.user.school.timezone,
    }
    return render(request, "attendance/record_history.html", context)


@role_required(*AUDIT_READERS)
def corrections_page(request: HttpRequest) -> HttpResponse:
    """Every change of status of a saved record in the school, newest first, 50 a page,
    filtered by class, who changed it, the period's teacher and the date of the change;
    `?format=csv` downloads the whole filtered list."""
    school = request.user.school
    form = CorrectionsFilterForm(request.GET or None, school=school)
    form.is_valid()
    # An invalid filter is shown with its error and left out; the valid ones still apply.
    filters = getattr(form, "cleaned_data", {})
    versions = corrections(school=school, **{name: filters.get(name) for name in _FILTERS})

    if request.GET.get("format") == "csv":
        if form.is_bound and form.errors:
            return HttpResponse(
                "Fix the filters before downloading: " + form.errors.as_text(),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return _corrections_csv(versions, school=school)

    page = Paginator(versions, CORRECTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "form": form,
        "page": page,
        "rows": as_corrections(page.object_list),
        "filter_query": query.urlencode(),
        "school_timezone": school.timezone,
    }
    template = "attendance/corrections.html"
    if wants_partial(request):
        template += "#corrections-table"
    return render(request, template, context)


_CSV_HEADER = [
    "Changed at",
    "Changed by",
    "Student",
    "Class",
    "Subject",
    "Date",
    "Period",
    "Old status",
    "New status",
    "Reason",
    "Orphaned",
    "Record id",
]


def _cell(value) -> str:
    """Text a spreadsheet will not run as a formula (reasons are typed by staff)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _corrections_csv(versions, *, school: School) -> HttpResponse:
    zone = zoneinfo.ZoneInfo(school.timezone)
    stamp = timezone.now().astimezone(zone).strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="corrections-{stamp}.csv"'
    # A byte-order mark, so Excel reads the UTF-8 names right instead of guessing.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(_CSV_HEADER)
    for row in as_corrections(versions.iterator(chunk_size=2000)):
        writer.writerow(
            [
                row.changed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                _cell(row.changed_by or "System"),
                _cell(row.student),
                _cell(row.school_class),
                _cell(row.subject),
                row.date.isoformat(),
                row.period_number,
                row.old_status,
                row.new_status,
                _cell(row.reason),
                "Orphaned — Period Removed" if row.is_orphaned else "",
                row.record_id,
            ]
        )
    return response

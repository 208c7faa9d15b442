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
from django.utils.translation import gettext_lazy as _

from academics.access import role_required, wants_partial
from academics.models import School

from ..access import AUDIT_READERS
from ..forms import CorrectionsFilterForm
from ..selectors import (
    CorrectionKind,
    as_corrections,
    audit_records,
    correction_kind_counts,
    corrections,
    record_history,
)

CORRECTIONS_PAGE_SIZE = 50
# The kinds "Recent corrections" filters by (`?kind=`), people's corrections first: the
# staff-absent lifecycle and closures add many rows nobody needs to check one by one.
KIND_LABELS = {
    CorrectionKind.CORRECTION: _("Corrections"),
    CorrectionKind.STAFF_ABSENT: _("Staff-absent resolutions"),
    CorrectionKind.CLOSURE: _("Closures"),
}
KIND_ALL = "all"


class _KnownCountPaginator(Paginator):
    """A paginator told its count (from `correction_kind_counts`), so it does not ask."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


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
    filtered by class, who changed it, the period's teacher and the date of the change,
    and by kind (`?kind=correction` — the default —, `staff-absent`, `closure` or `all`),
    with the number of each kind; `?format=csv` downloads the whole filtered list."""
    school = request.user.school
    form = CorrectionsFilterForm(request.GET or None, school=school)
    form.is_valid()
    # An invalid filter is shown with its error and left out; the valid ones still apply.
    filters = getattr(form, "cleaned_data", {})
    kind = request.GET.get("kind") or CorrectionKind.DEFAULT
    if kind != KIND_ALL and kind not in CorrectionKind.ALL:
        kind = CorrectionKind.DEFAULT
    every_kind = corrections(school=school, **{name: filters.get(name) for name in _FILTERS})
    versions = every_kind
    if kind != KIND_ALL:
        versions = corrections(
            school=school, kind=kind, **{name: filters.get(name) for name in _FILTERS}
        )

    if request.GET.get("format") == "csv":
        if form.is_bound and form.errors:
            return HttpResponse(
                "Fix the filters before downloading: " + form.errors.as_text(),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return _corrections_csv(versions, school=school)

    counts = correction_kind_counts(every_kind)
    total = sum(counts.values())
    page = _KnownCountPaginator(
        versions, CORRECTIONS_PAGE_SIZE, count=total if kind == KIND_ALL else counts[kind]
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    query.pop("kind", None)
    base = query.urlencode()
    kinds = [
        (value, label, counts[value], value == kind, _kind_href(base, value))
        for value, label in KIND_LABELS.items()
    ]
    kinds.append((KIND_ALL, _("All"), total, kind == KIND_ALL, _kind_href(base, KIND_ALL)))
    if kind != CorrectionKind.DEFAULT:
        query["kind"] = kind
    context = {
        "form": form,
        "kind": kind,
        "kinds": kinds,
        "page": page,
        "rows": as_corrections(page.object_list),
        "filter_query": query.urlencode(),
        "school_timezone": school.timezone,
    }
    template = "attendance/corrections.html"
    if wants_partial(request):
        template += "#corrections-table"
    return render(request, template, context)


def _kind_href(base: str, kind: str) -> str:
    """The page's link to one kind, keeping the other filters (and dropping the page)."""
    return f"?{base}&kind={kind}" if base else f"?kind={kind}"


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

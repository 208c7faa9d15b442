"""The enrollments list (docs/design/promotion.md: step 5's "View the new enrollments"):
a year's enrollments, filtered by grade, class, section, status or the promotion run that
made them, 50 a page, in a constant number of queries.

Admins and principals only, like the promotion wizard.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import wants_partial
from ..forms import EnrollmentFilterForm
from ..models import Enrollment
from ..selectors.enrollments import enrollment_listing
from .promotion import promotion_view

PAGE_SIZE = 50
TEMPLATE = "academics/enrollments.html"


@promotion_view
def enrollment_list(request: HttpRequest) -> HttpResponse:
    """A year's enrollments (default: the current year, else the latest), by grade,
    class, roll number and name. `?run=` keeps those a promotion run created."""
    form = EnrollmentFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    listing = enrollment_listing(school_id=request.user.school_id, chosen=chosen)
    page = Paginator(listing.enrollments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "chosen": chosen,
        "years": listing.years,
        "year": listing.year,
        "grades": listing.grades,
        "classes": listing.classes,
        "sections": listing.sections,
        "run": listing.run,
        "page": page,
        "enrollments": page.object_list,
        "statuses": Enrollment.Status.choices,
        "filter_query": query.urlencode(),
    }
    return render(
        request, TEMPLATE + ("#enrollments-table" if wants_partial(request) else ""), context
    )

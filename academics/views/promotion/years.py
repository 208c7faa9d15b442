"""Promotion step 1, the years (docs/design/promotion.md): `/promotion/new/` chooses them
(with dates and student counts) and can create the next year; a draft someone already
started for the chosen years is continued.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from ...access import wants_partial
from ...forms import NextYearForm, year_label
from ...models import AcademicYear
from ...selectors import promotion as selectors
from ...services.promotion import (
    PromotionError,
    create_academic_year,
    next_year_defaults,
    open_run,
    validate_prerequisites,
)
from .common import START_TEMPLATE, promotion_view, started_message


def _default_from(years: list[AcademicYear]) -> AcademicYear | None:
    """The current year, else the latest with students waiting, else the latest."""
    current = next((y for y in years if y.is_current), None)
    waiting = next((y for y in years if y.waiting), None)
    return current or waiting or (years[0] if years else None)


def _year_after(years: list[AcademicYear], year: AcademicYear | None) -> AcademicYear | None:
    """The first year starting after `year` starts (`years` are latest first)."""
    if year is None:
        return None
    later = [y for y in years if y.start_date > year.start_date]
    return later[-1] if later else None


def _start_context(
    request: HttpRequest, *, data=None, year_form: NextYearForm | None = None
) -> dict:
    user = request.user
    years = list(selectors.years_with_counts(school=user.school))
    by_id = {str(y.pk): y for y in years}
    data = (data or request.GET).copy()
    from_year = by_id.get(data.get("from_year", "")) or _default_from(years)
    trigger = request.htmx.trigger_name if request.htmx else ""
    to_year = by_id.get(data.get("to_year", ""))
    if to_year is None or trigger == "from_year":
        to_year = _year_after(years, from_year)
    for year in years:
        year.label = year_label(year)
    next_year = _year_after(years, from_year)
    if year_form is None and from_year is not None and next_year is None:
        try:
            defaults = next_year_defaults(from_year)
        except ValueError:  # a year ending in 9999 has no next one to propose
            defaults = {}
        year_form = NextYearForm(
            initial={**defaults, "source": from_year.pk, "copy_classes": True},
            school=user.school,
        )
    drafts = selectors.draft_runs(school_id=user.school_id)
    pair_draft = next(
        (
            d
            for d in drafts
            if from_year
            and to_year
            and (d.from_year_id, d.to_year_id) == (from_year.pk, to_year.pk)
        ),
        None,
    )
    return {
        "years": years,
        "pair_draft": pair_draft,
        "from_year": from_year,
        "to_year": to_year,
        "next_year": next_year,
        "year_form": year_form,
        "drafts": drafts,
        "problems": [],
        "step": 1,
    }


@promotion_view
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the years. "Next" (a GET with `next`) checks them
    (`validate_prerequisites`); a draft already started for them is continued (with who
    started it and when), else step 2 opens. htmx redraws the form when the From year
    changes (the To year follows it; "Create the next year" appears when there is none)."""
    context = _start_context(request)
    if request.GET.get("next") and not wants_partial(request):
        from_year, to_year = context["from_year"], context["to_year"]
        if from_year is None or to_year is None:
            context["problems"] = ["Choose both years (create the next year first if needed)."]
        else:
            try:
                validate_prerequisites(
                    school=request.user.school, from_year=from_year, to_year=to_year
                )
            except PromotionError as exc:
                context["problems"] = exc.messages
            else:
                draft = open_run(school=request.user.school, from_year=from_year, to_year=to_year)
                if draft is not None:
                    messages.info(request, started_message(draft, request.user))
                    return redirect("academics:promotion_preview", draft.pk)
                query = urlencode({"from_year": from_year.pk, "to_year": to_year.pk})
                return redirect(f"{reverse('academics:promotion_plan_new')}?{query}")
    template = START_TEMPLATE + ("#years-form" if wants_partial(request) else "")
    return render(request, template, context)


@promotion_view
@require_POST
def create_year(request: HttpRequest) -> HttpResponse:
    """Step 1's "Create the next year" (`create_academic_year`): with its homeroom classes
    and sections copied from the From year when the box is ticked. Errors are shown in
    the form; success goes back to step 1 with the new year chosen as To year."""
    form = NextYearForm(request.POST, school=request.user.school)
    if form.is_valid():
        data = form.cleaned_data
        try:
            year = create_academic_year(
                school=request.user.school,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                copy_classes_from=data["source"] if data["copy_classes"] else None,
                actor=request.user,
            )
        except PromotionError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            copied = selectors.class_count(year=year)
            copy_note = (
                f" with {copied} homeroom class{'es' if copied != 1 else ''} copied from "
                f"{data['source']}"
                if data["copy_classes"]
                else ""
            )
            messages.success(request, f"Created {year}{copy_note}.")
            query = urlencode({"from_year": data["source"].pk, "to_year": year.pk})
            url = f"{reverse('academics:promotion_start')}?{query}"
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    source = request.POST.get("source", "")
    context = _start_context(request, data={"from_year": source}, year_form=form)
    if wants_partial(request):
        return render(request, START_TEMPLATE + "#create-year", context)
    return render(request, START_TEMPLATE, context)

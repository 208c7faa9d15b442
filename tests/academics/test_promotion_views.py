"""The promotion wizard's pages (seed 004, 4.1; issue 7, "Wizard"): who may open them,
each step through the Django client, the stored plan, refusals, undo, and the query
counts of the list pages. The school is `promotion_school` (tests/academics/conftest.py):
grades 9–12, six homeroom classes in both years, four students per class."""

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academics.models import (
    AcademicYear,
    Enrollment,
    PromotionLog,
    PromotionRun,
    Role,
    SchoolClass,
    Section,
    StudentProfile,
)
from academics.services.promotion import PromotionBusy, execute_promotion, plan_promotion
from academics.views.promotion import humane_seconds
from tests.attendance.factories import AttendanceRecordFactory

from .conftest import SURNAMES
from .factories import (
    AcademicYearFactory,
    SchoolFactory,
    SubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The response's visible text, tags removed and whitespace collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html(response))).split())


def row_text(response, element_id: str) -> str:
    match = re.search(rf'<tr id="{element_id}".*?</tr>', html(response), re.S)
    assert match, f"no row {element_id}"
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def plan(ns, **kwargs) -> PromotionRun:
    kwargs.setdefault("mode", "automatic")
    return plan_promotion(
        school=ns.school, from_year=ns.from_year, to_year=ns.to_year, actor=ns.admin, **kwargs
    )


def row_of(run: PromotionRun, student: StudentProfile):
    return run.rows.get(student=student)


def snapshot(ns) -> list[tuple]:
    """Every enrollment of the school as it stands (to prove nothing changed)."""
    return list(
        Enrollment.objects.filter(school=ns.school)
        .order_by("pk")
        .values_list("pk", "academic_year", "status", "grade", "school_class", "roll_number")
    )


@pytest.fixture
def ns(promotion_school):
    return promotion_school


@pytest.fixture
def admin(client, ns):
    client.force_login(ns.admin)
    return client


# --- access ----------------------------------------------------------------------------------


def _urls(ns, draft, executed):
    """(method, url, status an admin gets) for every page of the wizard."""
    years = f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    a_row = draft.rows.first()
    return [
        ("get", reverse("academics:promotion_history"), 200),
        ("get", reverse("academics:promotion_start"), 200),
        ("post", reverse("academics:promotion_create_year"), 200),  # empty: the form again
        ("get", reverse("academics:promotion_plan", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_preview", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_row", args=[draft.pk, a_row.pk]), 302),
        ("get", reverse("academics:promotion_row_edit", args=[draft.pk, a_row.pk]), 200),
        ("post", reverse("academics:promotion_bulk", args=[draft.pk]), 302),
        ("post", reverse("academics:promotion_rebalance", args=[draft.pk]), 302),
        ("get", reverse("academics:promotion_discard", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_confirm", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_detail", args=[executed.pk]), 200),
        ("post", reverse("academics:promotion_undo", args=[draft.pk]), 302),  # refused
        ("get", reverse("academics:enrollments"), 200),
        ("get", reverse("academics:promotion_plan_new") + years, 302),  # to the draft
    ]


@pytest.fixture
def runs(ns):
    """A draft from 2025-2026 to 2026-2027, and an executed run into a third year."""
    draft = plan(ns)
    later = AcademicYearFactory(
        school=ns.school,
        name="2027-2028",
        start_date=datetime.date(2027, 8, 17),
        end_date=datetime.date(2028, 6, 30),
        is_current=False,
    )
    other_from = AcademicYearFactory(
        school=ns.school,
        name="2024-2025",
        start_date=datetime.date(2024, 8, 17),
        end_date=datetime.date(2025, 6, 30),
        is_current=False,
    )
    student = ns.students["9-A"][0]
    Enrollment.objects.create(
        school=ns.school, student=student, academic_year=other_from, grade=ns.grades[9]
    )
    executed_plan = plan_promotion(
        school=ns.school, from_year=other_from, to_year=later, mode="automatic", actor=ns.admin
    )
    execute_promotion(run=executed_plan, actor=ns.admin)
    return draft, executed_plan


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ACCOUNTANT, Role.STUDENT, Role.HOD])
def test_other_roles_get_403_on_every_page(client, ns, runs, role):
    client.force_login(UserFactory(school=ns.school, role=role))
    for method, url, _ in _urls(ns, *runs):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)


def test_signed_out_visitors_go_to_the_login_page(client, ns, runs):
    for method, url, _ in _urls(ns, *runs):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_signed_out_htmx_requests_sign_in_as_a_whole_page(client, ns, runs):
    draft, _ = runs
    response = client.get(reverse("academics:promotion_preview", args=[draft.pk]), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRINCIPAL, "superuser"])
def test_admins_and_principals_open_every_page(client, ns, runs, role):
    if role == "superuser":
        user = UserFactory(school=ns.school, role=Role.TEACHER, is_superuser=True)
    else:
        user = UserFactory(school=ns.school, role=role)
    client.force_login(user)
    for method, url, status in _urls(ns, *runs):
        response = getattr(client, method)(url)
        assert response.status_code == status, (method, url)


def test_another_schools_run_row_and_year_are_404(client, ns, runs):
    draft, executed = runs
    other = SchoolFactory()
    client.force_login(UserFactory(school=other, role=Role.ADMIN))
    for method, url, _ in _urls(ns, draft, executed):
        if "/promotion/" in url and re.search(r"/promotion/\d+/", url):
            assert getattr(client, method)(url).status_code == 404, url
    years = f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    assert client.get(reverse("academics:promotion_plan_new") + years).status_code == 404
    # Their own pages work, and show nothing of the other school.
    history = client.get(reverse("academics:promotion_history"))
    assert history.status_code == 200
    assert "2025-2026" not in text(history)


def test_nav_shows_promotion_to_admins_and_principals_only(client, ns):
    client.force_login(ns.admin)
    page = client.get(reverse("academics:promotion_history"))
    assert re.search(r'<a href="/promotion/" aria-current="page">Promotion</a>', html(page))
    client.force_login(UserFactory(school=ns.school, role=Role.TEACHER))
    page = client.get(reverse("attendance:my_periods"))
    assert ">Promotion</a>" not in html(page)


# --- step 1 ------------------------------------------------------------------------------------


def test_step_1_defaults_to_the_current_year_and_the_one_after(admin, ns):
    response = admin.get(reverse("academics:promotion_start"))
    page = html(response)
    assert re.search(rf'<option value="{ns.from_year.pk}" selected>2025-2026 \(current\)', page)
    assert re.search(rf'<option value="{ns.to_year.pk}" selected>2026-2027', page)
    assert "17 Aug 2025 – 30 Jun 2026 · 24 students" in text(response)
    assert "24 students waiting to be promoted (of 24 enrolled)" in text(response)
    assert "Create the next year" not in text(response)  # 2026-2027 exists


def test_step_1_next_goes_to_step_2(admin, ns):
    response = admin.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.from_year.pk, "to_year": ns.to_year.pk, "next": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("academics:promotion_plan_new")
        + f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    )


def test_step_1_shows_why_the_years_cannot_be_used(admin, ns):
    # Backwards: from the next year (nobody waiting) into this one (not later).
    response = admin.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.to_year.pk, "to_year": ns.from_year.pk, "next": "1"},
    )
    assert response.status_code == 200
    shown = text(response)
    assert "These years can't be used yet:" in shown
    assert "2025-2026 must start after 2026-2027 ends (30 Jun 2027)." in shown
    assert "No student of 2026-2027 is waiting to be promoted." in shown
    assert not PromotionRun.objects.exists()


def test_a_second_admin_opening_step_1_lands_on_the_same_run(client, ns):
    run = plan(ns)
    second = UserFactory(school=ns.school, role=Role.PRINCIPAL)
    client.force_login(second)
    history = client.get(reverse("academics:promotion_history"))
    assert f"{ns.admin}" in row_text(history, f"run-{run.pk}")
    assert "Continue" in row_text(history, f"run-{run.pk}")
    start = client.get(reverse("academics:promotion_start"))
    assert "Being planned" in text(start)
    assert f"{ns.admin} started a promotion from 2025-2026 to 2026-2027" in text(start)

    response = client.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.from_year.pk, "to_year": ns.to_year.pk, "next": "1"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("academics:promotion_preview", args=[run.pk])
    assert re.search(
        rf"{ns.admin} started this promotion on \d+ \w+ \d{{4}} at \d\d:\d\d; "
        "you are continuing it.",
        text(response),
    )
    assert PromotionRun.objects.count() == 1
    # Step 2 opened directly for those years does the same.
    years = f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    again = client.get(reverse("academics:promotion_plan_new") + years)
    assert again["Location"] == reverse("academics:promotion_preview", args=[run.pk])


def test_step_1_offers_to_create_the_next_year_prefilled(admin, ns):
    response = admin.get(reverse("academics:promotion_start"), {"from_year": ns.to_year.pk})
    page = html(response)
    assert "Create the next year" in text(response)
    assert 'value="2027-2028"' in page
    assert 'value="2027-08-17"' in page and 'value="2028-06-30"' in page
    assert re.search(r'name="copy_classes"[^>]*checked', page)
    assert "Copy this year's homeroom classes and sections" in text(response)
    assert re.search(r'<button type="submit" name="next"[^>]*disabled', page)


def test_create_the_next_year_from_step_1_copies_the_classes(admin, ns):
    response = admin.post(
        reverse("academics:promotion_create_year"),
        {
            "source": ns.to_year.pk,
            "name": "2027-2028",
            "start_date": "2027-08-17",
            "end_date": "2028-06-30",
            "copy_classes": "on",
        },
    )
    year = AcademicYear.objects.get(school=ns.school, name="2027-2028")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("academics:promotion_start") + f"?from_year={ns.to_year.pk}&to_year={year.pk}"
    )
    copied = SchoolClass.objects.filter(academic_year=year).order_by("name")
    assert [c.name for c in copied] == sorted(ns.to_classes)
    assert Section.objects.filter(school_class__academic_year=year, capacity=30).count() == 6
    assert year.is_current is False
    page = admin.get(response["Location"])
    assert "Created 2027-2028 with 6 homeroom classes copied from 2026-2027." in text(page)
    assert re.search(rf'<option value="{year.pk}" selected>2027-2028', html(page))


def test_create_the_next_year_without_copying_classes(admin, ns):
    admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027-2028", "start_date": "2027-08-17",
         "end_date": "2028-06-30"},
    )  # fmt: skip
    year = AcademicYear.objects.get(school=ns.school, name="2027-2028")
    assert not SchoolClass.objects.filter(academic_year=year).exists()


def test_create_year_errors_show_in_the_form(admin, ns):
    overlapping = admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027 bis", "start_date": "2027-01-01",
         "end_date": "2027-12-31", "copy_classes": "on"},
        **HTMX,
    )  # fmt: skip
    assert overlapping.status_code == 200
    assert html(overlapping).lstrip().startswith('<section id="create-year"')
    assert "2027 bis would overlap 2026-2027 (17 Aug 2026 – 30 Jun 2027)." in text(overlapping)
    reversed_dates = admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027-2028", "start_date": "2028-06-30",
         "end_date": "2027-08-17"},
    )  # fmt: skip
    assert "The year must end after it starts." in text(reversed_dates)
    assert not AcademicYear.objects.filter(name__startswith="2027").exists()


def test_create_year_by_htmx_redirects_the_whole_page(admin, ns):
    response = admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027-2028", "start_date": "2027-08-17",
         "end_date": "2028-06-30", "copy_classes": "on"},
        **HTMX,
    )  # fmt: skip
    assert response["HX-Redirect"].startswith(reverse("academics:promotion_start"))


def test_step_1_redraw_by_htmx_moves_the_to_year_with_the_from_year(admin, ns):
    response = admin.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.to_year.pk, "to_year": ns.to_year.pk},
        HTTP_HX_TRIGGER_NAME="from_year",
        **HTMX,
    )
    assert html(response).lstrip().startswith('<section id="years-form"')
    assert "No later year yet — create it below" in text(response)
    assert "Create the next year" in text(response)


# --- step 2 ------------------------------------------------------------------------------------


def step_2_url(ns):
    return (
        reverse("academics:promotion_plan_new")
        + f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    )


def test_step_2_shows_modes_filters_and_the_students_by_class(admin, ns):
    response = admin.get(step_2_url(ns))
    shown = text(response)
    assert "Automatic — Everyone moves up a grade" in shown
    assert "Manual — Only the students you tick below are promoted" in shown
    assert "Bulk — Everyone chosen by the filters gets the same action" in shown
    assert "9-A (Grade 9) 4" in shown  # the manual list, grouped by class
    assert "24 of 24 students waiting match the filters above." in shown


def test_step_2_filters_narrow_the_manual_list(admin, ns):
    response = admin.get(
        reverse("academics:promotion_plan_new"),
        {"from_year": ns.from_year.pk, "to_year": ns.to_year.pk, "refresh": "1",
         "mode": "manual", "classes": [ns.from_classes["9-B"].pk]},
        **HTMX,
    )  # fmt: skip
    assert html(response).lstrip().startswith('<fieldset id="student-picker"')
    shown = text(response)
    assert "4 of 24 students waiting match the filters above." in shown
    assert "Evans" in shown and "Abbott" not in shown


def test_step_2_plans_the_run_and_opens_step_3(admin, ns):
    response = admin.post(
        step_2_url(ns),
        {"mode": "automatic", "grades": [ns.grades[9].pk, ns.grades[12].pk]},
    )
    run = PromotionRun.objects.get()
    assert response["Location"] == reverse("academics:promotion_preview", args=[run.pk])
    assert run.rows.count() == 12
    assert run.filters["grades"] == sorted([ns.grades[9].pk, ns.grades[12].pk])


def test_step_2_manual_mode_promotes_the_ticked_students(admin, ns):
    picked = ns.students["10-A"][:2]
    admin.post(step_2_url(ns), {"mode": "manual", "students": [s.pk for s in picked]})
    run = PromotionRun.objects.get()
    assert run.mode == "manual"
    assert set(run.rows.values_list("student", flat=True)) == {s.pk for s in picked}


def test_step_2_refuses_a_mode_without_its_choice(admin, ns):
    manual = admin.post(step_2_url(ns), {"mode": "manual"})
    assert "Manual mode promotes the students you tick: tick one." in text(manual)
    bulk = admin.post(step_2_url(ns), {"mode": "bulk"})
    assert "Bulk mode applies one action to everyone: choose it." in text(bulk)
    everyone = list(StudentProfile.objects.filter(school=ns.school).values_list("pk", flat=True))
    excluded_all = admin.post(step_2_url(ns), {"mode": "automatic", "exclude": everyone})
    assert "No student matches these choices." in text(excluded_all)
    assert not PromotionRun.objects.exists()


def test_step_2_bulk_mode_sets_one_action_for_everyone(admin, ns):
    admin.post(
        step_2_url(ns),
        {"mode": "bulk", "default_action": "retain", "classes": [ns.from_classes["9-A"].pk]},
    )
    run = PromotionRun.objects.get()
    assert set(run.rows.values_list("action", flat=True)) == {"retain"}
    assert run.rows.count() == 4


def test_step_2_of_a_draft_warns_that_planning_again_replaces_edits(admin, ns):
    run = plan(ns)
    page = admin.get(reverse("academics:promotion_plan", args=[run.pk]))
    assert "changed in step 3" not in text(page)
    assert re.search(r'name="mode" value="automatic" checked', html(page))

    admin.post(
        reverse(
            "academics:promotion_row_edit", args=[run.pk, row_of(run, ns.students["9-A"][0]).pk]
        ),
        {"action": "retain"},
    )
    page = admin.get(reverse("academics:promotion_plan", args=[run.pk]))
    assert "1 row of this plan was changed in step 3." in text(page)
    assert "Planning again replaces the whole plan, those changes included." in text(page)

    admin.post(reverse("academics:promotion_plan", args=[run.pk]), {"mode": "automatic"})
    assert PromotionRun.objects.get().pk == run.pk
    assert row_of(run, ns.students["9-A"][0]).action == "promote"


# --- step 3 ------------------------------------------------------------------------------------


def test_preview_shows_counts_and_the_table(admin, ns):
    run = plan(ns)
    response = admin.get(reverse("academics:promotion_preview", args=[run.pk]))
    shown = text(response)
    assert "Promote 20 Retain 0 Graduate 4 Leave school 0 Total 24" in shown
    abbott = row_text(response, f"prow-{row_of(run, ns.students['9-A'][0]).pk}")
    assert (
        abbott
        == "Tick Pupil1 Abbott Pupil1 Abbott S001 Grade 9 9-A A Grade 10 10-A A 1 Promote Edit"
    )
    upton = row_text(response, f"prow-{row_of(run, ns.students['12-A'][0]).pk}")
    assert "Graduates — Graduate" in upton
    assert re.search(
        rf'href="{reverse("academics:promotion_confirm", args=[run.pk])}"', html(response)
    )


def test_inline_edit_retains_a_student_and_the_plan_survives_a_reload(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    edit_url = reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk])

    editor = admin.get(edit_url, **HTMX)
    assert html(editor).lstrip().startswith(f'<tr id="prow-{abbott.pk}"')
    assert 'name="action"' in html(editor) and "Save" in text(editor)
    # Choosing Retain redraws the editor: the grade becomes "the same grade (automatic)".
    redraw = admin.get(
        edit_url,
        {"action": "retain", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": abbott.to_class_id, "was_to_class": abbott.to_class_id, "notes": ""},
        HTTP_HX_TRIGGER_NAME="action",
        **HTMX,
    )  # fmt: skip
    assert "Grade 9 (automatic)" in text(redraw)
    assert f'<option value="{ns.to_classes["9-A"].pk}">9-A</option>' in html(redraw)

    saved = admin.post(
        edit_url, {"action": "retain", "to_grade": "", "was_to_grade": "", "notes": "Repeats"},
        **HTMX,
    )  # fmt: skip

    assert saved.status_code == 200
    row = row_text(saved, f"prow-{abbott.pk}")
    assert "Grade 9 9-A A Grade 9 9-A A" in row and "Retain" in row and "Repeats" in row
    assert re.search(r'<section id="pr-summary"[^>]*hx-swap-oob="true"', html(saved))
    assert "Promote 19 Retain 1 Graduate 4" in text(saved)
    # Abbott is 9-A's only student next year; 10-A's three others move up a roll number.
    assert "Saved Pupil1 Abbott: Retain → Grade 9, 9-A (3 other rows rebalanced)." in text(saved)

    reload = admin.get(reverse("academics:promotion_preview", args=[run.pk]))
    row = row_text(reload, f"prow-{abbott.pk}")
    assert "Grade 9 9-A A Grade 9 9-A A 1 Retain Repeats" in row
    assert "Promote 19 Retain 1 Graduate 4 Leave school 0 Total 24" in text(reload)


def test_inline_edit_without_js_is_a_page_and_a_redirect(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    edit_url = reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk])
    page = admin.get(edit_url)
    assert "<h1>Promotion" in html(page)
    assert f'<form id="prow-form-{abbott.pk}" method="post" action="{edit_url}"' in html(page)
    # The editor still shows the row's grade: left alone, retaining keeps the same grade.
    response = admin.post(
        edit_url,
        {"action": "retain", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": abbott.to_class_id, "was_to_class": abbott.to_class_id,
         "to_section": abbott.to_section_id, "was_to_section": abbott.to_section_id},
    )  # fmt: skip
    assert response["Location"].endswith(f"/preview/#prow-{abbott.pk}")
    abbott.refresh_from_db()
    assert (abbott.action, abbott.to_grade, abbott.to_class) == (
        "retain",
        ns.grades[9],
        ns.to_classes["9-A"],
    )


def test_update_choices_without_js_redraws_the_editor_for_the_new_action(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    page = admin.get(
        reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk]),
        {"action": "retain", "was_action": "promote", "to_grade": ns.grades[10].pk,
         "was_to_grade": ns.grades[10].pk, "to_class": abbott.to_class_id,
         "was_to_class": abbott.to_class_id, "notes": "x"},
    )  # fmt: skip
    assert "<h1>Promotion" in html(page)  # the whole page, the row as the editor
    assert re.search(r'<option value="">Grade 9 \(automatic\)</option>', html(page))
    assert f'<option value="{ns.to_classes["9-A"].pk}">9-A</option>' in html(page)
    assert 'name="was_to_grade" value=""' in html(page)


def test_inline_edit_moves_a_student_to_another_class_and_rebalances(admin, ns):
    run = plan(ns)
    evans = row_of(run, ns.students["9-B"][0])  # 9-B → 10-B, roll 1
    response = admin.post(
        reverse("academics:promotion_row_edit", args=[run.pk, evans.pk]),
        {"action": "promote", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": ns.to_classes["10-A"].pk, "was_to_class": ns.to_classes["10-B"].pk},
        **HTMX,
    )  # fmt: skip
    # After Abbott…Dalton from 9-A, alphabetically.
    assert "Grade 10 10-A (chosen) A 5 Promote" in row_text(response, f"prow-{evans.pk}")
    # The rows it moved up in 10-B (Fisher, Garcia, Hughes: 2–4 → 1–3) come back out of band.
    moved = re.findall(
        r'<template>\s*<tr id="prow-(\d+)"[^>]*hx-swap-oob="outerHTML"', html(response)
    )
    fisher = row_of(run, ns.students["9-B"][1])
    assert len(moved) == 3 and str(fisher.pk) in moved
    assert "Grade 10 10-B A 1 Promote" in row_text(response, f"prow-{fisher.pk}")
    assert "(3 other rows rebalanced)" in text(response)


def test_inline_edit_refusal_keeps_the_editor_open_with_the_reason(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    response = admin.post(
        reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk]),
        {"action": "promote", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": ns.to_classes["12-A"].pk, "was_to_class": abbott.to_class_id},
        **HTMX,
    )  # fmt: skip
    assert "data-row-editor" in html(response)
    assert "12-A is not a class of Grade 10" in text(response)
    abbott.refresh_from_db()
    assert abbott.to_class == ns.to_classes["10-A"]


def test_cancel_answers_the_stored_row(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    response = admin.get(reverse("academics:promotion_row", args=[run.pk, abbott.pk]), **HTMX)
    assert "Grade 10 10-A A 1 Promote Edit" in row_text(response, f"prow-{abbott.pk}")


def test_bulk_action_on_ticked_rows(admin, ns):
    run = plan(ns)
    picked = [row_of(run, s).pk for s in ns.students["11-A"][:2]]
    response = admin.post(
        reverse("academics:promotion_bulk", args=[run.pk]),
        {"op": "action", "action": "leave", "rows": picked},
        **HTMX,
    )
    assert html(response).lstrip().startswith('<section id="pr-preview"')
    assert "Set 2 students to Leave school." in text(response)
    assert "Promote 18 Retain 0 Graduate 4 Leave school 2 Total 24" in text(response)
    assert set(run.rows.filter(pk__in=picked).values_list("action", flat=True)) == {"leave"}


def test_bulk_set_class_and_its_refusals(admin, ns):
    run = plan(ns)
    bulk_url = reverse("academics:promotion_bulk", args=[run.pk])
    nine_b = [row_of(run, s).pk for s in ns.students["9-B"]]
    admin.post(bulk_url, {"op": "class", "to_class": ns.to_classes["10-A"].pk, "rows": nine_b})
    assert set(run.rows.filter(pk__in=nine_b).values_list("to_class", flat=True)) == {
        ns.to_classes["10-A"].pk
    }
    nothing = admin.post(bulk_url, {"op": "action", "action": "retain"}, follow=True)
    assert "Tick the students to change first." in text(nothing)
    wrong = admin.post(
        bulk_url, {"op": "class", "to_class": ns.to_classes["12-A"].pk, "rows": nine_b}, **HTMX
    )
    assert "12-A is not a class of Grade 10" in text(wrong)


def test_rebalance_and_discard(admin, ns):
    run = plan(ns)
    response = admin.post(reverse("academics:promotion_rebalance", args=[run.pk]), follow=True)
    assert "Sections rebalanced: everyone was already in place." in text(response)
    confirm_page = admin.get(reverse("academics:promotion_discard", args=[run.pk]))
    assert "Discard this plan?" in text(confirm_page)
    PromotionRun.objects.get(pk=run.pk)  # a GET discards nothing
    assert PromotionRun.objects.get(pk=run.pk).status == "draft"
    done = admin.post(reverse("academics:promotion_discard", args=[run.pk]), follow=True)
    assert "Discarded the plan from 2025-2026 to 2026-2027." in text(done)
    run.refresh_from_db()
    assert run.status == "discarded" and not run.rows.exists()


# --- steps 4 and 5 -----------------------------------------------------------------------------


def test_confirm_page_shows_summary_estimate_and_the_checkbox(admin, ns):
    run = plan(ns)
    response = admin.get(reverse("academics:promotion_confirm", args=[run.pk]))
    shown = text(response)
    assert "Promote 20 Retain 0 Graduate 4 Leave school 0 Total 24" in shown
    assert "Estimated time: less than a second" in shown
    assert (
        "I understand this changes 24 students' enrollments; it can be undone until "
        "attendance or bills are recorded in 2026-2027." in shown
    )


def test_humane_seconds():
    assert humane_seconds(0.3) == "less than a second"
    assert humane_seconds(1.2) == "about 1 second"
    assert humane_seconds(2.4) == "about 2 seconds"
    assert humane_seconds(600) == "about 10 minutes"


def test_execute_without_the_checkbox_changes_nothing(admin, ns):
    run = plan(ns)
    before = snapshot(ns)
    response = admin.post(reverse("academics:promotion_confirm", args=[run.pk]), {})
    assert response.status_code == 200
    assert "Tick the box to confirm that you understand the change." in text(response)
    assert snapshot(ns) == before
    run.refresh_from_db()
    assert run.status == "draft"


def test_execute_is_refused_while_an_alert_exists(admin, ns):
    run = plan(ns)
    twelfth = [row_of(run, s).pk for s in ns.students["12-A"]]
    admin.post(
        reverse("academics:promotion_bulk", args=[run.pk]),
        {"op": "action", "action": "promote", "rows": twelfth},
    )
    preview = admin.get(reverse("academics:promotion_preview", args=[run.pk]))
    assert "4 problems to resolve before executing:" in text(preview)
    assert "Pupil1 Upton: No grade after Grade 12 in Promotion High" in text(preview)
    assert 'aria-disabled="true"' in html(preview)
    assert "Resolve the problems above first." in text(preview)
    before = snapshot(ns)

    response = admin.post(
        reverse("academics:promotion_confirm", args=[run.pk]), {"understood": "on"}
    )

    assert response.status_code == 200
    assert "Nothing was changed:" in text(response)
    assert "No grade after Grade 12" in text(response)
    assert snapshot(ns) == before
    assert not PromotionLog.objects.exists()


def test_execute_is_refused_while_a_class_is_over_capacity(admin, ns):
    Section.objects.filter(school_class=ns.to_classes["10-A"]).update(capacity=2)
    run = plan(ns)
    preview = admin.get(reverse("academics:promotion_preview", args=[run.pk]))
    assert "10-A: short by 2 seats — 4 students for 2 free seats." in text(preview)
    assert "Resolve the problem above first." in text(preview)
    before = snapshot(ns)

    response = admin.post(
        reverse("academics:promotion_confirm", args=[run.pk]), {"understood": "on"}
    )

    assert "Nothing was changed:" in text(response)
    assert "10-A is 2 over capacity: 4 students for 2 free seats." in text(response)
    assert snapshot(ns) == before
    run.refresh_from_db()
    assert run.status == "draft"


def test_execute_while_another_promotion_runs_says_so(admin, ns, monkeypatch):
    run = plan(ns)
    message = (
        "Another promotion between 2025-2026 and 2026-2027 is running right now. Nothing was "
        "changed; try again when it has finished."
    )

    def busy(**kwargs):
        raise PromotionBusy(message)

    monkeypatch.setattr("academics.views.promotion.execute_promotion", busy)
    response = admin.post(
        reverse("academics:promotion_confirm", args=[run.pk]), {"understood": "on"}
    )
    assert response.status_code == 200
    assert message in text(response)
    run.refresh_from_db()
    assert run.status == "draft"


def test_the_whole_wizard_from_step_1_to_undo(admin, ns):
    # Step 1 → 2.
    step_1 = admin.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.from_year.pk, "to_year": ns.to_year.pk, "next": "1"},
    )
    # Step 2 → 3.
    step_2 = admin.post(step_1["Location"], {"mode": "automatic"})
    run = PromotionRun.objects.get()
    assert step_2["Location"] == reverse("academics:promotion_preview", args=[run.pk])
    # Step 3: retain Abbott inline, send two of 11-A away in bulk.
    abbott = row_of(run, ns.students["9-A"][0])
    admin.post(
        reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk]),
        {"action": "retain", "was_to_grade": "", "to_grade": ""},
        **HTMX,
    )
    leaving = [row_of(run, s).pk for s in ns.students["11-A"][2:]]
    admin.post(
        reverse("academics:promotion_bulk", args=[run.pk]),
        {"op": "action", "action": "leave", "rows": leaving},
    )
    # Step 4: execute.
    confirm_page = admin.get(reverse("academics:promotion_confirm", args=[run.pk]))
    assert "Promote 17 Retain 1 Graduate 4 Leave school 2 Total 24" in text(confirm_page)
    executed = admin.post(
        reverse("academics:promotion_confirm", args=[run.pk]), {"understood": "on"}, follow=True
    )
    # Step 5: the results.
    assert executed.redirect_chain[-1][0] == reverse("academics:promotion_detail", args=[run.pk])
    shown = text(executed)
    assert re.search(
        r"Promotion done: 24 students — 17 promoted, 1 retained, 4 graduated, 2 left "
        r"\(in [\d.]+ s\)",
        shown,
    )
    assert "Done: 24 students moved on to 2026-2027" in shown
    assert "Promoted 17 Retained 1 Graduated 4 Left 2 Total 24" in shown
    assert re.search(rf"Executed {ns.admin} 17 1 4 2 24 [\d.]+", shown)  # the log
    assert "Pupil1 Abbott S001 Grade 9 · 9-A · A Retain Grade 9 · 9-A · A 1 Active" in shown
    enrollments_url = reverse("academics:enrollments") + f"?year={ns.to_year.pk}&amp;run={run.pk}"
    assert f'href="{enrollments_url}"' in html(executed)
    abbott_now = Enrollment.objects.get(student=ns.students["9-A"][0], academic_year=ns.to_year)
    assert (abbott_now.grade, abbott_now.school_class) == (ns.grades[9], ns.to_classes["9-A"])
    assert Enrollment.objects.filter(academic_year=ns.to_year).count() == 18

    # The new enrollments, from the results' link.
    listing = admin.get(reverse("academics:enrollments"), {"year": ns.to_year.pk, "run": run.pk})
    assert "18 enrollments" in text(listing)
    assert (
        row_text(listing, f"enrollment-{abbott_now.pk}")
        == "Pupil1 Abbott S001 Grade 9 9-A A 1 Active"
    )

    # A second press (or another admin) can't execute it again.
    again = admin.post(
        reverse("academics:promotion_confirm", args=[run.pk]), {"understood": "on"}, follow=True
    )
    assert "This promotion was already executed; its plan can't be changed." in text(again)
    assert again.redirect_chain[-1][0] == reverse("academics:promotion_detail", args=[run.pk])
    assert Enrollment.objects.filter(academic_year=ns.to_year).count() == 18

    # Undo.
    undone = admin.post(reverse("academics:promotion_undo", args=[run.pk]), follow=True)
    assert "Promotion undone: 24 students are back in 2025-2026 as they were." in text(undone)
    assert "Undone" in text(undone)
    assert "Undo this promotion" not in text(undone)
    assert not Enrollment.objects.filter(academic_year=ns.to_year).exists()
    assert set(
        Enrollment.objects.filter(academic_year=ns.from_year).values_list("status", flat=True)
    ) == {"active"}
    assert StudentProfile.objects.filter(school=ns.school, is_active=False).count() == 0
    history = admin.get(reverse("academics:promotion_history"))
    assert "Undone" in row_text(history, f"run-{run.pk}")


def test_undo_is_refused_once_attendance_exists_in_the_new_year(admin, ns):
    run = plan(ns)
    execute_promotion(run=run, actor=ns.admin)
    abbott = row_of(run, ns.students["9-A"][0])
    AttendanceRecordFactory(
        membership=abbott.new_membership,
        subject=SubjectFactory(school=ns.school),
        date=datetime.date(2026, 9, 7),
    )

    page = admin.get(reverse("academics:promotion_detail", args=[run.pk]))
    assert "It can't be undone any more:" in text(page)
    assert "Attendance has been taken in 2026-2027 for 1 of its students (1 records)" in text(page)
    assert re.search(
        r'<button type="button" disabled[^>]*>Undo this promotion</button>', html(page)
    )

    response = admin.post(reverse("academics:promotion_undo", args=[run.pk]), follow=True)
    assert "Attendance has been taken in 2026-2027" in text(response)
    run.refresh_from_db()
    assert run.status == "executed"
    assert Enrollment.objects.filter(academic_year=ns.to_year).count() == 20


def test_a_drafts_results_page_opens_its_preview_and_an_executed_runs_steps_its_results(admin, ns):
    run = plan(ns)
    assert admin.get(reverse("academics:promotion_detail", args=[run.pk]))["Location"] == (
        reverse("academics:promotion_preview", args=[run.pk])
    )
    execute_promotion(run=run, actor=ns.admin)
    for name in ("promotion_preview", "promotion_plan", "promotion_confirm", "promotion_discard"):
        response = admin.get(reverse(f"academics:{name}", args=[run.pk]))
        assert response["Location"] == reverse("academics:promotion_detail", args=[run.pk])


# --- query counts --------------------------------------------------------------------------------


def add_students(ns, count: int, class_name: str = "9-A") -> None:
    """More students in a class of the year promoted from (roll numbers after 4)."""
    school_class = ns.from_classes[class_name]
    section = school_class.sections.get()
    for n in range(count):
        user = UserFactory(
            school=ns.school, role=Role.STUDENT, first_name=f"Extra{n}", last_name=SURNAMES[n % 24]
        )
        Enrollment.objects.create(
            school=ns.school,
            student=user.student_profile,
            academic_year=ns.from_year,
            grade=school_class.grade,
            school_class=school_class,
            section=section,
            roll_number=5 + n,
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_preview_runs_a_constant_number_of_queries(admin, ns, django_assert_num_queries):
    run = plan(ns)
    url = reverse("academics:promotion_preview", args=[run.pk])
    # session, user, the run (with years and people), the rows with everything shown, the
    # planning data (grades, classes of both years, their sections, seats taken, highest
    # roll numbers), the classes for "Set class", the user's school (top bar).
    with django_assert_num_queries(11):
        admin.get(url)
    before = count_queries(admin, url)
    add_students(ns, 30)
    plan(ns, run=run)
    assert run.rows.count() == 54
    assert count_queries(admin, url) == before


def test_history_runs_a_constant_number_of_queries(admin, ns, django_assert_num_queries):
    url = reverse("academics:promotion_history")
    run = plan(ns)
    execute_promotion(run=run, actor=ns.admin)
    # session, user, the runs (with years, people and row counts), their logs, the user's
    # school (top bar).
    with django_assert_num_queries(5):
        admin.get(url)
    for n in range(3):
        year = AcademicYearFactory(
            school=ns.school,
            name=f"20{30 + n}-20{31 + n}",
            start_date=datetime.date(2030 + n, 8, 1),
            end_date=datetime.date(2031 + n, 6, 30),
            is_current=False,
        )
        PromotionRun.objects.create(
            school=ns.school, from_year=ns.to_year, to_year=year, created_by=ns.admin,
            status=PromotionRun.Status.DISCARDED,
        )  # fmt: skip
    with django_assert_num_queries(5):
        page = admin.get(url)
    assert page.content.decode().count('<tr id="run-') == 4


def test_enrollments_list_runs_a_constant_number_of_queries(admin, ns, django_assert_num_queries):
    url = reverse("academics:enrollments") + f"?year={ns.from_year.pk}"
    # session, user, years, grades, classes of the year, count, the user's school (top bar),
    # the page of enrollments.
    with django_assert_num_queries(8):
        page = admin.get(url)
    assert "24 enrollments" in text(page)
    add_students(ns, 40)
    with django_assert_num_queries(8):
        page = admin.get(url)
    assert "64 enrollments · page 1 of 2" in text(page)
    assert page.content.decode().count('<tr id="enrollment-') == 50


def test_enrollments_list_filters(admin, ns):
    url = reverse("academics:enrollments")
    by_class = admin.get(url, {"year": ns.from_year.pk, "school_class": ns.from_classes["9-B"].pk})
    assert "4 enrollments" in text(by_class)
    assert "Evans" in text(by_class) and "Abbott" not in text(by_class)
    by_grade = admin.get(url, {"year": ns.from_year.pk, "grade": ns.grades[10].pk}, **HTMX)
    assert html(by_grade).lstrip().startswith('<section id="enrollments-table"')
    assert "8 enrollments" in text(by_grade)
    next_year = admin.get(url, {"year": ns.to_year.pk})
    assert "0 enrollments" in text(next_year)

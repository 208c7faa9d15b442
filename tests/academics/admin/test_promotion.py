"""Promotion runs and their log in the Django admin: shown, never changed, scoped, and without
a query per row."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from academics.models import (
    PromotionAction,
    PromotionLog,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    StudentProfile,
)
from academics.services.promotion import execute_promotion, plan_promotion

from .helpers import SHOWN_INLINE, change_list_rows, url

pytestmark = pytest.mark.django_db


# --- promotion runs and their log (read-only) ------------------------------------------------


def test_models_shown_inline_appear_on_their_parents_page(client, school_admin, rows, other_rows):
    client.force_login(school_admin)
    for model, (parent, inline) in SHOWN_INLINE.items():
        assert inline.model is model and inline in admin.site._registry[parent].inlines
        response = client.get(url(parent, "change", rows[parent].pk))
        assert response.status_code == 200
        shown = [
            form.instance
            for formset in response.context["inline_admin_formsets"]
            if formset.formset.model is model
            for form in formset.formset.forms
        ]
        assert shown == [rows[model]]


@pytest.fixture
def promoted(promotion_school):
    """The promotion school promoted into 2026-2027, Baker retained."""
    s = promotion_school
    baker = StudentProfile.objects.get(school=s.school, user__last_name="Baker")
    run = plan_promotion(
        school=s.school,
        from_year=s.from_year,
        to_year=s.to_year,
        mode=PromotionMode.AUTOMATIC,
        actions={baker.pk: PromotionAction.RETAIN},
        actor=s.admin,
    )
    execute_promotion(run=run, actor=s.admin)
    return s, run


@pytest.mark.parametrize("model", [PromotionRun, PromotionLog], ids=lambda m: m.__name__)
@pytest.mark.parametrize("who", ["superuser", "school's admin"])
def test_nobody_adds_changes_or_deletes_promotion_runs_or_their_log(
    client, superuser, promoted, model, who
):
    s, run = promoted
    client.force_login(superuser if who == "superuser" else s.admin)
    row = run if model is PromotionRun else run.logs.get()
    before = (
        PromotionRun.objects.count(),
        PromotionRow.objects.count(),
        PromotionLog.objects.count(),
    )

    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "add"), {}).status_code == 403
    assert client.get(url(model, "delete", row.pk)).status_code == 403
    assert client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert client.post(url(model, "change", row.pk), {"notes": "edited"}).status_code == 403

    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    assert b"delete_selected" not in listing.content
    assert f'href="{url(model, "add")}"'.encode() not in listing.content
    after = (
        PromotionRun.objects.count(),
        PromotionRow.objects.count(),
        PromotionLog.objects.count(),
    )
    assert after == before
    row.refresh_from_db()
    assert row.notes != "edited"


def test_a_run_shows_each_student_where_from_and_where_to(client, promoted):
    s, run = promoted
    client.force_login(s.admin)

    response = client.get(url(PromotionRun, "change", run.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page  # a view, not a form
    [students] = response.context["inline_admin_formsets"]
    assert len(students.formset.forms) == 24
    assert not students.has_add_permission and not students.has_delete_permission
    baker = next(f for f in students.formset.forms if f.instance.student.user.last_name == "Baker")
    assert (baker.instance.action, baker.instance.to_class) == ("retain", s.to_classes["9-A"])
    assert "Grade 9 · 9-A · A" in page  # where the 9-A students came from
    log_list = f"{url(PromotionLog, 'changelist')}?run__id__exact={run.pk}"
    assert log_list.replace("&", "&amp;") in page

    logs = client.get(log_list)
    assert [log.run for log in change_list_rows(logs)] == [run]


def test_the_run_list_counts_each_runs_students(client, promoted):
    s, run = promoted
    client.force_login(s.admin)
    listed = change_list_rows(client.get(url(PromotionRun, "changelist")))
    assert [(r.pk, r.student_count, r.status) for r in listed] == [(run.pk, 24, "executed")]


def test_a_school_admin_sees_only_their_schools_promotions(client, school_admin, rows, promoted):
    s, run = promoted
    client.force_login(s.admin)
    for model, ours in ((PromotionRun, run), (PromotionLog, run.logs.get())):
        assert change_list_rows(client.get(url(model, "changelist"))) == [ours]
    # The other school's run: neither opened nor listed among its rows.
    response = client.get(url(PromotionRun, "change", rows[PromotionRun].pk))
    assert response.status_code == 302


def count_queries(client, path: str) -> int:
    client.get(path)  # warm up: the first request also caches content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_promotion_screens_run_no_query_per_row(client, promotion_school):
    """A run of 2 students and one of 22 open with as many queries; the run and log lists
    with one run as with two."""
    s = promotion_school
    client.force_login(s.admin)

    def run_of(students):
        run = plan_promotion(
            school=s.school,
            from_year=s.from_year,
            to_year=s.to_year,
            mode=PromotionMode.MANUAL,
            filters={"students": [st.pk for st in students]},
            actor=s.admin,
        )
        execute_promotion(run=run, actor=s.admin)
        return run

    everyone = [st for group in s.students.values() for st in group]
    small = run_of(everyone[:2])
    lists = {m: count_queries(client, url(m, "changelist")) for m in (PromotionRun, PromotionLog)}
    small_page = count_queries(client, url(PromotionRun, "change", small.pk))

    large = run_of(everyone[2:])

    assert large.rows.count() == 22
    assert count_queries(client, url(PromotionRun, "change", large.pk)) == small_page
    for model, few in lists.items():
        assert count_queries(client, url(model, "changelist")) == few, model

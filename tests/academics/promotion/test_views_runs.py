"""Steps 4 and 5 of the promotion wizard through the Django client
(docs/design/promotion.md): confirm and execute, refusals, the whole wizard, results and
undo.
The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, six homeroom
classes in both years, four students per class.
"""

import datetime
import re

import pytest
from django.urls import reverse

from academics.models import (
    Enrollment,
    PromotionLog,
    PromotionRun,
    Section,
    StudentProfile,
)
from academics.services.promotion import PromotionBusy, execute_promotion
from academics.views.promotion import humane_seconds
from tests.attendance.factories import AttendanceRecordFactory

from ..factories import (
    SubjectFactory,
)
from .page_helpers import (
    HTMX,
    html,
    plan,
    row_of,
    row_text,
    snapshot,
    text,
)

pytestmark = pytest.mark.django_db


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

    monkeypatch.setattr("academics.views.promotion.runs.execute_promotion", busy)
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

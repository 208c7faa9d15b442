"""The promotion wizard, its history and the enrollments list (docs/design/promotion.md)."""

from django.urls import path

from .views import enrollments, promotion

app_name = "academics"

urlpatterns = [
    # --- promotion: history, the five steps, undo (academics/views/promotion/) ---
    path("promotion/", promotion.history, name="promotion_history"),
    path("promotion/new/", promotion.start, name="promotion_start"),
    path("promotion/new/year/", promotion.create_year, name="promotion_create_year"),
    path("promotion/new/plan/", promotion.plan_new, name="promotion_plan_new"),
    path("promotion/<int:run_id>/plan/", promotion.plan_again, name="promotion_plan"),
    path("promotion/<int:run_id>/preview/", promotion.preview, name="promotion_preview"),
    path("promotion/<int:run_id>/rows/<int:row_id>/", promotion.row, name="promotion_row"),
    path(
        "promotion/<int:run_id>/rows/<int:row_id>/edit/",
        promotion.edit_row,
        name="promotion_row_edit",
    ),
    path("promotion/<int:run_id>/bulk/", promotion.bulk, name="promotion_bulk"),
    path("promotion/<int:run_id>/rebalance/", promotion.rebalance, name="promotion_rebalance"),
    path("promotion/<int:run_id>/discard/", promotion.discard, name="promotion_discard"),
    path("promotion/<int:run_id>/confirm/", promotion.confirm, name="promotion_confirm"),
    path("promotion/<int:run_id>/", promotion.detail, name="promotion_detail"),
    path("promotion/<int:run_id>/undo/", promotion.undo, name="promotion_undo"),
    # --- enrollments (academics/views/enrollments.py) ---
    path("enrollments/", enrollments.enrollment_list, name="enrollments"),
]

"""Make-up credit pages (docs/design/credits.md)."""

from django.urls import path

from .views import lessons, reports, students

app_name = "credits"

urlpatterns = [
    # --- the student list, its selection and the dialog (credits/views/students.py) ---
    path("", students.student_list, name="students"),
    path("dialog/", students.credits_dialog, name="dialog"),
    path("set/", students.set_credits, name="set"),
    # --- a student's credits, make-up lessons and history (credits/views/lessons.py) ---
    path("students/<int:student_id>/", lessons.student_credits, name="student"),
    path("students/<int:student_id>/book/", lessons.book, name="book"),
    path("lessons/<int:lesson_id>/complete/", lessons.complete, name="complete"),
    path("lessons/<int:lesson_id>/cancel/", lessons.cancel, name="cancel"),
    path("history/<int:credit_id>/", lessons.history, name="history"),
    path("my-credits/", lessons.my_credits, name="my_credits"),
    # --- reports, export, a departed tutor's credits (credits/views/reports.py) ---
    path("reports/", reports.dashboard, name="reports"),
    path("reports/export.csv", reports.export_csv, name="reports_export"),
    path("tutors/<int:tutor_id>/clear/", reports.clear_tutor, name="clear_tutor"),
]

"""The guardian's pages (docs/manual/guardians.md)."""

from django.urls import path

from . import views

app_name = "guardians"

urlpatterns = [
    path("", views.children, name="children"),
    path("emails/", views.email_settings, name="email_settings"),
    path("<int:student_id>/", views.child, name="child"),
    path("<int:student_id>/book/", views.book, name="book"),
    path("<int:student_id>/lessons/<int:lesson_id>/cancel/", views.cancel, name="cancel"),
]

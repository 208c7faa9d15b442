"""The seed's JSON endpoints under /api/accounting/ (seed 002; billing/api.py)."""

from django.urls import path

from . import api

app_name = "billing_api"

urlpatterns = [
    path("attendance/calculate/<str:group_id>", api.calculate, name="calculate"),
    path("attendance/generate-payments", api.generate_payments, name="generate"),
    path("groups/<str:group_id>/revenue", api.group_revenue, name="revenue"),
]

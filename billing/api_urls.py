"""The seed's JSON endpoints under /api/accounting/ (docs/design/billing.md; billing/api.py).

Group ids are matched as any text so that a non-numeric id gets the API's JSON 404 rather
than Django's HTML page; so does any other path under /api/accounting/.
"""

from django.urls import path, re_path

from . import api

app_name = "billing_api"

urlpatterns = [
    path("attendance/calculate/<str:group_id>", api.calculate, name="calculate"),
    path("attendance/generate-payments", api.generate_payments, name="generate"),
    path("groups/<str:group_id>/revenue", api.group_revenue, name="revenue"),
    re_path(r"", api.not_found, name="not_found"),
]

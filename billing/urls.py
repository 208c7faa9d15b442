"""The accountant's billing pages and the student's own bills (docs/design/billing.md)."""

from django.urls import path

from .views import bills, groups

app_name = "billing"

urlpatterns = [
    # --- groups: prices, preview and generation, revenue (billing/views/groups.py) ---
    path("", groups.group_list, name="groups"),
    path("groups/<int:group_id>/price/", groups.edit_price, name="edit_price"),
    path("groups/<int:group_id>/price/row/", groups.price_row, name="price_row"),
    path("groups/<int:group_id>/", groups.group_billing, name="group"),
    path("groups/<int:group_id>/preview/", groups.preview, name="preview"),
    path("groups/<int:group_id>/generate/", groups.generate, name="generate"),
    path("groups/<int:group_id>/revenue/", groups.revenue, name="revenue"),
    # --- bills: list, exports, a bill, payments, invoice, a student's own (views/bills.py) ---
    path("bills/", bills.bill_list, name="bills"),
    path("bills/export.<str:fmt>", bills.export_bills, name="bills_export"),
    path("bills/<int:bill_id>/", bills.bill_detail, name="bill"),
    path("bills/<int:bill_id>/payments/", bills.record_payment_view, name="record_payment"),
    path(
        "bills/<int:bill_id>/payments/<int:payment_id>/void/",
        bills.void_payment_view,
        name="void_payment",
    ),
    path("bills/<int:bill_id>/refunds/", bills.refund_view, name="refund"),
    path("bills/<int:bill_id>/recalculate/", bills.recalculate, name="recalculate"),
    path("bills/<int:bill_id>/invoice/", bills.invoice, name="invoice"),
    path("my-bills/", bills.my_bills, name="my_bills"),
]

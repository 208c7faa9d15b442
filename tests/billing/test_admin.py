"""The billing admin: read-only screens of bills (with their lines and payments) and
payments, scoped to the school, without a query per row."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academics.models import Role
from attendance.models import AttendanceRecord, Status
from billing.admin import BillAdmin, BillLineInline, PaymentInline
from billing.models import Bill, BillLine, Payment, PaymentMethod
from billing.services import generate_bills, record_payment
from tests.academics.factories import SchoolFactory, StudentProfileFactory, UserFactory

from .conftest import OCTOBER, make_seed_group
from .factories import BillFactory

pytestmark = pytest.mark.django_db

SCREENS = [Bill, Payment]  # BillLine is shown inside its bill (BillLineInline)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:billing_{model._meta.model_name}_{view}", args=args)


def billed(seed):
    """Generate the seed's October bills; Ahmed pays 100 of 300, Sara all of 200."""
    generate_bills(school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=seed.accountant)
    bills = {
        b.student.user.first_name: b
        for b in Bill.objects.filter(school_class=seed.group).select_related("student__user")
    }
    today = seed.school.today()
    for name, amount in (("Ahmed", "100"), ("Sara", "200")):
        record_payment(
            bill=bills[name],
            amount=Decimal(amount),
            paid_on=today,
            method=PaymentMethod.CASH,
            received_by=seed.accountant,
            reference=f"R-{name}",
        )
    return bills


@pytest.fixture
def ours(seed):
    billed(seed)
    return seed


@pytest.fixture
def theirs(db):
    other = make_seed_group(SchoolFactory(name="Other School", code="OTH", currency="USD"))
    billed(other)
    return other


@pytest.fixture
def school_admin(seed):
    return UserFactory(school=seed.school, role=Role.ADMIN, is_staff=True, username="office")


@pytest.fixture
def superuser(db):
    return UserFactory(
        school=None, role=Role.ADMIN, is_staff=True, is_superuser=True, username="root"
    )


def rows_of(response) -> list:
    return list(response.context["cl"].result_list)


def one_row(model, school):
    if model is Payment:
        return Payment.objects.filter(bill__school=school).first()
    return model.objects.filter(school=school).first()


def test_every_billing_model_has_a_screen():
    models = {
        m for m in apps.get_app_config("billing").get_models() if not m.__name__.startswith("Hist")
    }
    registered = {m for m in models if admin.site.is_registered(m)}
    assert registered == set(SCREENS)
    assert models - registered == {BillLine}
    assert BillLineInline in BillAdmin.inlines and PaymentInline in BillAdmin.inlines


# --- every screen loads -------------------------------------------------------------------


@pytest.mark.parametrize("model", SCREENS, ids=lambda m: m.__name__)
def test_superuser_sees_every_schools_rows_and_opens_them(client, superuser, ours, theirs, model):
    client.force_login(superuser)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    listed = {row.pk for row in rows_of(listing)}
    assert {one_row(model, ours.school).pk, one_row(model, theirs.school).pk} <= listed
    assert client.get(url(model, "change", one_row(model, theirs.school).pk)).status_code == 200


@pytest.mark.parametrize("model", SCREENS, ids=lambda m: m.__name__)
def test_school_admin_sees_only_their_schools_rows(client, school_admin, ours, theirs, model):
    client.force_login(school_admin)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    listed = rows_of(listing)
    expected = Payment.objects.filter(bill__school=ours.school) if model is Payment else None
    if model is Bill:
        expected = Bill.objects.filter(school=ours.school)
    assert {row.pk for row in listed} == set(expected.values_list("pk", flat=True))
    assert client.get(url(model, "change", one_row(model, ours.school).pk)).status_code == 200

    response = client.get(url(model, "change", one_row(model, theirs.school).pk))
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_the_school_column_and_filter_are_only_for_a_superuser(
    client, school_admin, superuser, ours, theirs
):
    client.force_login(school_admin)
    page = client.get(url(Payment, "changelist")).content.decode()
    assert "bill__school__id__exact" not in page and "column-school" not in page
    client.force_login(superuser)
    page = client.get(url(Payment, "changelist")).content.decode()
    assert "bill__school__id__exact" in page and "column-school" in page


# --- read-only: the services are the only writers -----------------------------------------


@pytest.mark.parametrize("model", SCREENS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("who", ["superuser", "school_admin"])
def test_nobody_adds_changes_or_deletes_bills_or_payments(client, request, ours, model, who):
    client.force_login(request.getfixturevalue(who))
    row = one_row(model, ours.school)
    before = model.objects.count()

    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "add"), {}).status_code == 403
    assert client.get(url(model, "delete", row.pk)).status_code == 403
    assert client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    changed = client.post(url(model, "change", row.pk), {"amount": "1"})
    assert changed.status_code == 403

    listing = client.get(url(model, "changelist"))
    assert b"delete_selected" not in listing.content
    assert f'href="{url(model, "add")}"'.encode() not in listing.content
    assert model.objects.count() == before
    row.refresh_from_db()
    assert row.amount != Decimal("1")


def test_a_bill_shows_its_sessions_and_payments_read_only(client, school_admin, ours):
    bill = Bill.objects.get(student=ours.students[0])  # Ahmed: 3 sessions, paid 100
    client.force_login(school_admin)

    response = client.get(url(Bill, "change", bill.pk))

    assert response.status_code == 200
    page = response.content.decode()
    for day in ("2025-10-06", "2025-10-13", "2025-10-20"):
        assert f"<p>{day}</p>" in page
    assert "R-Ahmed" in page
    for shown in ("300.00 EGP", "100.00 EGP", "200.00 EGP"):  # amount, paid, still to pay
        assert shown in page
    assert "Overdue" in page  # October 2025 fell due at the end of November 2025
    assert 'name="_save"' not in page  # a view, not a form
    inlines = response.context["inline_admin_formsets"]
    assert [len(formset.formset.forms) for formset in inlines] == [3, 1]
    assert not any(formset.has_add_permission for formset in inlines)
    assert not any(formset.has_delete_permission for formset in inlines)


def test_status_and_needs_recalculation_are_shown_and_filter_the_list(client, school_admin, ours):
    today = ours.school.today()
    not_due = [
        BillFactory(
            school_class=ours.group,
            school=ours.school,
            student=StudentProfileFactory(school=ours.school),
            due_date=today + datetime.timedelta(days=10),
        )
        for _ in range(2)
    ]
    record_payment(
        bill=not_due[0],
        amount=Decimal("50"),
        paid_on=today,
        method=PaymentMethod.CARD,
        received_by=ours.accountant,
    )
    mohamed = Bill.objects.get(student=ours.students[2])
    AttendanceRecord.objects.filter(pk=ours.record(2, 1).pk).update(status=Status.ABSENT)
    client.force_login(school_admin)

    def listed(**filters) -> set[int]:
        return {b.pk for b in rows_of(client.get(url(Bill, "changelist"), filters))}

    bills = {b.student.user.first_name: b.pk for b in Bill.objects.select_related("student__user")}
    assert listed(status="paid") == {bills["Sara"]}
    # October 2025 fell due 30 days after the month: unpaid or part-paid, it is overdue now.
    assert listed(status="overdue") == {bills["Ahmed"], mohamed.pk}
    assert listed(status="partial") == {not_due[0].pk}
    assert listed(status="pending") == {not_due[1].pk}
    assert listed(recalculate="yes") == {mohamed.pk}

    page = client.get(url(Bill, "changelist")).content.decode()
    for label in ("Paid", "Overdue", "Partially paid", "Pending"):
        assert f'<td class="field-status_display">{label}</td>' in page
    assert "Oct 2025" in page  # a whole month shows as the month

    detail = client.get(url(Bill, "change", mohamed.pk)).content.decode()
    assert "Absent (corrected: needs recalculation)" in detail


def test_bills_are_found_by_student_or_invoice_number(client, school_admin, ours, theirs):
    client.force_login(school_admin)
    sara = Bill.objects.get(student=ours.students[1])

    by_name = rows_of(client.get(url(Bill, "changelist"), {"q": "Hassan"}))
    assert [b.pk for b in by_name] == [sara.pk]
    by_number = rows_of(client.get(url(Bill, "changelist"), {"q": sara.number}))
    assert [b.pk for b in by_number] == [sara.pk]
    other = Bill.objects.filter(school=theirs.school).first()
    assert rows_of(client.get(url(Bill, "changelist"), {"q": other.number})) == []


@pytest.mark.parametrize("term", ["9" * 5000, "INV-" + "9" * 30, "INV-" + "١٢"])
def test_an_invoice_number_search_no_bill_can_have_finds_nothing(client, school_admin, ours, term):
    client.force_login(school_admin)
    response = client.get(url(Bill, "changelist"), {"q": term})
    assert response.status_code == 200
    assert rows_of(response) == []


def test_a_bills_history_is_browsable_but_never_reverted(client, school_admin, ours, theirs):
    bill = Bill.objects.get(student=ours.students[0])
    client.force_login(school_admin)

    assert client.get(url(Bill, "history", bill.pk)).status_code == 200
    version = bill.history.first()
    revert_url = reverse("admin:billing_bill_simple_history", args=[bill.pk, version.history_id])
    assert client.post(revert_url, {"amount": "1"}).status_code == 403
    bill.refresh_from_db()
    assert bill.amount == Decimal("300")

    other = Bill.objects.filter(school=theirs.school).first()
    assert client.get(url(Bill, "history", other.pk)).status_code in (403, 404)


def test_a_principal_views_and_other_roles_get_no_admin(client, ours):
    principal = UserFactory(school=ours.school, role=Role.PRINCIPAL, is_staff=True)
    client.force_login(principal)
    assert client.get(url(Bill, "changelist")).status_code == 200
    assert client.get(url(Payment, "changelist")).status_code == 200

    accountant = ours.accountant
    accountant.is_staff = True  # even marked as staff: their pages are billing's, not the admin
    accountant.save()
    client.force_login(accountant)
    assert client.get(url(Bill, "changelist")).status_code == 403


# --- query counts ----------------------------------------------------------------------------


def add_bills(seed, count: int) -> None:
    """`count` more bills of the seed's group (other students), each with a payment."""
    for _ in range(count):
        bill = BillFactory(
            school_class=seed.group,
            school=seed.school,
            student=StudentProfileFactory(school=seed.school),
        )
        Payment.objects.create(
            bill=bill,
            amount=Decimal("10"),
            paid_on=datetime.date(2025, 11, 3),
            method=PaymentMethod.CARD,
            received_by=seed.accountant,
        )


def count_queries(client, path: str) -> int:
    client.get(path)  # warm up: the first request also caches content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", SCREENS, ids=lambda m: m.__name__)
def test_change_lists_do_not_run_a_query_per_row(
    client, school_admin, ours, model, django_assert_max_num_queries
):
    client.force_login(school_admin)
    path = url(model, "changelist")
    few = count_queries(client, path)

    add_bills(ours, 12)

    # Bills: session, user, the group filter's choices, the filtered and full counts, the
    # sidebar's permission checks, the page (student+user, group and school joined in, status
    # and needs-recalculation as subqueries), the date hierarchy. Payments alike, with the
    # bill, its student, group and school and the receiver joined in.
    with django_assert_max_num_queries(12):
        many = client.get(path)
    assert len(rows_of(many)) == (15 if model is Bill else 14)
    assert count_queries(client, path) == few


def test_a_bill_page_runs_no_query_per_session_or_payment(client, school_admin, ours):
    bill = Bill.objects.get(student=ours.students[0])
    client.force_login(school_admin)
    few = count_queries(client, url(Bill, "change", bill.pk))

    for day in range(21, 31):
        ours.mark(0, datetime.date(2025, 10, day))
    generate_bills(
        school_class=ours.group,
        start=OCTOBER[0],
        end=OCTOBER[1],
        actor=ours.accountant,  # as before: the page shows who generated and who updated
        update_existing=True,
    )
    for _ in range(3):
        record_payment(
            bill=bill,
            amount=Decimal("5"),
            paid_on=ours.school.today(),
            method=PaymentMethod.CASH,
            received_by=ours.accountant,
        )
    assert bill.lines.count() == 13

    assert count_queries(client, url(Bill, "change", bill.pk)) == few

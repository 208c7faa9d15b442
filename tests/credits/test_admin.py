"""The make-up credits admin: read-only screens of balances (with their history and
lessons), make-up lessons and the change log, scoped to the school, without a query per
row."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from academics.models import Role
from credits.admin import CreditChangeInline, MakeupCreditAdmin, MakeupLessonInline
from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.services import (
    book_makeup_lesson,
    complete_makeup_lesson,
    expire_makeup_credits,
    set_available_credits,
)
from tests.academics.factories import StudentProfileFactory, UserFactory

from .conftest import make_studio
from .factories import CreditChangeFactory, MakeupCreditFactory, MakeupLessonFactory, held

pytestmark = pytest.mark.django_db

SCREENS = [MakeupCredit, MakeupLesson, CreditChange]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:credits_{model._meta.model_name}_{view}", args=args)


def with_credits(studio):
    """Sarah: 3 with Amal, one lesson booked and completed, one booked; Omar: 2 with
    Bassem (set by the admin)."""
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=3, actor=studio.tutor_a
    )
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_b, amount=2, actor=studio.admin
    )
    soon = timezone.now() + datetime.timedelta(days=3)
    first = book_makeup_lesson(
        student=studio.sarah, tutor=studio.tutor_a, scheduled_for=soon, actor=studio.sarah.user
    )
    complete_makeup_lesson(lesson=held(first), actor=studio.tutor_a)
    book_makeup_lesson(
        student=studio.sarah, tutor=studio.tutor_a, scheduled_for=soon, actor=studio.tutor_a
    )
    return studio


@pytest.fixture
def ours(db):
    return with_credits(make_studio("Harmony Studio"))


@pytest.fixture
def theirs(db):
    return with_credits(make_studio("Other Studio"))


@pytest.fixture
def school_admin(ours):
    return UserFactory(school=ours.school, role=Role.ADMIN, is_staff=True, username="office")


@pytest.fixture
def superuser(db):
    return UserFactory(
        school=None, role=Role.ADMIN, is_staff=True, is_superuser=True, username="root"
    )


def rows_of(response) -> list:
    return list(response.context["cl"].result_list)


def test_every_credits_model_has_a_screen():
    models = set(apps.get_app_config("credits").get_models())
    assert {m for m in models if admin.site.is_registered(m)} == set(SCREENS)
    assert MakeupCreditAdmin.inlines == (CreditChangeInline, MakeupLessonInline)


# --- every screen loads -------------------------------------------------------------------


@pytest.mark.parametrize("model", SCREENS, ids=lambda m: m.__name__)
def test_superuser_sees_every_schools_rows_and_opens_them(client, superuser, ours, theirs, model):
    client.force_login(superuser)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    listed = {row.pk for row in rows_of(listing)}
    assert set(model.objects.values_list("pk", flat=True)) == listed
    for row in model.objects.filter(school=theirs.school):
        assert client.get(url(model, "change", row.pk)).status_code == 200


@pytest.mark.parametrize("model", SCREENS, ids=lambda m: m.__name__)
def test_school_admin_sees_only_their_schools_rows(client, school_admin, ours, theirs, model):
    client.force_login(school_admin)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    expected = model.objects.filter(school=ours.school).values_list("pk", flat=True)
    assert {row.pk for row in rows_of(listing)} == set(expected)
    assert client.get(url(model, "change", expected[0])).status_code == 200

    other = model.objects.filter(school=theirs.school).first()
    response = client.get(url(model, "change", other.pk))
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_the_school_column_and_filter_are_only_for_a_superuser(
    client, school_admin, superuser, ours, theirs
):
    client.force_login(school_admin)
    page = client.get(url(MakeupCredit, "changelist")).content.decode()
    assert "school__id__exact" not in page and "column-school" not in page
    client.force_login(superuser)
    page = client.get(url(MakeupCredit, "changelist")).content.decode()
    assert "school__id__exact" in page and "column-school" in page


def test_the_balance_list_shows_each_pairs_balances_and_who_set_them(client, school_admin, ours):
    client.force_login(school_admin)
    response = client.get(url(MakeupCredit, "changelist"))
    page = response.content.decode()

    sarah_a = MakeupCredit.objects.get(student=ours.sarah, tutor=ours.tutor_a)
    assert (sarah_a.available, sarah_a.booked, sarah_a.used, sarah_a.total) == (1, 1, 1, 3)
    for column in ("student", "tutor_display", "available", "booked", "used", "total_display"):
        assert f"column-{column}" in page
    assert "column-updated_at" in page and "column-updated_by_display" in page
    assert '<td class="field-total_display">3</td>' in page
    assert '<td class="field-updated_by_display">Amal Adel</td>' in page
    assert '<td class="field-updated_by_display">Adam Admin</td>' in page


def test_a_balance_shows_its_history_and_lessons_read_only(client, school_admin, ours):
    credit = MakeupCredit.objects.get(student=ours.sarah, tutor=ours.tutor_a)
    client.force_login(school_admin)

    response = client.get(url(MakeupCredit, "change", credit.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page  # a view, not a form
    inlines = response.context["inline_admin_formsets"]
    # set, booked, completed, booked; two lessons
    assert [len(formset.formset.forms) for formset in inlines] == [4, 2]
    assert not any(formset.has_add_permission for formset in inlines)
    assert not any(formset.has_delete_permission for formset in inlines)
    assert "Lesson completed" in page and "Sarah Samir" in page


def test_expiry_shows_as_by_system(client, school_admin, ours):
    ours.school.makeup_credit_expiry_days = 1
    ours.school.save()
    expire_makeup_credits(school=ours.school, now=timezone.now() + datetime.timedelta(days=5))
    client.force_login(school_admin)

    page = client.get(url(CreditChange, "changelist"), {"kind": "expired"}).content.decode()

    assert '<td class="field-changed_by_display">System</td>' in page
    assert '<td class="field-delta_display">-1</td>' in page  # Sarah/Amal: 1 → 0


def test_a_departed_tutor_is_marked_and_filterable(client, school_admin, ours):
    ours.tutor_b.is_active = False
    ours.tutor_b.save()
    client.force_login(school_admin)

    listing = client.get(url(MakeupCredit, "changelist"), {"tutor_left": "yes"})

    assert [(r.student, r.tutor) for r in rows_of(listing)] == [(ours.sarah, ours.tutor_b)]
    assert "Bassem Badr (left)" in listing.content.decode()


def test_the_tutor_filter_offers_tutors_not_every_user(client, school_admin, ours, theirs):
    client.force_login(school_admin)

    response = client.get(url(CreditChange, "changelist"))

    page = response.content.decode()
    assert f"?tutor={ours.tutor_a.pk}" in page and f"?tutor={ours.tutor_b.pk}" in page
    assert f"?tutor={ours.sarah.user.pk}" not in page  # a student is not a tutor
    assert f"?tutor={theirs.tutor_a.pk}" not in page  # another school's
    only_b = rows_of(client.get(url(CreditChange, "changelist"), {"tutor": ours.tutor_b.pk}))
    assert {c.tutor for c in only_b} == {ours.tutor_b}


def test_balances_are_found_by_student_or_tutor(client, school_admin, ours, theirs):
    client.force_login(school_admin)
    by_student = rows_of(client.get(url(MakeupCredit, "changelist"), {"q": "Samir"}))
    assert {(c.student, c.tutor) for c in by_student} == {
        (ours.sarah, ours.tutor_a),
        (ours.sarah, ours.tutor_b),
    }
    by_tutor = rows_of(client.get(url(MakeupCredit, "changelist"), {"q": "Badr"}))
    assert [(c.student, c.tutor) for c in by_tutor] == [(ours.sarah, ours.tutor_b)]


# --- read-only: the services are the only writers -----------------------------------------


@pytest.mark.parametrize("model", SCREENS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("who", ["superuser", "school_admin"])
def test_nobody_adds_changes_or_deletes_credits(client, request, ours, model, who):
    client.force_login(request.getfixturevalue(who))
    row = model.objects.filter(school=ours.school).first()
    before = model.objects.count()
    balances = list(MakeupCredit.objects.order_by("pk").values_list("available", "booked", "used"))

    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "add"), {}).status_code == 403
    assert client.get(url(model, "delete", row.pk)).status_code == 403
    assert client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    changed = client.post(url(model, "change", row.pk), {"available": "99", "note": "x"})
    assert changed.status_code == 403

    listing = client.get(url(model, "changelist"))
    assert b"delete_selected" not in listing.content
    assert f'href="{url(model, "add")}"'.encode() not in listing.content
    assert model.objects.count() == before
    after = list(MakeupCredit.objects.order_by("pk").values_list("available", "booked", "used"))
    assert after == balances


def test_a_principal_views_and_other_roles_get_no_admin(client, ours):
    principal = UserFactory(school=ours.school, role=Role.PRINCIPAL, is_staff=True)
    client.force_login(principal)
    for model in SCREENS:
        assert client.get(url(model, "changelist")).status_code == 200

    tutor = ours.tutor_a
    tutor.is_staff = True  # even marked as staff: a tutor's pages are the credit screens
    tutor.save()
    client.force_login(tutor)
    assert client.get(url(MakeupCredit, "changelist")).status_code == 403


def test_the_school_admin_shows_the_expiry_setting(client, school_admin, ours):
    client.force_login(school_admin)
    response = client.get(reverse("admin:academics_school_change", args=[ours.school.pk]))
    assert 'name="makeup_credit_expiry_days"' in response.content.decode()


# --- query counts ----------------------------------------------------------------------------


def add_pairs(studio, count: int) -> None:
    """`count` more students with credits with each tutor, one lesson booked each: 2 set,
    then 1 booked, with the two lines of history (built directly: the screens only read)."""
    for _ in range(count):
        student = StudentProfileFactory(school=studio.school)
        for tutor in (studio.tutor_a, studio.tutor_b):
            credit = MakeupCreditFactory(student=student, tutor=tutor, available=1, booked=1)
            lesson = MakeupLessonFactory(credit=credit)
            CreditChangeFactory(credit=credit, new_available=2, booked_after=0)
            CreditChangeFactory(
                credit=credit,
                kind=CreditChange.Kind.BOOKED,
                previous_available=2,
                lesson=lesson,
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

    add_pairs(ours, 6)

    # session, user, the tutor filter's tutors, the filtered and full counts, the
    # sidebar's two permission checks, the page (student and user, tutor, who and school
    # joined in), the date hierarchy's range and its days
    with django_assert_max_num_queries(10):
        many = client.get(path)
    assert len(rows_of(many)) == model.objects.filter(school=ours.school).count()
    assert len(rows_of(many)) >= 12
    assert count_queries(client, path) == few


def test_a_balance_page_runs_no_query_per_change_or_lesson(client, school_admin, ours):
    credit = MakeupCredit.objects.get(student=ours.sarah, tutor=ours.tutor_a)
    client.force_login(school_admin)
    path = url(MakeupCredit, "change", credit.pk)
    few = count_queries(client, path)

    soon = timezone.now() + datetime.timedelta(days=3)
    set_available_credits(students=[ours.sarah], tutor=ours.tutor_a, amount=5, actor=ours.admin)
    for _ in range(4):
        lesson = book_makeup_lesson(
            student=ours.sarah, tutor=ours.tutor_a, scheduled_for=soon, actor=ours.tutor_a
        )
        complete_makeup_lesson(lesson=held(lesson), actor=ours.tutor_a)
    assert credit.changes.count() == 13 and credit.lessons.count() == 6

    assert count_queries(client, path) == few

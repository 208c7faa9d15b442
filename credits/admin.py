"""Django admin for make-up credits (docs/design/credits.md): balances, make-up lessons and the
change log, read-only.

Every balance moves only through `credits.services` (a set under row locks, a booking, a
completion, a cancellation, expiry, clearing a departed tutor), each move logged; an edit
here would skip the lock and the log. So the admin views and changes nothing — no add,
change or delete, not even for a superuser. Credits are set in the "Make-Up Credits"
dialog, lessons booked from the student's credit page, a departed tutor's credits cleared
from the credit reports.

Scoped like the rest of the admin (`academics.admin.SchoolScopedAdmin`): a school's admin
and principal see their school's rows; a superuser sees every school's, with a school
column and filter.
"""

from __future__ import annotations

from django.contrib import admin

from academics.admin import (
    STUDENT_SEARCH,
    ReadOnlyAdminMixin,
    SchoolScopedAdmin,
    SchoolScopedInline,
)
from academics.models import User
from academics.validators import parse_id

from .models import CreditChange, MakeupCredit, MakeupLesson

TUTOR_SEARCH = ("tutor__first_name", "tutor__last_name", "tutor__username")


def who(user) -> str:
    """A change's author; "System" for expiry (no user)."""
    return str(user) if user is not None else "System"


class HoldsCreditsFilter(admin.SimpleListFilter):
    """Pairs that still owe something (available or booked) or are settled."""

    title = "unused credits"
    parameter_name = "unused"

    def lookups(self, request, model_admin):
        return [("yes", "Some available or booked"), ("no", "None")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(available=0, booked=0)
        if self.value() == "no":
            return queryset.filter(available=0, booked=0)
        return queryset


class TutorFilter(admin.SimpleListFilter):
    """The tutors who appear in this list (not every user of the school: a related-field
    filter on `tutor` would offer the students too). One query."""

    title = "tutor"
    parameter_name = "tutor"

    def lookups(self, request, model_admin):
        tutor_ids = model_admin.get_queryset(request).order_by().values("tutor_id")
        tutors = User.objects.filter(pk__in=tutor_ids).order_by("last_name", "first_name", "pk")
        return [(str(t.pk), str(t) if t.is_active else f"{t} (left)") for t in tutors]

    def queryset(self, request, queryset):
        if (tutor_id := parse_id(self.value())) is not None:
            return queryset.filter(tutor_id=tutor_id)
        return queryset


class TutorActiveFilter(admin.SimpleListFilter):
    """Tutors who have left (deactivated): their credits stay as liability
    (docs/design/credits.md)."""

    title = "tutor status"
    parameter_name = "tutor_left"

    def lookups(self, request, model_admin):
        return [("no", "Still teaching"), ("yes", "Has left")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(tutor__is_active=False)
        if self.value() == "no":
            return queryset.filter(tutor__is_active=True)
        return queryset


class CreditChangeInline(ReadOnlyAdminMixin, SchoolScopedInline, admin.TabularInline):
    """The pair's history (docs/design/credits.md, "Credit History Per Student-Tutor Pair")."""

    model = CreditChange
    fk_name = "credit"
    fields = (
        "changed_at",
        "kind",
        "previous_available",
        "new_available",
        "booked_after",
        "used_after",
        "changed_by_display",
        "note",
    )
    readonly_fields = fields
    show_change_link = False
    ordering = ("-changed_at", "-pk")
    verbose_name = "change"
    verbose_name_plural = "history"

    def get_queryset(self, request):
        # The credit too: each row's heading is the change's str(), which names the pair.
        return (
            super()
            .get_queryset(request)
            .select_related("changed_by", "student__user", "tutor", "credit")
        )

    @admin.display(description="by")
    def changed_by_display(self, change: CreditChange) -> str:
        return who(change.changed_by)


class MakeupLessonInline(ReadOnlyAdminMixin, SchoolScopedInline, admin.TabularInline):
    model = MakeupLesson
    fk_name = "credit"
    fields = ("scheduled_for", "status", "booked_at", "booked_by", "finished_at", "finished_by")
    readonly_fields = fields
    ordering = ("-scheduled_for", "-pk")
    verbose_name_plural = "make-up lessons"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("booked_by", "finished_by", "student__user", "tutor")
        )


@admin.register(MakeupCredit)
class MakeupCreditAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """Each student–tutor pair's balance (StudentTutorCredit in docs/design/credits.md), with
    its history and make-up lessons."""

    list_display = (
        "student",
        "tutor_display",
        "available",
        "booked",
        "used",
        "total_display",
        "updated_at",
        "updated_by_display",
        "school",
    )
    list_filter = (HoldsCreditsFilter, TutorActiveFilter, TutorFilter, "school")
    list_select_related = ("student__user", "tutor", "updated_by", "school")
    search_fields = (*STUDENT_SEARCH, *TUTOR_SEARCH)
    search_help_text = "A student's name, username or number, or a tutor's name or username."
    ordering = ("student__user__last_name", "student__user__first_name", "tutor__last_name", "pk")
    fields = (
        "school",
        "student",
        "tutor",
        ("available", "booked", "used", "total_display"),
        "available_since",
        "updated_at",
        "updated_by_display",
    )
    readonly_fields = ("total_display", "updated_at", "updated_by_display")
    inlines = (CreditChangeInline, MakeupLessonInline)

    @admin.display(description="tutor", ordering="tutor__last_name")
    def tutor_display(self, credit: MakeupCredit) -> str:
        return str(credit.tutor) if credit.tutor.is_active else f"{credit.tutor} (left)"

    @admin.display(description="total")
    def total_display(self, credit: MakeupCredit) -> int:
        return credit.total

    @admin.display(description="updated by", ordering="updated_by__last_name")
    def updated_by_display(self, credit: MakeupCredit) -> str:
        return who(credit.updated_by)


@admin.register(MakeupLesson)
class MakeupLessonAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """Booked make-up sessions (Event in docs/design/credits.md) and what became of them."""

    list_display = (
        "scheduled_for",
        "student",
        "tutor",
        "status",
        "booked_at",
        "booked_by",
        "finished_at",
        "finished_by",
        "school",
    )
    list_filter = ("status", TutorFilter, "school")
    list_select_related = ("student__user", "tutor", "booked_by", "finished_by", "school")
    search_fields = (*STUDENT_SEARCH, *TUTOR_SEARCH)
    date_hierarchy = "scheduled_for"
    ordering = ("-scheduled_for", "-pk")
    fields = (
        "school",
        "student",
        "tutor",
        "scheduled_for",
        "status",
        "note",
        "credit_set_at",
        ("booked_at", "booked_by"),
        ("finished_at", "finished_by"),
    )
    readonly_fields = ("booked_at",)


@admin.register(CreditChange)
class CreditChangeAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """The change log (docs/design/credits.md, "Audit Trail"): every set, booking, completion,
    cancellation, expiry and clearing, with who, when and the balances after."""

    list_display = (
        "changed_at",
        "student",
        "tutor",
        "kind",
        "previous_available",
        "new_available",
        "delta_display",
        "booked_after",
        "used_after",
        "changed_by_display",
        "note",
        "school",
    )
    list_filter = ("kind", TutorFilter, "school")
    list_select_related = ("student__user", "tutor", "changed_by", "school")
    search_fields = (*STUDENT_SEARCH, *TUTOR_SEARCH, "note")
    date_hierarchy = "changed_at"
    ordering = ("-changed_at", "-pk")
    fields = (
        "school",
        "credit",
        "student",
        "tutor",
        "kind",
        ("previous_available", "new_available", "delta_display"),
        ("booked_after", "used_after", "total_after_display"),
        "lesson",
        "changed_by_display",
        "changed_at",
        "note",
    )
    readonly_fields = ("delta_display", "total_after_display", "changed_by_display")

    @admin.display(description="change")
    def delta_display(self, change: CreditChange) -> str:
        return f"{change.delta:+d}" if change.delta else "0"

    @admin.display(description="total after")
    def total_after_display(self, change: CreditChange) -> int:
        return change.total_after

    @admin.display(description="by", ordering="changed_by__last_name")
    def changed_by_display(self, change: CreditChange) -> str:
        return who(change.changed_by)

"""Django admin for the school structure and people, and the school scoping every app reuses.

Who may do what in the admin (DOMAIN.md, "People and roles"):

- a superuser: everything, in every school, and picks the school of each row;
- a school's admin (role admin, `is_staff`): views, adds, changes and deletes the rows of
  their own school — granted by role, so no per-model permission rows are needed; the
  `school` field is set for them and hidden, and every choice list offers only their
  school's rows;
- a school's principal (with `is_staff`): views the school's rows, changes nothing;
- anyone else: no admin access, whatever permission rows they hold.

Another school's row is never listed, offered or opened: the change view of one answers as
for a missing object (redirect to the admin index), because every queryset is scoped.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import models
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    AcademicYear,
    Enrollment,
    Grade,
    Holiday,
    Membership,
    PromotionLog,
    PromotionRow,
    PromotionRun,
    Role,
    School,
    SchoolClass,
    Section,
    StaffProfile,
    Stamped,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)

STAMP_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")

# What a signed-in user may do in the admin; see the module docstring.
ACCESS_ALL = "all"
ACCESS_EDIT = "edit"
ACCESS_VIEW = "view"


def admin_access(user) -> str:
    """The user's admin access: ACCESS_ALL, ACCESS_EDIT, ACCESS_VIEW or "" (none)."""
    if not user.is_active or not user.is_authenticated:
        return ""
    if user.is_superuser:
        return ACCESS_ALL
    if not user.is_staff or user.school_id is None:
        return ""
    if user.role == Role.ADMIN:
        return ACCESS_EDIT
    if user.role == Role.PRINCIPAL:
        return ACCESS_VIEW
    return ""


def scoped_school_id(user) -> int | None:
    """The school a non-superuser's admin is confined to; None for a superuser."""
    return None if user.is_superuser else user.school_id


def school_choices(model: type[models.Model], school_id: int) -> models.QuerySet | None:
    """`model`'s rows belonging to school `school_id`, or None if `model` has no school."""
    if model is School:
        return School.objects.filter(pk=school_id)
    if any(f.name == "school" for f in model._meta.get_fields()):
        return model._default_manager.filter(school_id=school_id)
    return None


def school_id_of(obj: models.Model) -> int | None:
    return obj.pk if isinstance(obj, School) else getattr(obj, "school_id", None)


def stamp(obj: models.Model, user: User) -> None:
    """Fill created_by (on the first save) and updated_by of a `Stamped` row."""
    if not isinstance(obj, Stamped):
        return
    if obj._state.adding:
        obj.created_by = user
    obj.updated_by = user


class SchoolRelatedFilter(admin.RelatedFieldListFilter):
    """A foreign-key filter that offers a school admin only their school's rows."""

    def field_choices(self, field, request, model_admin):
        school_id = scoped_school_id(request.user)
        choices = None if school_id is None else school_choices(field.related_model, school_id)
        if choices is None:
            return super().field_choices(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in choices]


def by_school(field_name: str) -> tuple[str, type[admin.ListFilter]]:
    """`list_filter` entry for a foreign key whose choices must stay inside the school."""
    return (field_name, SchoolRelatedFilter)


class SchoolScopedForm(forms.ModelForm):
    """Refuses a row that points at another school's rows (a superuser picks freely)."""

    def clean(self):
        cleaned = super().clean()
        school = cleaned.get("school") if "school" in self.fields else None
        school_id = school.pk if school is not None else getattr(self.instance, "school_id", None)
        if school_id is None:
            return cleaned
        for name, value in list(cleaned.items()):
            owner = getattr(value, "school_id", None) if isinstance(value, models.Model) else None
            if owner is not None and owner != school_id and name in self.fields:
                self.add_error(name, "This belongs to another school.")
        return cleaned


class SchoolScopedMixin:
    """Scopes a ModelAdmin or inline to the signed-in user's school (module docstring).

    `school_lookup` is the queryset lookup from the model to its School.
    """

    school_lookup = "school"

    # --- who may do what -------------------------------------------------------------
    def _owns(self, request: HttpRequest, obj) -> bool:
        return obj is None or school_id_of(obj) == request.user.school_id

    def has_module_permission(self, request):
        access = admin_access(request.user)
        if access == ACCESS_ALL:
            return super().has_module_permission(request)
        return access in (ACCESS_EDIT, ACCESS_VIEW)

    def has_view_permission(self, request, obj=None):
        access = admin_access(request.user)
        if access == ACCESS_ALL:
            return super().has_view_permission(request, obj)
        return access in (ACCESS_EDIT, ACCESS_VIEW) and self._owns(request, obj)

    def has_add_permission(self, request, obj=None):
        access = admin_access(request.user)
        if access == ACCESS_ALL:
            # ModelAdmin's takes no obj; an inline's takes the parent.
            args = (request,) if isinstance(self, admin.ModelAdmin) else (request, obj)
            return super().has_add_permission(*args)
        return access == ACCESS_EDIT and self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        access = admin_access(request.user)
        if access == ACCESS_ALL:
            return super().has_change_permission(request, obj)
        return access == ACCESS_EDIT and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        access = admin_access(request.user)
        if access == ACCESS_ALL:
            return super().has_delete_permission(request, obj)
        return access == ACCESS_EDIT and self._owns(request, obj)

    # --- what they see -----------------------------------------------------------------
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        access = admin_access(request.user)
        if access == ACCESS_ALL:
            return queryset
        if access in (ACCESS_EDIT, ACCESS_VIEW):
            return queryset.filter(**{self.school_lookup: request.user.school_id})
        return queryset.none()

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if scoped_school_id(request.user) is None:
            return columns
        return [c for c in columns if c != "school"]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if scoped_school_id(request.user) is None:
            return filters
        return [f for f in filters if f != "school" and not _is_filter_on(f, "school")]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if issubclass(self.model, Stamped):
            fields += tuple(f for f in STAMP_FIELDS if f not in fields)
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        school_id = scoped_school_id(request.user)
        if school_id is not None:
            choices = school_choices(db_field.related_model, school_id)
            if choices is not None:
                kwargs["queryset"] = choices
            if db_field.name == "school":
                # Disabled: the posted value is ignored and the user's school is used, while
                # the school still takes part in the unique checks of the form.
                kwargs.update(widget=forms.HiddenInput, initial=school_id, disabled=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        school_id = scoped_school_id(request.user)
        if school_id is not None:
            choices = school_choices(db_field.related_model, school_id)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- writes ------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        school_id = scoped_school_id(request.user)
        if school_id is not None and self.school_lookup == "school":
            obj.school_id = school_id
        stamp(obj, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        parent_school_id = school_id_of(form.instance)
        for obj in formset.save(commit=False):
            if hasattr(obj, "school_id") and not isinstance(obj, School):
                obj.school_id = parent_school_id
            stamp(obj, request.user)
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


def _is_filter_on(entry, field_name: str) -> bool:
    return isinstance(entry, tuple) and entry[0] == field_name


class SchoolScopedAdmin(SchoolScopedMixin, admin.ModelAdmin):
    """The base of every Rollbook ModelAdmin: school scoping, stamps, role permissions."""

    form = SchoolScopedForm
    list_per_page = 50


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes here: the app's services are the only writers
    (bills and payments, make-up credits and their log)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SchoolScopedInline(SchoolScopedMixin):
    """Inline rows take the parent's school (set in the parent admin's save_formset)."""

    exclude = ("school",)
    extra = 0
    show_change_link = True


class TermInline(SchoolScopedInline, admin.TabularInline):
    model = Term
    fields = ("name", "start_date", "end_date", "source_id")


class SectionInline(SchoolScopedInline, admin.TabularInline):
    model = Section
    fields = ("name", "capacity", "is_active")


# --- people ------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(SchoolScopedMixin, DjangoUserAdmin):
    form = UserChangeForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "school",
        "is_staff",
        "is_active",
    )
    list_filter = ("role", "school", "is_staff", "is_active", "is_superuser")
    list_select_related = ("school",)
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("last_name", "first_name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("School", {"fields": ("school", "role")}),
        *DjangoUserAdmin.fieldsets[1:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("School", {"fields": ("school", "role", "first_name", "last_name", "email")}),
    )
    # Only a superuser may hand out superuser status or Django permissions.
    superuser_only_fields = ("is_superuser", "groups", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.superuser_only_fields],
                },
            )
            for name, options in fieldsets
        ]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [f for f in filters if f not in self.superuser_only_fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(is_superuser=False)


class ProfileAdmin(SchoolScopedAdmin):
    list_select_related = ("user", "school")
    autocomplete_fields = ("user",)

    @admin.display(description="username", ordering="user__username")
    def username(self, profile) -> str:
        return profile.user.username


@admin.register(StudentProfile)
class StudentProfileAdmin(ProfileAdmin):
    list_display = ("__str__", "username", "student_number", "date_of_birth", "is_active", "school")
    list_filter = ("is_active", "school")
    search_fields = (
        "user__first_name",
        "user__last_name",
        "user__username",
        "student_number",
        "source_id",
    )


@admin.register(StaffProfile)
class StaffProfileAdmin(ProfileAdmin):
    list_display = ("__str__", "username", "title", "department", "employee_number", "school")
    list_filter = ("department", "school")
    search_fields = (
        "user__first_name",
        "user__last_name",
        "user__username",
        "title",
        "department",
        "employee_number",
        "source_id",
    )


# --- school structure --------------------------------------------------------------------


@admin.register(School)
class SchoolAdmin(SchoolScopedAdmin):
    school_lookup = "pk"
    list_display = ("name", "code", "currency", "timezone", "low_grade", "high_grade")
    list_filter = ("currency", "timezone")
    search_fields = ("name", "code", "source_id")

    # A school admin runs their own school; only a superuser creates or removes schools.
    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(AcademicYear)
class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ("name", "start_date", "end_date", "is_current", "is_active", "school")
    list_filter = ("is_current", "is_active", "school")
    list_select_related = ("school",)
    search_fields = ("name", "source_id")
    date_hierarchy = "start_date"
    inlines = (TermInline,)


@admin.register(Term)
class TermAdmin(SchoolScopedAdmin):
    list_display = ("name", "academic_year", "start_date", "end_date", "school")
    list_filter = (by_school("academic_year"), "school")
    list_select_related = ("academic_year", "school")
    search_fields = ("name", "academic_year__name", "source_id")
    autocomplete_fields = ("academic_year",)
    date_hierarchy = "start_date"


@admin.register(Grade)
class GradeAdmin(SchoolScopedAdmin):
    list_display = ("name", "level", "school")
    list_filter = ("school",)
    list_select_related = ("school",)
    search_fields = ("name",)
    ordering = ("school__name", "level")


@admin.register(Subject)
class SubjectAdmin(SchoolScopedAdmin):
    list_display = ("name", "code", "school")
    list_filter = ("school",)
    list_select_related = ("school",)
    search_fields = ("name", "code")


@admin.register(SchoolClass)
class SchoolClassAdmin(SchoolScopedAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "grade",
        "subject",
        "academic_year",
        "advisor",
        "price_per_session",
        "is_active",
        "school",
    )
    list_filter = (
        "kind",
        "is_active",
        by_school("academic_year"),
        by_school("grade"),
        by_school("subject"),
        "school",
    )
    list_select_related = ("grade", "subject", "academic_year", "advisor", "school")
    search_fields = ("name", "code", "source_id", "subject__name")
    autocomplete_fields = ("academic_year", "term", "grade", "subject", "advisor")
    inlines = (SectionInline,)


@admin.register(Section)
class SectionAdmin(SchoolScopedAdmin):
    list_display = ("name", "school_class", "capacity", "is_active", "school")
    list_filter = ("is_active", "school")
    list_select_related = ("school_class", "school")
    search_fields = ("name", "school_class__name", "school_class__code")
    autocomplete_fields = ("school_class",)


# --- placements and timetable ------------------------------------------------------------

STUDENT_SEARCH = (
    "student__user__first_name",
    "student__user__last_name",
    "student__user__username",
    "student__student_number",
)


@admin.register(Enrollment)
class EnrollmentAdmin(SchoolScopedAdmin):
    list_display = (
        "student",
        "academic_year",
        "grade",
        "school_class",
        "section",
        "roll_number",
        "status",
        "enrollment_date",
        "school",
    )
    list_filter = ("status", by_school("academic_year"), by_school("grade"), "school")
    list_select_related = (
        "student__user",
        "academic_year",
        "grade",
        "school_class",
        "section__school_class",
        "school",
    )
    search_fields = (*STUDENT_SEARCH, "school_class__name")
    autocomplete_fields = ("student", "academic_year", "grade", "school_class", "section")
    date_hierarchy = "enrollment_date"


class CurrentMembershipFilter(admin.SimpleListFilter):
    title = "membership"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "Current"), ("no", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(left_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(left_on__isnull=False)
        return queryset


@admin.register(Membership)
class MembershipAdmin(SchoolScopedAdmin):
    list_display = ("student", "school_class", "joined_on", "left_on", "school")
    list_filter = (CurrentMembershipFilter, "school")
    list_select_related = ("student__user", "school_class", "school")
    search_fields = (*STUDENT_SEARCH, "school_class__name", "school_class__code")
    autocomplete_fields = ("student", "school_class")
    date_hierarchy = "joined_on"


@admin.register(TimetableSlot)
class TimetableSlotAdmin(SchoolScopedAdmin):
    list_display = (
        "school_class",
        "subject",
        "teacher",
        "weekday",
        "period_number",
        "valid_from",
        "valid_to",
        "school",
    )
    list_filter = ("weekday", "period_number", by_school("subject"), "school")
    list_select_related = ("school_class", "subject", "teacher", "school")
    search_fields = (
        "school_class__name",
        "school_class__code",
        "subject__name",
        "teacher__first_name",
        "teacher__last_name",
        "teacher__username",
    )
    autocomplete_fields = ("school_class", "subject", "teacher")
    ordering = ("school_class__name", "weekday", "period_number")


@admin.register(Holiday)
class HolidayAdmin(SchoolScopedAdmin):
    list_display = ("name", "start_date", "end_date", "school")
    list_filter = ("school",)
    list_select_related = ("school",)
    search_fields = ("name",)
    date_hierarchy = "start_date"


# --- promotion (seed 004; issue 7) --------------------------------------------------------
# Runs, their rows and the log are written only by `academics.services.promotion` (the
# wizard and `manage.py promote_students`): the admin shows them and changes nothing.


class PromotionRowInline(ReadOnlyAdminMixin, SchoolScopedInline, admin.TabularInline):
    """One line per student: where from, where to, what happened (the run's plan, and after
    execution what undo will restore)."""

    model = PromotionRow
    school_lookup = "run__school"
    exclude = ()
    fields = (
        "student",
        "action",
        "from_place",
        "to_grade",
        "to_class",
        "to_section",
        "roll_number",
        "alert",
        "warning",
        "notes",
        "previous_status",
    )
    readonly_fields = fields
    show_change_link = False
    verbose_name = "student"
    verbose_name_plural = "students"

    def get_queryset(self, request):
        # The run too: each row's heading is the row's str(), and scoping reads the run.
        return (
            super()
            .get_queryset(request)
            .select_related(
                "run",
                "student__user",
                "from_enrollment__grade",
                "from_enrollment__school_class",
                "from_enrollment__section",
                "to_grade",
                "to_class",
                "to_section__school_class",  # a section reads "10-A – A"
            )
        )

    @admin.display(description="from")
    def from_place(self, row: PromotionRow) -> str:
        enrollment = row.from_enrollment
        parts = [str(enrollment.grade), str(enrollment.school_class or "")]
        if enrollment.section:
            parts.append(enrollment.section.name)
        return " · ".join(p for p in parts if p)


@admin.register(PromotionRun)
class PromotionRunAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """Promotion runs (issue 7): drafts being planned, executed, undone and discarded
    ones, each with its students and a link to its log entries."""

    list_display = (
        "__str__",
        "status",
        "mode",
        "from_year",
        "to_year",
        "students",
        "created_by",
        "executed_at",
        "executed_by",
        "reverted_at",
        "school",
    )
    list_filter = ("status", "mode", by_school("from_year"), by_school("to_year"), "school")
    list_select_related = ("from_year", "to_year", "created_by", "executed_by", "school")
    date_hierarchy = "created_at"
    fields = (
        "school",
        ("from_year", "to_year"),
        ("mode", "status"),
        "filters",
        "notes",
        "log_link",
        ("created_by", "created_at"),
        ("executed_by", "executed_at"),
        ("reverted_by", "reverted_at"),
        ("updated_by", "updated_at"),
    )
    readonly_fields = ("log_link",)
    inlines = (PromotionRowInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(student_count=Count("rows"))

    @admin.display(description="students", ordering="student_count")
    def students(self, run: PromotionRun) -> int:
        return run.student_count

    @admin.display(description="log")
    def log_link(self, run: PromotionRun) -> str:
        if run.pk is None:
            return "—"
        url = reverse("admin:academics_promotionlog_changelist")
        link = '<a href="{}?run__id__exact={}">Log entries of this run</a>'
        return format_html(link, url, run.pk)


@admin.register(PromotionLog)
class PromotionLogAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """The promotion audit log (seed 004, 1.4): one entry per execution and per undo, with
    who, when, the counts and how long it took."""

    list_display = (
        "created_at",
        "event",
        "from_academic_year",
        "to_academic_year",
        "promotion_type",
        "total_students",
        "promoted_count",
        "retained_count",
        "graduated_count",
        "left_count",
        "seconds_display",
        "promoted_by",
        "run_link",
        "school",
    )
    list_filter = (
        "event",
        "promotion_type",
        by_school("from_academic_year"),
        by_school("to_academic_year"),
        "school",
    )
    list_select_related = ("from_academic_year", "to_academic_year", "promoted_by", "school")
    date_hierarchy = "created_at"
    fields = (
        "school",
        "run_link",
        "event",
        ("from_academic_year", "to_academic_year"),
        "promotion_type",
        "promoted_by",
        "created_at",
        "total_students",
        ("promoted_count", "retained_count", "graduated_count", "left_count"),
        "seconds",
        "notes",
    )
    readonly_fields = ("run_link", "created_at")

    @admin.display(description="run", ordering="run")
    def run_link(self, log: PromotionLog) -> str:
        url = reverse("admin:academics_promotionrun_change", args=[log.run_id])
        return format_html('<a href="{}">#{}</a>', url, log.run_id)

    @admin.display(description="seconds", ordering="seconds")
    def seconds_display(self, log: PromotionLog) -> str:
        return f"{log.seconds:.2f}"

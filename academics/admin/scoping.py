"""The school scoping every app's admin reuses: who may do what, and which rows they see.

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
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest

from ..forms import IdChoiceField, IdMultipleChoiceField
from ..models import Role, School, Stamped, User
from ..validators import parse_id

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
    """A foreign-key filter that offers a school admin only their school's rows, and
    takes only ids written in ASCII digits (docs/operations/security.md, "Bad input"):
    `?school_class__id__exact=١٢` is a bad lookup, as `=abc` is, not row 12."""

    def queryset(self, request, queryset):
        if _integer_key(self.field.target_field):
            for value in self.used_parameters.get(self.lookup_kwarg, []):
                if parse_id(str(value)) is None:
                    raise IncorrectLookupParameters(f"{value!r} is no id.")
        return super().queryset(request, queryset)

    def field_choices(self, field, request, model_admin):
        school_id = scoped_school_id(request.user)
        choices = None if school_id is None else school_choices(field.related_model, school_id)
        if choices is None:
            return super().field_choices(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in choices]


def by_school(field_name: str) -> tuple[str, type[admin.ListFilter]]:
    """`list_filter` entry for a foreign key whose choices must stay inside the school."""
    return (field_name, SchoolRelatedFilter)


def _integer_key(field: models.Field) -> bool:
    while field.is_relation:  # a one-to-one primary key holds the other row's id
        field = field.target_field
    return isinstance(field, models.IntegerField)


def _with_id_check(model: type[models.Model], entry):
    """A `list_filter` entry naming a foreign key or many-to-many field as
    SchoolRelatedFilter (its id check; a superuser still sees every school's rows);
    any other entry as it is."""
    if not isinstance(entry, str):
        return entry
    try:
        field = get_fields_from_path(model, entry)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return entry
    if isinstance(field, models.ForeignKey | models.ManyToManyField):
        return (entry, SchoolRelatedFilter)
    return entry


class IdFormFieldsMixin:
    """Builds a ModelAdmin's (or inline's) foreign-key and many-to-many form fields as
    IdChoiceField and IdMultipleChoiceField, so a posted id must be written in ASCII
    digits (docs/operations/security.md, "Bad input"): Django's own would read "١٢" as
    row 12."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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


class SchoolScopedMixin(IdFormFieldsMixin):
    """Scopes a ModelAdmin or inline to the signed-in user's school (module docstring);
    its id fields and foreign-key filters take ASCII digits only (IdFormFieldsMixin,
    SchoolRelatedFilter).

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
        filters = [_with_id_check(self.model, f) for f in super().get_list_filter(request)]
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


# The search fields that find a row by its student (every app's admin uses them).
STUDENT_SEARCH = (
    "student__user__first_name",
    "student__user__last_name",
    "student__user__username",
    "student__student_number",
)

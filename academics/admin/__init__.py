"""Django admin for the school structure and people, and the school scoping every app
reuses (`scoping`; its docstring says who may do what). One module per noun; importing
this package registers them all, and the names other apps' admins use are re-exported
here.
"""

# Registered in the order they were declared before the split.
# isort: off
from .scoping import (
    ACCESS_ALL,
    ACCESS_EDIT,
    ACCESS_VIEW,
    STAMP_FIELDS,
    STUDENT_SEARCH,
    ReadOnlyAdminMixin,
    SchoolRelatedFilter,
    SchoolScopedAdmin,
    SchoolScopedForm,
    SchoolScopedInline,
    SchoolScopedMixin,
    admin_access,
    by_school,
    school_choices,
    school_id_of,
    scoped_school_id,
    stamp,
)
from .people import (
    GuardianProfileAdmin,
    GuardianshipAdmin,
    GuardianshipInline,
    ProfileAdmin,
    StaffProfileAdmin,
    StudentGuardiansInline,
    StudentProfileAdmin,
    UserAdmin,
)
from .structure import (
    AcademicYearAdmin,
    GradeAdmin,
    SchoolAdmin,
    SchoolClassAdmin,
    SectionAdmin,
    SectionInline,
    SubjectAdmin,
    TermAdmin,
    TermInline,
)
from .placements import CurrentMembershipFilter, EnrollmentAdmin, MembershipAdmin
from .timetable import HolidayAdmin, TimetableSlotAdmin
from .promotion import PromotionLogAdmin, PromotionRowInline, PromotionRunAdmin
# isort: on

__all__ = [
    "ACCESS_ALL",
    "ACCESS_EDIT",
    "ACCESS_VIEW",
    "STAMP_FIELDS",
    "STUDENT_SEARCH",
    "AcademicYearAdmin",
    "CurrentMembershipFilter",
    "EnrollmentAdmin",
    "GradeAdmin",
    "GuardianProfileAdmin",
    "GuardianshipAdmin",
    "GuardianshipInline",
    "HolidayAdmin",
    "MembershipAdmin",
    "ProfileAdmin",
    "PromotionLogAdmin",
    "PromotionRowInline",
    "PromotionRunAdmin",
    "ReadOnlyAdminMixin",
    "SchoolAdmin",
    "SchoolClassAdmin",
    "SchoolRelatedFilter",
    "SchoolScopedAdmin",
    "SchoolScopedForm",
    "SchoolScopedInline",
    "SchoolScopedMixin",
    "SectionAdmin",
    "SectionInline",
    "StaffProfileAdmin",
    "StudentGuardiansInline",
    "StudentProfileAdmin",
    "SubjectAdmin",
    "TermAdmin",
    "TermInline",
    "TimetableSlotAdmin",
    "UserAdmin",
    "admin_access",
    "by_school",
    "school_choices",
    "school_id_of",
    "scoped_school_id",
    "stamp",
]

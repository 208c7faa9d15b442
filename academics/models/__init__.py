"""School structure, people and placements (DOMAIN.md; docs/design/promotion.md).

Every row belongs to exactly one School; views and selectors scope every query by it.
One module per noun; every model and public name is re-exported here, so
`from academics.models import X` is the way to import them.
"""

# Imported in the order the models were declared before the split (registry order).
# isort: off
from .base import Stamped, unique_source_id
from .school import School
from .people import GuardianProfile, Guardianship, Role, StaffProfile, StudentProfile, User
from .structure import AcademicYear, Grade, SchoolClass, Section, Subject, Term
from .placements import Enrollment, Membership, MembershipQuerySet
from .timetable import Holiday, TimetableSlot, Weekday
from .promotion import PromotionAction, PromotionLog, PromotionMode, PromotionRow, PromotionRun
# isort: on

__all__ = [
    "AcademicYear",
    "Enrollment",
    "Grade",
    "GuardianProfile",
    "Guardianship",
    "Holiday",
    "Membership",
    "MembershipQuerySet",
    "PromotionAction",
    "PromotionLog",
    "PromotionMode",
    "PromotionRow",
    "PromotionRun",
    "Role",
    "School",
    "SchoolClass",
    "Section",
    "Stamped",
    "StaffProfile",
    "StudentProfile",
    "Subject",
    "Term",
    "TimetableSlot",
    "User",
    "Weekday",
    "unique_source_id",
]

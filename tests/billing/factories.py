import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from billing.models import Bill
from tests.academics.factories import SchoolClassFactory, StudentProfileFactory


class BillFactory(DjangoModelFactory):
    """A bill with no lines (tests that need lines generate them from attendance)."""

    class Meta:
        model = Bill

    school_class = factory.SubFactory(SchoolClassFactory, price_per_session=Decimal("100"))
    school = factory.SelfAttribute("school_class.school")
    student = factory.SubFactory(StudentProfileFactory, school=factory.SelfAttribute("..school"))
    period_start = datetime.date(2025, 10, 1)
    period_end = datetime.date(2025, 10, 31)
    price_per_session = Decimal("100")
    sessions_attended = 3
    amount = Decimal("300")
    currency = "EGP"
    due_date = datetime.date(2025, 11, 30)

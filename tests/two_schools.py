"""One school's small world with a row of every kind a URL can point at
(docs/design/roles.md).

`build_school("Alpha")` and `build_school("Beta")` make two schools with the same shapes of
data; every name in them carries the tag, so a page of school A can be searched for
school B's names (`World.distinctive`). Used by tests/test_permission_matrix.py and
tests/test_school_isolation.py.

Cheap on purpose (no PBKDF2, a handful of rows): a test builds it afresh each time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Guardianship,
    Membership,
    PromotionAction,
    PromotionRow,
    PromotionRun,
    Role,
    School,
    SchoolClass,
    StaffProfile,
    StudentProfile,
    Subject,
    TimetableSlot,
    User,
)
from attendance.models import AttendanceRecord, StaffAbsence, Status, StudentLeave
from billing.models import Bill, Payment
from credits.models import MakeupCredit, MakeupLesson
from credits.services import set_available_credits
from credits.services.lessons import book_makeup_lesson

ROLES = (
    Role.ADMIN,
    Role.PRINCIPAL,
    Role.HOD,
    Role.TEACHER,
    Role.ACCOUNTANT,
    Role.STUDENT,
    Role.GUARDIAN,
)
DEPARTMENT = "Science"


@dataclass
class World:
    """One school and one object of every kind its pages show.

    The teacher teaches `school_class` (a weekly slot on Mondays) to `student` and
    `classmate`, and is the tutor of both students' make-up credits; the hod heads the
    teacher's department; the guardian is `student`'s (not the classmate's). `day` is the
    latest Monday on or before the school's today.
    """

    tag: str
    school: School
    users: dict[str, User]
    student: StudentProfile
    classmate: StudentProfile
    school_class: SchoolClass
    slot: TimetableSlot
    day: datetime.date
    membership: Membership
    record: AttendanceRecord
    classmate_record: AttendanceRecord
    bill: Bill
    classmate_bill: Bill
    payment: Payment
    credit: MakeupCredit
    classmate_credit: MakeupCredit
    lesson: MakeupLesson
    absence: StaffAbsence
    leave: StudentLeave
    run: PromotionRun
    row: PromotionRow

    def user(self, role: str) -> User:
        """The world's user with `role` (the student role is `student`'s user, the
        guardian role `student`'s guardian)."""
        return self.users[role]

    @property
    def teacher(self) -> User:
        return self.users[Role.TEACHER]

    @property
    def distinctive(self) -> list[str]:
        """Strings that only this school's pages can contain: its name, its students',
        its teacher's and its class's names, its academic years."""
        return [
            self.school.name,
            self.run.from_year.name,
            self.run.to_year.name,
            self.student.user.last_name,
            self.classmate.user.last_name,
            self.school_class.name,
            self.teacher.last_name,
        ]


def _user(school: School, tag: str, role: str, first: str, last: str) -> User:
    user = User(
        school=school,
        role=role,
        username=f"{tag.lower()}-{first.lower()}",
        first_name=first,
        last_name=last,
    )
    user.set_unusable_password()  # tests sign in with force_login
    user.save()
    return user


def build_school(tag: str) -> World:
    """Build one school's world; every distinctive name carries `tag` ("Alpha", "Beta").

    Args:
        tag: a capitalised word unique among the schools of one test.

    Returns:
        The World, with its seven role users (one per role) and a row of each kind.

    Rule source: docs/design/roles.md (two schools with the same shapes of data).
    """
    school = School.objects.create(name=f"{tag} Academy", currency="EGP", code=tag.upper())
    today = school.today()
    day = today - datetime.timedelta(days=today.weekday())  # this week's Monday
    users = {
        Role.ADMIN: _user(school, tag, Role.ADMIN, "Ada", f"{tag}boss"),
        Role.PRINCIPAL: _user(school, tag, Role.PRINCIPAL, "Pia", f"{tag}head"),
        Role.HOD: _user(school, tag, Role.HOD, "Hal", f"{tag}dept"),
        Role.TEACHER: _user(school, tag, Role.TEACHER, "Tess", f"{tag}teach"),
        Role.ACCOUNTANT: _user(school, tag, Role.ACCOUNTANT, "Abe", f"{tag}books"),
    }
    for role in (Role.HOD, Role.TEACHER):
        StaffProfile.objects.create(school=school, user=users[role], department=DEPARTMENT)
    student_user = _user(school, tag, Role.STUDENT, "Zelda", f"{tag}stone")
    classmate_user = _user(school, tag, Role.STUDENT, "Yuri", f"{tag}wood")
    users[Role.STUDENT] = student_user
    student = StudentProfile.objects.get(user=student_user)
    classmate = StudentProfile.objects.get(user=classmate_user)
    guardian_user = _user(school, tag, Role.GUARDIAN, "Gwen", f"{tag}parent")
    users[Role.GUARDIAN] = guardian_user
    Guardianship.objects.create(
        school=school,
        guardian=guardian_user.guardian_profile,
        student=student,
        relationship="Mother",
    )

    subject = Subject.objects.create(school=school, name=f"{tag} Chemistry")
    school_class = SchoolClass.objects.create(
        school=school,
        name=f"{tag} Chemistry 7Q",
        code=f"{tag.upper()}-CH7",
        subject=subject,
        kind=SchoolClass.Kind.TEACHING,
        price_per_session=Decimal("100"),
    )
    slot = TimetableSlot.objects.create(
        school=school,
        school_class=school_class,
        subject=subject,
        teacher=users[Role.TEACHER],
        weekday=0,
        period_number=1,
        valid_from=day - datetime.timedelta(days=63),
    )
    joined = day - datetime.timedelta(days=63)
    membership = Membership.objects.create(
        school=school, school_class=school_class, student=student, joined_on=joined
    )
    Membership.objects.create(
        school=school, school_class=school_class, student=classmate, joined_on=joined
    )
    records = [
        AttendanceRecord.objects.create(
            school=school,
            student=who,
            school_class=school_class,
            subject=subject,
            slot=slot,
            date=day - datetime.timedelta(days=7),
            period_number=1,
            status=status,
            marked_by=users[Role.TEACHER],
        )
        for who, status in ((student, Status.ABSENT), (classmate, Status.ABSENT))
    ]
    # A correction (A → P with a reason), so the school's corrections list has a row.
    records[0].status = Status.PRESENT
    records[0].modified_by = users[Role.TEACHER]
    records[0].modification_reason = "Arrived late"
    records[0].save()
    period_start = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    period_end = day.replace(day=1) - datetime.timedelta(days=1)
    bills = [
        Bill.objects.create(
            school=school,
            student=who,
            school_class=school_class,
            period_start=period_start,
            period_end=period_end,
            price_per_session=Decimal("100"),
            sessions_attended=sessions,
            amount=Decimal(100 * sessions),
            currency="EGP",
            due_date=period_end + datetime.timedelta(days=30),
        )
        for who, sessions in ((student, 3), (classmate, 2))
    ]
    # Part of the student's bill paid (the row a void acts on).
    payment = Payment.objects.create(
        bill=bills[0],
        amount=Decimal(50),
        paid_on=period_end,
        method="cash",
        received_by=users[Role.ADMIN],
    )
    Bill.objects.filter(pk=bills[0].pk).update(paid_amount=Decimal(50))
    teacher = users[Role.TEACHER]
    set_available_credits(students=[student, classmate], tutor=teacher, amount=2, actor=teacher)
    lesson = book_makeup_lesson(
        student=student,
        tutor=teacher,
        scheduled_for=timezone.now() + datetime.timedelta(days=3),
        actor=teacher,
    )
    # Its time has come since (awaiting completion), so the pages offer every action on it:
    # a lesson is completed only once it has taken place (docs/design/credits.md).
    lesson.scheduled_for = timezone.now() - datetime.timedelta(hours=1)
    lesson.save(update_fields=["scheduled_for"])
    credit = MakeupCredit.objects.get(student=student, tutor=teacher)
    classmate_credit = MakeupCredit.objects.get(student=classmate, tutor=teacher)
    absence = StaffAbsence.objects.create(
        school=school, teacher=teacher, date=day + datetime.timedelta(days=7), reason="Course"
    )
    leave = StudentLeave.objects.create(
        school=school,
        student=student,
        start_date=day + datetime.timedelta(days=14),
        end_date=day + datetime.timedelta(days=15),
        reason="Family trip",
    )

    from_year = AcademicYear.objects.create(
        school=school,
        name=f"{tag} 2026-2027",
        start_date=datetime.date(2026, 8, 17),
        end_date=datetime.date(2027, 6, 30),
        is_current=True,
    )
    to_year = AcademicYear.objects.create(
        school=school,
        name=f"{tag} 2027-2028",
        start_date=datetime.date(2027, 8, 16),
        end_date=datetime.date(2028, 6, 30),
        is_current=False,
    )
    grade_9 = Grade.objects.create(school=school, level=9, name="Grade 9")
    grade_10 = Grade.objects.create(school=school, level=10, name="Grade 10")
    enrollment = Enrollment.objects.create(
        school=school,
        student=student,
        academic_year=from_year,
        grade=grade_9,
        enrollment_date=from_year.start_date,
    )
    run = PromotionRun.objects.create(
        school=school,
        from_year=from_year,
        to_year=to_year,
        created_by=users[Role.ADMIN],
    )
    row = PromotionRow.objects.create(
        run=run,
        student=student,
        from_enrollment=enrollment,
        action=PromotionAction.PROMOTE,
        to_grade=grade_10,
    )
    return World(
        tag=tag,
        school=school,
        users=users,
        student=student,
        classmate=classmate,
        school_class=school_class,
        slot=slot,
        day=day,
        membership=membership,
        record=records[0],
        classmate_record=records[1],
        bill=bills[0],
        classmate_bill=bills[1],
        payment=payment,
        credit=credit,
        classmate_credit=classmate_credit,
        lesson=lesson,
        absence=absence,
        leave=leave,
        run=run,
        row=row,
    )

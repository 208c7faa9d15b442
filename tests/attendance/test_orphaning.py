"""Timetable changes orphan records (docs/design/attendance.md, EC-ATT-02): a removed period's
records are kept, flagged "Orphaned — Period Removed", excluded from percentages and frozen."""

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse

from academics.models import Membership, Role, TimetableSlot
from attendance.models import AttendanceRecord, Status
from attendance.selectors import with_attendance_totals
from attendance.services import (
    ORPHANED_REASON,
    RESTORED_REASON,
    mark_attendance,
    refresh_orphaning,
)
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

pytestmark = pytest.mark.django_db

# Four Mondays the factories' slots meet on (they start on Monday 17 Aug 2026).
AUG_31, SEP_7, SEP_14, SEP_21 = (
    datetime.date(2026, 8, 31) + datetime.timedelta(weeks=n) for n in range(4)
)


@pytest.fixture
def term():
    """Maths 9A period 3 on Mondays, Ana Rivera's; Ali Adams marked P, P, A, A on four
    Mondays; Omar Haddad is the school's admin."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(school=school, role=Role.TEACHER, first_name="Ana", last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    ali = UserFactory(school=school, role=Role.STUDENT, first_name="Ali", last_name="Adams")
    membership = MembershipFactory(school_class=school_class, student=ali.student_profile)
    records = {
        day: AttendanceRecordFactory(
            membership=membership, slot=slot, period_number=3, date=day, status=status
        )
        for day, status in [
            (AUG_31, Status.PRESENT),
            (SEP_7, Status.PRESENT),
            (SEP_14, Status.ABSENT),
            (SEP_21, Status.ABSENT),
        ]
    }
    admin = UserFactory(school=school, role=Role.ADMIN, first_name="Omar", last_name="Haddad")
    return {
        "school": school,
        "teacher": teacher,
        "slot": slot,
        "membership": membership,
        "records": records,
        "admin": admin,
    }


def orphaned_days(term) -> list[datetime.date]:
    return sorted(
        AttendanceRecord.objects.filter(
            student=term["membership"].student, is_orphaned=True
        ).values_list("date", flat=True)
    )


def text(page: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", page)).split())


def percentage_of(membership):
    row = with_attendance_totals(Membership.objects.filter(pk=membership.pk)).get()
    return row.present_count, row.countable_count


# --- what freezes them -----------------------------------------------------------------------


def test_ending_a_period_orphans_only_the_records_after_its_new_end(term):
    slot = term["slot"]
    slot.valid_to = SEP_7
    slot.save()
    assert orphaned_days(term) == [SEP_14, SEP_21]
    latest = term["records"][SEP_14].history.first()
    assert (latest.is_orphaned, latest.history_change_reason) == (True, ORPHANED_REASON)
    assert latest.status == Status.ABSENT  # the mark itself is kept as it was


def test_deleting_a_period_orphans_all_its_records_and_deletes_none(term):
    term["slot"].delete()
    assert AttendanceRecord.objects.filter(student=term["membership"].student).count() == 4
    assert orphaned_days(term) == [AUG_31, SEP_7, SEP_14, SEP_21]
    assert not AttendanceRecord.objects.filter(slot__isnull=False).exists()


def test_moving_a_period_to_another_weekday_orphans_its_records(term):
    slot = term["slot"]
    slot.weekday = 2  # Wednesday
    slot.save()
    assert orphaned_days(term) == [AUG_31, SEP_7, SEP_14, SEP_21]


def test_starting_a_period_later_orphans_the_records_before_its_new_start(term):
    slot = term["slot"]
    slot.valid_from = SEP_14
    slot.save()
    assert orphaned_days(term) == [AUG_31, SEP_7]


def test_changing_only_the_teacher_orphans_nothing(term):
    slot = term["slot"]
    slot.teacher = UserFactory(school=term["school"], role=Role.TEACHER)
    slot.save()
    assert orphaned_days(term) == []


def test_deleting_periods_with_a_queryset_orphans_their_records_too(term):
    TimetableSlot.objects.filter(pk=term["slot"].pk).delete()
    assert orphaned_days(term) == [AUG_31, SEP_7, SEP_14, SEP_21]


# --- coming back -----------------------------------------------------------------------------


def test_extending_the_period_again_brings_its_records_back(term):
    slot = term["slot"]
    slot.valid_to = AUG_31
    slot.save()
    assert orphaned_days(term) == [SEP_7, SEP_14, SEP_21]
    slot.valid_to = SEP_14
    slot.save()
    assert orphaned_days(term) == [SEP_21]
    slot.valid_to = None
    slot.save()
    assert orphaned_days(term) == []
    reasons = [
        v.history_change_reason for v in term["records"][SEP_21].history.order_by("history_id")
    ]
    # Created by the factory with no note, then frozen, then (not on SEP_14) back.
    assert reasons == [None, ORPHANED_REASON, RESTORED_REASON]


def test_a_deleted_periods_records_stay_orphaned_when_a_new_period_replaces_it(term):
    old = term["slot"]
    old.delete()
    new = TimetableSlot.objects.create(
        school=old.school,
        school_class=old.school_class,
        subject=old.subject,
        teacher=term["teacher"],
        weekday=old.weekday,
        period_number=old.period_number,
        valid_from=old.valid_from,
    )
    new.valid_to = datetime.date(2027, 6, 30)
    new.save()
    assert refresh_orphaning(school=term["school"]).restored == 0
    assert orphaned_days(term) == [AUG_31, SEP_7, SEP_14, SEP_21]


# --- writes that skip signals ----------------------------------------------------------------


def test_refresh_orphaning_catches_up_after_a_bulk_update_of_the_timetable(term):
    TimetableSlot.objects.filter(pk=term["slot"].pk).update(valid_to=SEP_7)
    assert orphaned_days(term) == []  # QuerySet.update sends no signal
    result = refresh_orphaning(school=term["school"])
    assert (result.orphaned, result.restored) == (2, 0)
    assert orphaned_days(term) == [SEP_14, SEP_21]

    TimetableSlot.objects.filter(pk=term["slot"].pk).update(valid_to=None)
    assert refresh_orphaning(school=term["school"]).restored == 2
    assert orphaned_days(term) == []


def test_refresh_orphaning_leaves_other_schools_alone(term):
    TimetableSlot.objects.filter(pk=term["slot"].pk).update(valid_to=SEP_7)
    assert refresh_orphaning(school=SchoolFactory()).orphaned == 0
    assert orphaned_days(term) == []


# --- through the admin -----------------------------------------------------------------------


def slot_form(slot, **changes):
    data = {
        "school_class": slot.school_class_id,
        "subject": slot.subject_id,
        "teacher": slot.teacher_id or "",
        "weekday": slot.weekday,
        "period_number": slot.period_number,
        "valid_from": slot.valid_from.isoformat(),
        "valid_to": slot.valid_to.isoformat() if slot.valid_to else "",
    }
    return {**data, **changes}


def test_ending_a_period_in_the_admin_orphans_its_later_records_as_that_admin(client, term):
    slot, admin = term["slot"], term["admin"]
    client.force_login(admin)
    response = client.post(
        reverse("admin:academics_timetableslot_change", args=[slot.pk]),
        slot_form(slot, valid_to=SEP_7.isoformat()),
    )
    assert response.status_code == 302
    assert orphaned_days(term) == [SEP_14, SEP_21]
    assert term["records"][SEP_21].history.first().history_user == admin


def test_deleting_a_period_in_the_admin_orphans_its_records(client, term):
    client.force_login(term["admin"])
    response = client.post(
        reverse("admin:academics_timetableslot_delete", args=[term["slot"].pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TimetableSlot.objects.filter(pk=term["slot"].pk).exists()
    assert orphaned_days(term) == [AUG_31, SEP_7, SEP_14, SEP_21]


# --- what being orphaned means -----------------------------------------------------------------


def test_orphaned_records_do_not_count_in_the_percentage(term):
    assert percentage_of(term["membership"]) == (2, 4)  # P, P, A, A: 50 %
    term["slot"].valid_to = SEP_7
    term["slot"].save()
    assert percentage_of(term["membership"]) == (2, 2)  # the two A are frozen out: 100 %


def test_an_orphaned_record_is_read_only_in_the_admin(client, term):
    term["slot"].delete()
    record = term["records"][SEP_21]
    change = reverse("admin:attendance_attendancerecord_change", args=[record.pk])
    client.force_login(term["admin"])

    page = client.get(change)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    assert 'name="_save"' not in page.content.decode()

    response = client.post(
        change,
        {
            "student": record.student_id,
            "school_class": record.school_class_id,
            "subject": record.subject_id,
            "date": SEP_21.isoformat(),
            "period_number": 3,
            "status": Status.PRESENT,
            "modification_reason": "Trying to change a frozen record",
        },
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert (record.status, record.is_orphaned) == (Status.ABSENT, True)


def test_an_orphaned_record_cannot_be_deleted_in_the_admin(client, term):
    term["slot"].valid_to = SEP_7
    term["slot"].save()
    client.force_login(term["admin"])
    orphan = term["records"][SEP_21]
    delete = reverse("admin:attendance_attendancerecord_delete", args=[orphan.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403

    # Nor with "delete selected", even mixed with a record that could go on its own.
    changelist = reverse("admin:attendance_attendancerecord_changelist")
    batch = {
        "action": "delete_selected",
        "_selected_action": [orphan.pk, term["records"][AUG_31].pk],
    }
    confirm = client.post(changelist, batch)
    assert confirm.status_code == 200
    assert "orphaned attendance records (frozen)" in confirm.content.decode()
    assert client.post(changelist, {**batch, "post": "yes"}).status_code == 403
    assert AttendanceRecord.objects.filter(student=orphan.student).count() == 4


def test_the_orphaned_flag_is_not_typed_in_the_admin(client, term):
    record = term["records"][AUG_31]
    client.force_login(term["admin"])
    page = client.get(reverse("admin:attendance_attendancerecord_change", args=[record.pk]))
    assert "is_orphaned" not in page.context["adminform"].form.fields


def test_marking_skips_an_orphaned_record_and_leaves_it_as_it_was(term):
    old = term["slot"]
    old.delete()
    new = TimetableSlot.objects.create(
        school=old.school,
        school_class=old.school_class,
        subject=old.subject,
        teacher=term["teacher"],
        weekday=old.weekday,
        period_number=old.period_number,
        valid_from=old.valid_from,
    )
    ali = term["membership"].student
    result = mark_attendance(
        slot=new,
        day=SEP_21,
        statuses={ali.pk: Status.PRESENT},
        actor=term["admin"],
        reason="Re-marking",
        today=SEP_21,
    )
    assert [s.student_id for s in result.skipped] == [ali.pk]
    record = term["records"][SEP_21]
    record.refresh_from_db()
    assert (record.status, record.is_orphaned) == (Status.ABSENT, True)


def test_the_trail_shows_an_orphaned_record_greyed_with_its_label(client, term):
    slot, admin = term["slot"], term["admin"]
    ali = term["membership"].student
    mark_attendance(
        slot=slot,
        day=SEP_21,
        statuses={ali.pk: Status.PRESENT},
        actor=admin,
        reason="Was at the nurse",
        today=SEP_21,
    )
    slot.valid_to = SEP_14
    slot.save()
    record = term["records"][SEP_21]
    client.force_login(admin)

    history = client.get(reverse("attendance:record_history", args=[record.pk])).content.decode()
    assert 'id="orphaned-note"' in history and "audit-orphaned" in history
    assert "Orphaned — Period Removed (status stays P) by System on" in text(history)

    listing = client.get(reverse("attendance:corrections")).content.decode()
    assert '<tr class="correction audit-orphaned">' in listing
    assert "Orphaned — Period Removed" in listing


# --- a roster re-import moves slot dates in bulk -----------------------------------------


def test_a_reimport_that_ends_a_term_earlier_orphans_the_records_after_it(tmp_path, settings):
    import shutil
    from pathlib import Path

    from academics.services.roster_import import import_roster

    folder = tmp_path / "grandbend"
    shutil.copytree(Path(settings.BASE_DIR).parent / "shared/data/oneroster-grandbend", folder)
    import_roster(folder)
    slot = TimetableSlot.objects.filter(weekday=0).order_by("valid_to").last()  # Spring
    member = Membership.objects.filter(school_class=slot.school_class).first()
    kept_day, cut_day = datetime.date(2021, 5, 3), datetime.date(2021, 5, 24)  # Mondays
    for day in (kept_day, cut_day):
        AttendanceRecordFactory(
            membership=member,
            slot=slot,
            subject=slot.subject,
            date=day,
            period_number=slot.period_number,
        )

    sessions = folder / "academicSessions.csv"
    sessions.write_text(sessions.read_text().replace("2021-05-28", "2021-05-14"))
    import_roster(folder)

    orphaned = dict(AttendanceRecord.objects.values_list("date", "is_orphaned"))
    assert orphaned == {kept_day: False, cut_day: True}

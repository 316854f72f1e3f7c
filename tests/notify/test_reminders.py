"""Daily reminders: selected by the indexed next-due column, at local time, once a day."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notify.models import Message
from notify.services import reminder_reschedule, reminders_enqueue_due
from tests.factories import PainLogFactory, PatientFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def _patient(tz: str, **extra):
    patient = PatientFactory(
        timezone=tz, reminder_time=time(20, 0), reminder_channels=["email"], **extra
    )
    return patient


def _reminders(patient):
    return list(Message.objects.filter(patient=patient, kind="reminder"))


@pytest.mark.parametrize(
    ("tz", "day", "fire_utc"),
    [
        ("Europe/London", "2026-03-29", datetime(2026, 3, 29, 19, 0, tzinfo=UTC)),
        ("Europe/London", "2026-10-25", datetime(2026, 10, 25, 20, 0, tzinfo=UTC)),
        ("America/New_York", "2026-03-08", datetime(2026, 3, 9, 0, 0, tzinfo=UTC)),
        ("America/New_York", "2026-11-01", datetime(2026, 11, 2, 1, 0, tzinfo=UTC)),
    ],
)
def test_reminder_at_twenty_hundred_local_on_dst_change_days(tz, day, fire_utc):
    patient = _patient(tz)
    reminder_reschedule(patient=patient, now=fire_utc - timedelta(hours=12))
    assert patient.next_reminder_at == fire_utc

    reminders_enqueue_due(now=fire_utc - timedelta(minutes=1))
    assert _reminders(patient) == []
    reminders_enqueue_due(now=fire_utc)
    reminders_enqueue_due(now=fire_utc + timedelta(minutes=1))
    sent = _reminders(patient)
    assert len(sent) == 1
    assert sent[0].to_email == patient.user.email
    assert sent[0].tag == f"reminder-{day}"
    patient.refresh_from_db()
    assert patient.next_reminder_at - fire_utc in (
        timedelta(hours=23),
        timedelta(hours=24),
        timedelta(hours=25),
    )


def test_two_time_zones_each_at_their_own_twenty_hundred():
    london, new_york = _patient("Europe/London"), _patient("America/New_York")
    start = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    for patient in (london, new_york):
        reminder_reschedule(patient=patient, now=start)
    reminders_enqueue_due(now=datetime(2026, 11, 21, 20, 0, tzinfo=UTC))
    assert len(_reminders(london)) == 1 and _reminders(new_york) == []
    reminders_enqueue_due(now=datetime(2026, 11, 22, 1, 0, tzinfo=UTC))
    assert len(_reminders(london)) == 1 and len(_reminders(new_york)) == 1


def test_no_reminder_on_a_day_already_logged():
    patient = _patient("Europe/London")
    fire = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    reminder_reschedule(patient=patient, now=fire - timedelta(hours=6))
    PainLogFactory(patient=patient, recorded_at=fire - timedelta(hours=3))
    reminders_enqueue_due(now=fire)
    assert _reminders(patient) == []
    patient.refresh_from_db()
    assert patient.next_reminder_at == fire + timedelta(days=1)


def test_yesterdays_entry_does_not_count_for_today():
    patient = _patient("America/New_York")
    fire = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 20:00 on the 21st in New York
    reminder_reschedule(patient=patient, now=fire - timedelta(hours=6))
    # 23:30 on the 20th in New York is already the 21st in UTC: it is yesterday for them.
    PainLogFactory(patient=patient, recorded_at=datetime(2026, 11, 21, 4, 30, tzinfo=UTC))
    reminders_enqueue_due(now=fire)
    assert len(_reminders(patient)) == 1


def test_reminders_off_and_time_zone_change():
    patient = _patient("Europe/London", reminders_enabled=False)
    reminder_reschedule(patient=patient, now=datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    assert patient.next_reminder_at is None
    patient.reminders_enabled = True
    patient.timezone = "Asia/Tokyo"
    reminder_reschedule(patient=patient, now=datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    assert patient.next_reminder_at == datetime(2026, 11, 21, 11, 0, tzinfo=UTC)


def test_changing_time_zone_through_the_api_moves_the_reminder(api, patient):
    api.patch("/api/v1/me/", {"timezone": "Asia/Tokyo", "reminder_time": "08:15"})
    patient.refresh_from_db()
    local = patient.next_reminder_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute) == (8, 15)


def test_sweep_is_chunked_and_query_count_does_not_grow(django_assert_max_num_queries):
    fire = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    patients = [_patient("Europe/London") for _ in range(30)]
    for patient in patients:
        reminder_reschedule(patient=patient, now=fire - timedelta(hours=1))
    # One select of who is due per pass (a second, empty, ends the loop). Per chunk of 10:
    # savepoint, locking select, devices, last-entry aggregate, staging table, COPY (not
    # seen by Django's query log), insert from staging, drop staging, one update, release.
    with django_assert_max_num_queries(2 + 3 * 9):
        assert reminders_enqueue_due(now=fire, chunk=10) == 30
    assert Message.objects.filter(kind="reminder").count() == 30

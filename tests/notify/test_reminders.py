"""Daily reminders: selected by the indexed next-due column, at local time, once a day."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from notify.models import Message
from notify.services import reminder_reschedule, reminders_enqueue_due
from tests.factories import PainLogFactory, PatientFactory
from triage.models import PatientAssessment

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

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
    # savepoint, locking select, last-entry aggregate, open episodes, devices, staging table,
    # COPY (not seen by Django's query log), insert from staging, drop staging, one update,
    # release.
    with django_assert_max_num_queries(2 + 3 * 10):
        assert reminders_enqueue_due(now=fire, chunk=10) == 30
    assert Message.objects.filter(kind="reminder").count() == 30


# --- Targeted follow-up on an open episode (issue 10) -------------------------------------

LONDON = ZoneInfo("Europe/London")


def _pain(api, when, **overrides):
    body = {
        "recorded_at": when.isoformat(),
        "site": "heel_bottom",
        "side": "right",
        "severity": 5,
        **overrides,
    }
    response = api.post("/api/v1/logs/", body)
    assert response.status_code == 201, response.json()
    return response


def _evening(day: int) -> datetime:
    """20:00 in London on 2026-11-<day>, the patient's reminder time."""
    return datetime(2026, 11, day, 20, 0, tzinfo=LONDON)


@pytest.fixture
def heel_patient():
    from tests.conftest import client_for

    patient = _patient("Europe/London")
    api = client_for(patient.user)
    with time_machine.travel(_evening(10) - timedelta(hours=2), tick=False):
        _pain(api, timezone.now())  # right heel, 5/10, on the 10th
        _pain(api, timezone.now() - timedelta(days=1))
        reminder_reschedule(patient=patient, now=timezone.now())
    return patient, api


def _sweep(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        reminders_enqueue_due(now=timezone.now())


def test_quiet_site_with_open_pain_is_asked_about_by_name_once_a_day(heel_patient):
    patient, api = heel_patient
    _sweep(_evening(10))  # logged today: no reminder at all
    _sweep(_evening(11))  # one day quiet: the plain reminder
    assert [m.subject for m in _reminders(patient)] == ["How is your foot or ankle today?"]

    # Two local days without the right heel: the reminder names it, in words.
    _sweep(_evening(12) - timedelta(minutes=1))  # not yet: only at the reminder time
    assert len(_reminders(patient)) == 1
    _sweep(_evening(12))
    _sweep(_evening(12) + timedelta(minutes=30))  # a second sweep the same evening
    asked = Message.objects.get(patient=patient, kind="reminder", tag="reminder-2026-11-12")
    assert asked.subject == "How is the bottom of your right heel today?"
    assert "bottom of your right heel" in asked.body and "heel_bottom" not in asked.body
    assert asked.data["kind"] == "site_check"
    assert (asked.data["site"], asked.data["side"]) == ("heel_bottom", "right")
    assert asked.data["answer_path"] == "/api/v1/logs/"
    assert asked.due_at == _evening(12)  # sent at the patient's reminder time
    _sweep(_evening(13))  # still quiet the next day: asked again, once
    assert len(_reminders(patient)) == 3

    # The one-tap answer: a POST for that site with severity 0 and gone ends the episode.
    with time_machine.travel(_evening(14) - timedelta(hours=1), tick=False):
        _pain(api, timezone.now(), severity=0, gone=True)
        triage = api.get("/api/v1/triage/").json()
    assert triage["level"] == "self_care"
    assert PatientAssessment.objects.get(patient=patient).open_episodes == []
    # This week's PEG answered, so Sunday's reminder (the 15th) is not the PEG prompt.
    with time_machine.travel(_evening(14) - timedelta(minutes=30), tick=False):
        peg = {"instrument": "peg", "answers": {"pain": 2, "enjoyment": 1, "activity": 1}}
        assert api.post("/api/v1/questionnaires/responses/", peg, format="json").status_code == 201
    _sweep(_evening(14))  # logged today, nothing open: no reminder
    _sweep(_evening(16))  # episode over: back to the plain reminder
    assert _reminders(patient)[0].subject == "How is your foot or ankle today?"
    assert len(_reminders(patient)) == 4


def test_a_plain_zero_is_a_quiet_reading_and_the_site_is_asked_about_again(heel_patient):
    patient, api = heel_patient
    with time_machine.travel(_evening(12) - timedelta(hours=1), tick=False):
        _pain(api, timezone.now(), severity=0)
    [episode] = PatientAssessment.objects.get(patient=patient).open_episodes
    assert (episode["site"], episode["latest_day"]) == ("heel_bottom", "2026-11-12")
    _sweep(_evening(13))  # one day since the quiet reading: the plain reminder
    _sweep(_evening(14))  # two: the pain may be back, so the question names the site
    assert _reminders(patient)[0].subject == "How is the bottom of your right heel today?"


def test_the_site_question_is_asked_even_on_a_day_other_sites_were_logged(heel_patient):
    patient, api = heel_patient
    _sweep(_evening(10))
    with time_machine.travel(_evening(11) - timedelta(hours=1), tick=False):
        _pain(api, timezone.now(), site="calf", side="left", severity=0)
    _sweep(_evening(11))  # logged today, the heel only one day quiet: nothing
    with time_machine.travel(_evening(12) - timedelta(hours=1), tick=False):
        _pain(api, timezone.now(), site="calf", side="left", severity=0)
    _sweep(_evening(12))
    [asked] = _reminders(patient)
    assert asked.subject == "How is the bottom of your right heel today?"


def test_the_site_question_goes_over_the_reminder_channels():
    # Push by default; here the patient chose email for reminders, so it comes by email.
    patient = _patient("Europe/London")
    from notify.services import quiet_sites

    episodes = [
        {"site": "arch", "side": "left", "start": "2026-11-01", "latest_day": "2026-11-09"},
        {"site": "calf", "side": "right", "start": "2026-11-01", "latest_day": "2026-11-11"},
        {"site": "big_toe", "side": "left", "start": "2026-09-01", "latest_day": "2026-09-20"},
    ]
    assert quiet_sites(episodes, date(2026, 11, 12)) == [("arch", "left")]
    assert quiet_sites(episodes, date(2026, 11, 13)) == [("arch", "left"), ("calf", "right")]
    from triage.models import PatientAssessment

    PatientAssessment.objects.create(
        patient=patient, level="consult", assessed_at=_evening(11), open_episodes=episodes
    )
    reminder_reschedule(patient=patient, now=_evening(13) - timedelta(hours=1))
    reminders_enqueue_due(now=_evening(13))
    [asked] = _reminders(patient)
    assert asked.channel == "email" and asked.to_email == patient.user.email
    assert asked.subject == "How are the arch of your left foot and your right calf today?"


# 2026-11-15 is a Sunday: the weekly PEG's prompt day (outcomes.periods).
def test_on_sunday_the_reminder_asks_for_the_peg_instead_once(heel_patient):
    patient, api = heel_patient
    with time_machine.travel(_evening(14), tick=False):
        patient.refresh_from_db()
        reminder_reschedule(patient=patient, now=timezone.now())
        # Logged today, and the heel was logged yesterday: a plain day would send nothing.
        _pain(api, timezone.now() - timedelta(minutes=5))
    with time_machine.travel(_evening(15) - timedelta(hours=1), tick=False):
        _pain(api, timezone.now())
    _sweep(_evening(15))
    _sweep(_evening(15) + timedelta(minutes=30))  # a second sweep: still one reminder
    (asked,) = Message.objects.filter(patient=patient, kind="reminder", tag="reminder-2026-11-15")
    assert asked.subject == "Three questions about your week"
    assert asked.data == {
        "kind": "questionnaire",
        "instrument": "peg",
        "due_path": "/api/v1/questionnaires/due/",
    }


def test_no_peg_prompt_once_answered_or_on_another_day(heel_patient):
    patient, api = heel_patient
    _sweep(_evening(10))
    _sweep(_evening(11))  # a Wednesday: the plain reminder
    assert [m.subject for m in _reminders(patient)] == ["How is your foot or ankle today?"]
    with time_machine.travel(_evening(15) - timedelta(hours=1), tick=False):
        peg = {"instrument": "peg", "answers": {"pain": 5, "enjoyment": 4, "activity": 4}}
        assert api.post("/api/v1/questionnaires/responses/", peg, format="json").status_code == 201
        _pain(api, timezone.now())
    with time_machine.travel(_evening(15) - timedelta(minutes=30), tick=False):
        patient.refresh_from_db()
        reminder_reschedule(patient=patient, now=timezone.now())
    _sweep(_evening(15))  # Sunday, answered, logged today: nothing
    assert not Message.objects.filter(patient=patient, tag="reminder-2026-11-15").exists()

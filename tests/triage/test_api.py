"""Assessment and alerts through the API the phone uses, on the real database."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from notify.models import Message
from tests.conftest import client_for
from tests.factories import PainLogFactory
from triage.models import Alert, PatientAssessment
from triage.selectors import patient_ids_due_for_reassessment
from triage.tasks import reassess_due, reassess_patients

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

LOGS = "/api/v1/logs/"
LONDON = ZoneInfo("Europe/London")


def entry(at=None, **overrides):
    at = at or timezone.now() - timedelta(minutes=5)
    return {
        "recorded_at": at.isoformat(),
        "site": "ankle_outer",
        "side": "left",
        "severity": 3,
        **overrides,
    }


def test_no_entries_is_self_care_with_disclaimer(api):
    body = api.get("/api/v1/triage/").json()
    assert body["level"] == "self_care"
    assert body["findings"] == []
    assert "not a diagnosis" in body["disclaimer"]
    assert body["assessed_at"]


def test_fever_entry_is_assessed_in_the_same_request_and_opens_one_alert(api, patient):
    response = api.post(LOGS, entry(fever=True, temperature_c=38.6, redness_or_warmth=True))
    assert response.status_code == 201
    triage = response.json()["triage"]
    assert triage["level"] == "consult_24h"
    finding = next(f for f in triage["findings"] if f["rule"] == "infection_signs")
    assert finding["level"] == "consult_24h"
    assert finding["source"]["file"].endswith(".txt") and finding["source"]["passage"]
    assert response.json()["id"] in finding["entries"]
    assert finding["message"] and finding["reason"]
    alert = Alert.objects.get(patient=patient, rule="infection_signs")
    assert (alert.status, alert.level, alert.site, alert.side) == (
        "open",
        "consult_24h",
        "ankle_outer",
        "left",
    )
    assert api.get("/api/v1/triage/").json()["level"] == "consult_24h"


def test_a_persisting_condition_is_one_alert_updated_not_many(api, patient):
    first = api.post(LOGS, entry(fever=True)).json()["id"]
    second = api.post(LOGS, entry(fever=True, severity=4)).json()["id"]
    api.post(LOGS, entry(fever=True, severity=5))
    alerts = Alert.objects.filter(patient=patient, rule="infection_signs")
    assert alerts.count() == 1
    assert second in alerts.get().entry_ids or first in alerts.get().entry_ids
    listed = api.get("/api/v1/alerts/").json()
    assert [a["rule"] for a in listed["results"]].count("infection_signs") == 1


def test_alert_resolves_when_the_condition_clears(api, patient):
    log_id = api.post(LOGS, entry(can_bear_weight=False, severity=5)).json()["id"]
    assert Alert.objects.get(rule="cannot_bear_weight").status == "open"
    response = api.patch(f"{LOGS}{log_id}/", {"can_bear_weight": True})
    assert response.json()["triage"]["level"] != "consult_24h"
    alert = Alert.objects.get(rule="cannot_bear_weight")
    assert alert.status == "resolved" and alert.resolved_at is not None


def test_deleting_the_entry_resolves_its_alert(api):
    log_id = api.post(LOGS, entry(fever=True)).json()["id"]
    assert api.delete(f"{LOGS}{log_id}/").status_code == 204
    assert Alert.objects.get(rule="infection_signs").status == "resolved"


def test_rejected_entry_opens_no_alert(api):
    response = api.post(LOGS, entry(fever=True, severity=99))
    assert response.status_code == 400
    assert not Alert.objects.exists()


def test_sync_response_carries_triage_and_opens_alerts_once(api, patient):
    batch = [{**entry(fever=True), "id": "5b0f3c8e-2a57-4c41-8d7e-0a1b2c3d4e5f"}]
    first = api.post(f"{LOGS}sync/", {"logs": batch}).json()
    again = api.post(f"{LOGS}sync/", {"logs": batch}).json()
    assert first["triage"]["level"] == again["triage"]["level"] == "consult_24h"
    assert Alert.objects.filter(patient=patient).count() == 1


def test_acknowledge_is_idempotent_and_scoped(api, patient, stranger):
    api.post(LOGS, entry(fever=True))
    alert = Alert.objects.get(patient=patient)
    url = f"/api/v1/alerts/{alert.pk}/acknowledge/"
    first = api.post(url).json()
    assert first["status"] == "acknowledged"
    assert api.post(url).json()["acknowledged_at"] == first["acknowledged_at"]
    assert client_for(stranger.user).post(url).status_code == 404
    assert client_for(stranger.user).get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    # Still the same condition: a new entry keeps it acknowledged, not a new alert.
    api.post(LOGS, entry(fever=True))
    assert Alert.objects.get(patient=patient).status == "acknowledged"


def test_acknowledging_a_resolved_alert_is_400(api, patient):
    log_id = api.post(LOGS, entry(fever=True)).json()["id"]
    api.delete(f"{LOGS}{log_id}/")
    alert = Alert.objects.get(patient=patient)
    response = api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 400
    assert api.get("/api/v1/alerts/", {"status": "resolved"}).json()["count"] == 1
    assert api.get("/api/v1/alerts/", {"status": "gone"}).status_code == 400


def test_alert_list_query_count_is_constant(api, patient, django_assert_max_num_queries):
    for n in range(5):
        api.post(
            LOGS,
            entry(
                fever=True,
                site=["arch", "calf", "big_toe", "achilles", "arch"][n],
                side=["left", "right"][n % 2],
            ),
        )
    with django_assert_max_num_queries(6):
        api.get("/api/v1/alerts/", {"page_size": 100})


def test_improving_sprain_over_the_api_is_self_care(api, patient):
    start = timezone.now() - timedelta(days=6, hours=1)
    for day, severity in enumerate([7, 6, 5, 4, 3, 2, 1]):
        swelling = ["moderate", "mild"][min(day // 3, 1)] if day < 5 else "none"
        response = api.post(
            LOGS,
            entry(
                at=start + timedelta(days=day),
                severity=severity,
                swelling=swelling,
                sudden_onset=False,
            ),
        )
    assert response.json()["triage"]["level"] == "self_care"
    assert not Alert.objects.filter(patient=patient, status="open").exists()


def test_periodic_reassessment_resolves_an_ended_episode(patient):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=LONDON), tick=False):
        api = client_for(patient.user)
        api.post(LOGS, entry(fever=True, severity=6))
        assert Alert.objects.get(patient=patient).status == "open"
    # The write stored when time alone can next change the assessment: the first local
    # midnight after SILENT_GAP_DAYS (45) of silence.
    stored = PatientAssessment.objects.get(patient=patient)
    assert stored.next_change_at == datetime(2026, 11, 16, 0, 0, tzinfo=LONDON)
    assert stored.open_episodes == [
        {"site": "ankle_outer", "side": "left", "start": "2026-10-01", "latest_day": "2026-10-01"}
    ]
    # Three silent weeks are not a recovery: nobody is due, the alert stays open.
    with time_machine.travel(datetime(2026, 10, 22, 9, 0, tzinfo=LONDON), tick=False):
        assert list(patient_ids_due_for_reassessment(now=timezone.now())) == []
        assert reassess_patients([patient.pk]) == 0
    assert Alert.objects.get(patient=patient).status == "open"
    # More than SILENT_GAP_DAYS of silence ends the episode.
    with time_machine.travel(datetime(2026, 11, 16, 0, 5, tzinfo=LONDON), tick=False):
        assert list(patient_ids_due_for_reassessment(now=timezone.now())) == [patient.pk]
        assert reassess_patients([patient.pk]) == 1
    alert = Alert.objects.get(patient=patient)
    assert alert.status == "resolved"
    assert PatientAssessment.objects.get(patient=patient).next_change_at is None
    # Idempotent: running again changes nothing.
    resolved_at = alert.resolved_at
    with time_machine.travel(datetime(2026, 11, 16, 9, 5, tzinfo=LONDON), tick=False):
        assert reassess_patients([patient.pk]) == 0
    alert.refresh_from_db()
    assert alert.resolved_at == resolved_at


def _mark_due(*patients) -> None:
    """What the migration does for journals written before assessments were stored."""
    for patient in patients:
        PatientAssessment.objects.update_or_create(
            patient=patient,
            defaults={
                "level": "self_care",
                "assessed_at": timezone.now(),
                "next_change_at": timezone.now(),
            },
        )


def test_a_journal_never_assessed_is_assessed_when_due(patient):
    with time_machine.travel(datetime(2026, 10, 1, 20, 0, tzinfo=LONDON), tick=False):
        for day in range(3):
            PainLogFactory(
                patient=patient, severity=5, recorded_at=timezone.now() - timedelta(days=2 - day)
            )
        _mark_due(patient)
    with time_machine.travel(datetime(2026, 10, 4, 20, 0, tzinfo=LONDON), tick=False):
        assert reassess_patients([patient.pk]) == 1
    assert Alert.objects.filter(patient=patient, rule="persistent_pain", status="open").exists()


def test_due_selection_is_one_query_most_overdue_first(
    patient, stranger, django_assert_num_queries
):
    quiet = PainLogFactory(recorded_at=timezone.now() - timedelta(days=60)).patient
    now = timezone.now()
    PatientAssessment.objects.create(
        patient=patient, level="consult", assessed_at=now, next_change_at=now
    )
    PatientAssessment.objects.create(
        patient=stranger, level="consult", assessed_at=now, next_change_at=now - timedelta(hours=1)
    )
    PatientAssessment.objects.create(
        patient=quiet, level="self_care", assessed_at=now, next_change_at=None
    )
    PatientAssessment.objects.create(
        patient=PainLogFactory().patient,
        level="self_care",
        assessed_at=now,
        next_change_at=now + timedelta(seconds=1),
    )
    with django_assert_num_queries(1):
        due = list(patient_ids_due_for_reassessment(now=now))
    assert due == [stranger.pk, patient.pk]


def test_reassess_due_fans_out_in_chunks(patient, monkeypatch):
    PainLogFactory(patient=patient)
    _mark_due(patient)
    sent = []
    monkeypatch.setattr(reassess_patients, "delay", lambda ids: sent.append(ids))
    assert reassess_due() == 1
    assert sent == [[patient.pk]]


@pytest.mark.parametrize("count", [4, 16])
def test_a_chunk_is_reassessed_with_a_constant_number_of_queries(
    count, django_assert_max_num_queries
):
    patients = []
    with time_machine.travel(datetime(2026, 10, 1, 20, 0, tzinfo=LONDON), tick=False):
        for _ in range(count):
            patient = PainLogFactory(severity=3, recorded_at=timezone.now()).patient
            for day in (1, 2):
                PainLogFactory(
                    patient=patient, severity=3, recorded_at=timezone.now() - timedelta(days=day)
                )
            patients.append(patient)
        _mark_due(*patients)
    with time_machine.travel(datetime(2026, 10, 1, 21, 0, tzinfo=LONDON), tick=False):
        # Savepoint, lock, active alerts, entries, sessions, assessments upsert, episodes a
        # clinician resolved, release;
        # then per patient only what changes: here each opens one alert and is told once
        # (alert insert, devices, clinicians, outbox insert, notified-level update).
        per_patient = 5
        with django_assert_max_num_queries(8 + per_patient * count):
            assert reassess_patients([p.pk for p in patients]) == count
        assert Alert.objects.filter(rule="persistent_pain").count() == count
        # Nothing changed: a second run is not even due.
        assert reassess_patients([p.pk for p in patients]) == 0


def test_an_episode_longer_than_the_lookback_keeps_one_alert(patient):
    start = datetime(2026, 1, 5, 19, 0, tzinfo=LONDON)
    for day in range(0, 140, 2):
        PainLogFactory(patient=patient, severity=5, recorded_at=start + timedelta(days=day))
    opened = None
    for day in (95, 110, 125, 139):
        with time_machine.travel(start + timedelta(days=day, hours=1), tick=False):
            _mark_due(patient)
            assert reassess_patients([patient.pk]) == 1
        chronic = Alert.objects.filter(patient=patient, rule="chronic_pain")
        assert chronic.count() == 1, f"day {day}: {list(chronic.values('status', 'episode_key'))}"
        opened = opened or chronic.get().opened_at
        assert chronic.get().status == "open" and chronic.get().opened_at == opened


def test_many_alerts_opening_together_make_one_message_per_channel(api, patient):
    sites = ["ankle_outer", "ankle_inner", "achilles", "arch", "calf", "big_toe", "heel_bottom"]
    batch = [
        {
            **entry(fever=True, can_bear_weight=False, severity=9, site=site, side=side),
            "id": str(uuid.uuid4()),
        }
        for site in sites
        for side in ("left", "right")
    ]
    response = api.post(f"{LOGS}sync/", {"logs": batch})
    assert response.status_code == 200
    assert Alert.objects.filter(patient=patient).count() > 20
    assert Message.objects.filter(patient=patient, kind="alert").count() == 1  # email only

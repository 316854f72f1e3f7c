"""Acknowledge and resolve with a note: through services, seen by triage and the patient."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clinic.models import ClinicalNote
from journal.services import patient_lock
from tests.conftest import client_for
from tests.factories import PainLogFactory
from triage.models import Alert
from triage.services import patient_reassess

pytestmark = pytest.mark.django_db


def _alert(patient):
    return Alert.objects.get(patient=patient, rule="infection_signs")


def test_acknowledge_with_a_note_records_who_when_and_what(doctor, doctor_client, mine):
    alert = _alert(mine)
    url = f"/admin/triage/alert/{alert.pk}/change/"
    response = doctor_client.post(url, {"action": "acknowledge", "note": "Phoned, seeing today"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", doctor)
    note = ClinicalNote.objects.get(alert=alert)
    assert (note.kind, note.author, note.text) == ("acknowledged", doctor, "Phoned, seeing today")
    # The patient's app sees it too.
    body = client_for(mine.user).get(f"/api/v1/alerts/{alert.pk}/").json()
    assert body["status"] == "acknowledged"
    page = doctor_client.get(f"/admin/journal/patient/{mine.pk}/change/").content.decode()
    assert "Phoned, seeing today" in page and "doctor@example.com" in page


def test_resolving_needs_a_note_and_then_stays_resolved_at_the_same_level(
    doctor, doctor_client, mine
):
    alert = _alert(mine)
    url = f"/admin/triage/alert/{alert.pk}/change/"
    doctor_client.post(url, {"action": "resolve", "note": "  "})
    alert.refresh_from_db()
    assert alert.status == "open"

    doctor_client.post(url, {"action": "resolve", "note": "Antibiotics started"})
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by) == ("resolved", doctor)
    assert alert.resolved_at is not None

    # The red, warm heel is still in the journal: re-assessment does not reopen the episode
    # the clinician dealt with.
    with transaction.atomic():
        patient_reassess(patient=patient_lock(mine.pk), now=timezone.now())
    assert not Alert.objects.filter(patient=mine, rule="infection_signs", status="open").exists()


def test_a_new_episode_after_a_resolved_one_opens_a_new_alert(doctor_client, mine):
    alert = _alert(mine)
    doctor_client.post(
        f"/admin/triage/alert/{alert.pk}/change/", {"action": "resolve", "note": "Seen"}
    )
    later = timezone.now() + timedelta(days=30)
    # The patient said it was gone (a silent month would not end the episode: issue 10).
    PainLogFactory(
        patient=mine,
        recorded_at=later - timedelta(days=20),
        site="achilles",
        side="left",
        severity=0,
        gone=True,
    )
    PainLogFactory(
        patient=mine,
        recorded_at=later - timedelta(hours=1),
        site="achilles",
        side="left",
        severity=6,
        redness_or_warmth=True,
        fever=True,
        temperature_c=38.5,
    )
    with transaction.atomic():
        patient_reassess(patient=patient_lock(mine.pk), now=later)
    assert Alert.objects.filter(patient=mine, rule="infection_signs", status="open").count() == 1


def test_the_queue_is_most_urgent_first_and_in_words(doctor, doctor_client):
    from tests.clinic.conftest import make_patient

    calm = make_patient(clinician=doctor, alert=False, days=0, email="calm@example.com")
    hot = make_patient(clinician=doctor, alert=True, email="hot@example.com")
    text = doctor_client.get("/admin/triage/alert/").content.decode()
    assert "See a doctor within 24 hours" in text and "Signs of infection" in text
    assert "consult_24h" not in text.split('id="result_list"')[1].split("</table>")[0]
    assert hot.user.email in text and calm.user.email not in text


def test_the_queue_puts_open_before_acknowledged_then_level_then_age(doctor, doctor_client):
    from tests.clinic.conftest import make_patient
    from tests.clinic.test_patients_list import _alert

    patient = make_patient(clinician=doctor, alert=False, days=0, email="q@example.com")
    seen = _alert(patient, "emergency", 9, status="acknowledged", rule="cannot_bear_weight")
    old = _alert(patient, "consult", 5, rule="chronic_pain")
    new = _alert(patient, "consult", 1, rule="persistent_pain")
    urgent = _alert(patient, "consult_24h", 0.5, rule="infection_signs")
    text = doctor_client.get("/admin/triage/alert/").content.decode()
    table = text.split('id="result_list"')[1]
    order = sorted(
        (urgent, old, new, seen), key=lambda a: table.index(f"/admin/triage/alert/{a.pk}/")
    )
    assert order == [urgent, old, new, seen]

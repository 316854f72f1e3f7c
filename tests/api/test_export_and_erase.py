"""The patient's own data: export everything, erase everything, purge what is old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User
from api.tasks import purge_retention
from journal.models import PainLog, Patient, Treatment
from notify.models import DeliveryAttempt, Device, Message
from tests.conftest import client_for
from tests.factories import PainLogFactory, PatientFactory, TreatmentFactory, UserFactory
from triage.models import Alert

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/me/export/"
ME = "/api/v1/me/"
PASSWORD = "correct horse battery"


def _busy_patient(clinician):
    """A patient with something in every table, via the API where the app would write."""
    patient = PatientFactory(alert_channels=["push", "email"])
    patient.clinicians.add(clinician)
    api = client_for(patient.user)
    api.post("/api/v1/devices/", {"kind": "fcm", "registration_id": "secret-fcm-token"})
    at = timezone.now() - timedelta(minutes=5)
    for severity in (3, 9):
        entry = {
            "recorded_at": at.isoformat(),
            "site": "ankle_outer",
            "side": "right",
            "severity": severity,
        }
        assert api.post("/api/v1/logs/", entry).status_code == 201
    TreatmentFactory(patient=patient)
    message = Message.objects.filter(patient=patient).first()
    DeliveryAttempt.objects.create(message=message, channel=message.channel, at=at, outcome="sent")
    return patient, api


def test_export_has_everything_and_no_secrets(clinician, stranger, django_assert_max_num_queries):
    patient, api = _busy_patient(clinician)
    PainLogFactory(patient=stranger, notes="not yours")
    # 12 before issue 20; questionnaire responses (1), clinicians' notes (1) and the treatment
    # insight (4: the triage facts' three reads and the open alerts' sites) add 6.
    with django_assert_max_num_queries(18):
        response = api.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = response.json()
    assert body["account"]["email"] == patient.user.email
    assert body["profile"]["timezone"] == "Europe/London"
    assert len(body["pain_logs"]) == 2 and len(body["treatments"]) == 1
    assert {a["level"] for a in body["alerts"]} == {"consult"}
    alert = Alert.objects.get(patient=patient)
    [exported] = body["alerts"]
    assert exported["reason"] == alert.reason and exported["source_file"] == alert.source_file
    assert exported["entry_ids"] == alert.entry_ids and exported["entry_ids"]
    assert (exported["patient_reach"], exported["reach_note"]) == (
        alert.patient_reach,
        alert.reach_note,
    )
    assessment = body["assessment"]
    assert assessment["level"] == "consult"
    assert [(e["site"], e["side"]) for e in assessment["open_episodes"]] == [
        ("ankle_outer", "right")
    ]
    assert [d["kind"] for d in body["devices"]] == ["fcm"]
    assert body["care_team"] == [{"email": clinician.email}]
    sent = body["notifications"]
    assert {m["channel"] for m in sent} == {"fcm", "email"}
    assert any(m["attempts"] for m in sent)
    text = response.content.decode()
    assert "secret-fcm-token" not in text and "not yours" not in text
    assert "password" not in text


def test_export_of_a_new_account_has_no_assessment_yet():
    patient = PatientFactory()
    body = client_for(patient.user).get(EXPORT).json()
    assert body["assessment"] is None and body["alerts"] == [] and body["pain_logs"] == []


def test_export_is_for_the_patient_only(anon, clinician):
    assert anon.get(EXPORT).status_code == 401
    assert client_for(clinician).get(EXPORT).status_code == 403


def test_deleting_the_account_erases_everything_at_once(anon, clinician, stranger):
    patient, api = _busy_patient(clinician)
    other_device = client_for(patient.user)
    stranger_log = PainLogFactory(patient=stranger)
    admin_ct = ContentType.objects.get_for_model(Patient)
    LogEntry.objects.create(
        user=clinician,
        content_type=admin_ct,
        object_id=str(patient.pk),
        object_repr=patient.user.email,
        action_flag=CHANGE,
        change_message="[]",
    )
    email, pk = patient.user.email, patient.pk
    assert Message.objects.filter(patient=patient, status="pending").exists()  # queued

    response = api.delete(ME, {"password": PASSWORD})
    assert response.status_code == 204
    assert api.get(ME).status_code == 401  # the token stopped working at once
    assert other_device.get(ME).status_code == 401
    assert anon.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}).status_code == (
        400
    )
    assert not User.objects.filter(pk=pk).exists()
    for model in (Patient, PainLog, Treatment, Alert, Device, Message):
        assert not model.objects.filter(**{"pk" if model is Patient else "patient_id": pk}).exists()
    assert not Message.objects.filter(to_email=email).exists()
    assert not AuthToken.objects.filter(user_id=pk).exists()
    entry = LogEntry.objects.get(content_type=admin_ct, object_id=str(pk))
    assert email not in entry.object_repr  # the clinician's action is kept, the name is not
    assert PainLog.objects.filter(pk=stranger_log.pk).exists()


@pytest.mark.parametrize(
    ("payload", "field"), [({"password": "wrong"}, "password"), ({}, "password")]
)
def test_deleting_needs_the_password(api, patient, payload, field):
    response = api.delete(ME, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.filter(pk=patient.pk).exists()


def test_retention_purge_drops_old_settled_rows_only(settings, patient):
    now = timezone.now()
    old = now - timedelta(days=settings.RETENTION_MESSAGE_DAYS + 1)

    def message(status: str, created) -> Message:
        row = Message.objects.create(
            dedupe_key=f"k:{status}:{created.timestamp()}",
            kind="reminder",
            channel="email",
            patient=patient,
            to_email=patient.user.email,
            subject="s",
            body="b",
            status=status,
            due_at=created,
        )
        Message.objects.filter(pk=row.pk).update(created_at=created)
        DeliveryAttempt.objects.create(message=row, channel="email", at=created, outcome="sent")
        return row

    _, _, old_pending = (message(s, old) for s in ("sent", "failed", "pending"))
    recent = message("sent", now - timedelta(days=1))
    AuthToken.objects.create(UserFactory(), expiry=timedelta(days=-8))
    live_token, _ = AuthToken.objects.create(patient.user)
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(days=8))
    Session.objects.create(session_key="new", session_data="x", expire_date=now + timedelta(days=1))

    counts = purge_retention()  # the periodic task, run in-process
    assert counts == {"messages": 2, "tokens": 1, "sessions": 1}
    assert set(Message.objects.values_list("pk", flat=True)) == {old_pending.pk, recent.pk}
    assert DeliveryAttempt.objects.count() == 2
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [live_token.pk]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
    assert purge_retention() == {"messages": 0, "tokens": 0, "sessions": 0}  # idempotent


def test_the_purge_is_on_the_beat_schedule():
    from config.celery import app

    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "accounts.purge_retention" in entries

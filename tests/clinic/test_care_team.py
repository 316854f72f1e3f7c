"""The patient links a clinician by entering their invite code, sees the team, removes one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import InviteCode
from clinic.services import INVALID_CODE, invite_code_create
from tests.clinic.conftest import browser_client
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TEAM = "/api/v1/care-team/"


def test_redeeming_a_code_links_the_clinician_who_then_sees_the_patient(api, patient, doctor):
    code = invite_code_create(clinician=doctor, now=timezone.now())
    page = f"/admin/journal/patient/{patient.pk}/change/"
    assert browser_client(doctor).get(page).status_code == 404

    dashed = f"{code.code[:4]}-{code.code[4:]}".lower()  # as read aloud and typed on a phone
    response = api.post(TEAM, {"code": dashed})
    assert response.status_code == 201
    assert response.json() == {"id": doctor.pk, "email": doctor.email}
    assert api.get(TEAM).json() == [{"id": doctor.pk, "email": doctor.email}]
    assert browser_client(doctor).get(page).status_code == 200
    code.refresh_from_db()
    assert code.used_at is not None and code.used_by_id == patient.pk


def test_removing_a_clinician_hides_the_patient_from_them(api, patient, doctor):
    patient.clinicians.add(doctor)
    assert api.delete(f"{TEAM}{doctor.pk}/").status_code == 204
    assert api.get(TEAM).json() == []
    assert (
        browser_client(doctor).get(f"/admin/journal/patient/{patient.pk}/change/").status_code
        == 404
    )
    assert api.delete(f"{TEAM}{doctor.pk}/").status_code == 404


@pytest.mark.parametrize("state", ["used", "expired", "unknown", "not_a_clinician"])
def test_every_bad_code_gets_the_same_400(api, patient, stranger, doctor, state):
    now = timezone.now()
    code = invite_code_create(clinician=doctor, now=now)
    if state == "used":
        client_for(stranger.user).post(TEAM, {"code": code.code})
    elif state == "expired":
        InviteCode.objects.filter(pk=code.pk).update(expires_at=now - timedelta(seconds=1))
    elif state == "unknown":
        code.code = "ZZZZZZZZ" if code.code != "ZZZZZZZZ" else "YYYYYYYY"
    elif state == "not_a_clinician":
        doctor.groups.clear()
    response = api.post(TEAM, {"code": code.code})
    assert response.status_code == 400
    assert response.json() == {"code": [INVALID_CODE]}
    assert not patient.clinicians.exists()


def test_bad_input_is_a_field_error(api):
    assert api.post(TEAM, {}).json() == {"code": ["This field is required."]}
    assert "code" in api.post(TEAM, {"code": "x" * 40}).json()


def test_clinicians_and_strangers_cannot_use_the_patient_endpoints(anon, doctor, stranger, patient):
    assert anon.get(TEAM).status_code == 401
    assert client_for(doctor).get(TEAM).status_code == 403
    patient.clinicians.add(doctor)
    # Another patient cannot remove this patient's clinician.
    assert client_for(stranger.user).delete(f"{TEAM}{doctor.pk}/").status_code == 404
    assert patient.clinicians.filter(pk=doctor.pk).exists()


def test_a_clinician_makes_a_code_in_the_workspace(doctor, doctor_client):
    response = doctor_client.post("/admin/clinic/invitecode/add/", {"note": "Mrs B"}, follow=True)
    code = InviteCode.objects.get(clinician=doctor)
    assert code.note == "Mrs B"
    text = response.content.decode()
    assert f"{code.code[:4]}-{code.code[4:]}" in text
    assert code.expires_at - code.created_at == timedelta(days=7)

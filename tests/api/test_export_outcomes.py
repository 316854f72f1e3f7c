"""The patient's export carries questionnaire responses, insight and clinicians' notes;
erasure removes the responses."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clinic.models import ClinicalNote
from outcomes.models import QuestionnaireResponse
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PEG = {"instrument": "peg", "answers": {"pain": 6, "enjoyment": 5, "activity": 4}}


def test_export_has_responses_insights_and_the_notes_clinicians_wrote(api, patient, clinician):
    api.post("/api/v1/questionnaires/responses/", PEG, format="json")
    api.post(
        "/api/v1/treatments/",
        {"kind": "ice", "site": "arch", "side": "left", "started_at": timezone.now().isoformat()},
    )
    ClinicalNote.objects.create(
        patient=patient, author=clinician, text="Review in two weeks.", created_at=timezone.now()
    )
    body = api.get("/api/v1/me/export/").json()
    assert [(r["instrument"], r["score"]) for r in body["questionnaire_responses"]] == [
        ("peg", 5.0)
    ]
    assert [(i["site"], i["side"]) for i in body["insights"]] == [("arch", "left")]
    assert body["insights"][0]["comparisons"][0]["enough_data"] is False
    (note,) = body["clinical_notes"]
    assert (note["text"], note["author"], note["kind"]) == (
        "Review in two weeks.",
        clinician.email,
        "note",
    )


def test_export_leaves_out_other_patients_notes_and_responses(api, stranger, clinician):
    client_for(stranger.user).post("/api/v1/questionnaires/responses/", PEG, format="json")
    ClinicalNote.objects.create(
        patient=stranger, author=clinician, text="Not yours.", created_at=timezone.now()
    )
    body = api.get("/api/v1/me/export/").json()
    assert body["questionnaire_responses"] == [] and body["clinical_notes"] == []


def test_erasure_removes_responses(api, patient, stranger):
    api.post("/api/v1/questionnaires/responses/", PEG, format="json")
    client_for(stranger.user).post("/api/v1/questionnaires/responses/", PEG, format="json")
    erased = api.delete("/api/v1/me/", {"password": "correct horse battery"}, format="json")
    assert erased.status_code == 204
    assert list(QuestionnaireResponse.objects.values_list("patient_id", flat=True)) == [stranger.pk]

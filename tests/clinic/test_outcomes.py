"""Outcome scores and treatment insight in the workspace: the list, the page, print, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from outcomes.models import QuestionnaireResponse
from tests.clinic.conftest import make_patient

pytestmark = pytest.mark.django_db


def respond(patient, days_ago: int, pain: int, enjoyment: int, activity: int, code="peg"):
    answers = {"pain": pain, "enjoyment": enjoyment, "activity": activity}
    score = Decimal(sum(answers.values())) / 3
    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument=code,
        instrument_version="2009",
        period=f"test-{days_ago}",
        answers=answers,
        score=score.quantize(Decimal("0.01")),
        authored_at=timezone.now() - timedelta(days=days_ago),
    )


def test_my_patients_shows_the_latest_peg_and_a_meaningful_change(doctor, doctor_client):
    better = make_patient(clinician=doctor, alert=False, email="better@example.com")
    respond(better, 21, 6, 6, 6)
    respond(better, 1, 4, 4, 4)  # 6 -> 4: a third lower, past the 30 % threshold
    same = make_patient(clinician=doctor, alert=False, email="same@example.com")
    respond(same, 14, 6, 6, 6)
    respond(same, 2, 5, 6, 6)
    make_patient(clinician=doctor, alert=False, email="never@example.com")
    page = doctor_client.get("/admin/journal/patient/").content.decode()
    assert "PEG 4.00" in page and "-2.00 since first, meaningful improvement" in page
    assert "PEG 5.67" in page and "-0.33 since first</td>" in page
    assert "Not answered" in page


def test_the_patient_page_shows_scores_insight_and_that_notes_are_visible(doctor, doctor_client):
    patient = make_patient(clinician=doctor, alert=False)
    respond(patient, 3, 7, 5, 6)
    page = doctor_client.get(f"/admin/journal/patient/{patient.pk}/change/").content.decode()
    assert 'id="outcome-scores"' in page and "6.00" in page
    assert 'id="treatment-insight"' in page and "Not enough days yet to compare ice" in page
    assert "not proof" in page
    assert "Your notes are visible to the patient" in page
    printed = doctor_client.get(f"/admin/journal/patient/{patient.pk}/print/").content.decode()
    assert "Outcome questionnaires in the period (1)" in printed
    assert "Treatment insight" in printed and "Not enough days yet" in printed


def test_another_clinicians_patient_shows_nothing(doctor_client, theirs):
    respond(theirs, 1, 9, 9, 9)
    assert doctor_client.get(f"/admin/journal/patient/{theirs.pk}/change/").status_code == 404
    assert "9.00" not in doctor_client.get("/admin/journal/patient/").content.decode()


def test_fhir_export_carries_questionnaires_and_responses_that_validate(doctor, doctor_client):
    patient = make_patient(clinician=doctor, alert=False)
    respond(patient, 2, 7, 5, 6)
    QuestionnaireResponse.objects.create(
        patient=patient,
        instrument="pgic",
        instrument_version="1976",
        period="ankle_outer:right:2026-11-01",
        site="ankle_outer",
        side="right",
        answers={"change": 2},
        score=Decimal(2),
        authored_at=timezone.now() - timedelta(days=1),
    )
    data = json.loads(
        doctor_client.get(f"/admin/journal/patient/{patient.pk}/export.fhir.json").content
    )
    Bundle.model_validate(data)
    resources = [e["resource"] for e in data["entry"]]
    questionnaires = [r for r in resources if r["resourceType"] == "Questionnaire"]
    responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    assert sorted(q["id"] for q in questionnaires) == ["peg", "pgic"]
    for resource in questionnaires:
        Questionnaire.model_validate(resource)
    for resource in responses:
        FhirResponse.model_validate(resource)
    peg = next(r for r in responses if r["questionnaire"].endswith("/peg|2009"))
    assert [(i["linkId"], i["answer"][0]["valueInteger"]) for i in peg["item"]] == [
        ("pain", 7),
        ("enjoyment", 5),
        ("activity", 6),
    ]
    pgic = next(r for r in responses if "/pgic|" in r["questionnaire"])
    assert pgic["item"][0]["answer"][0]["valueCoding"] == {"code": "2", "display": "Much improved"}
    assert peg["subject"]["reference"] == data["entry"][0]["fullUrl"]


def test_csv_export_has_a_row_per_response(doctor, doctor_client):
    patient = make_patient(clinician=doctor, alert=False)
    respond(patient, 2, 7, 5, 6)
    body = doctor_client.get(f"/admin/journal/patient/{patient.pk}/export.csv").content.decode()
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r["type"] == "questionnaire"]
    assert [(r["questionnaire"], r["score"], r["answers"]) for r in rows] == [
        ("peg", "6.00", "pain=7 enjoyment=5 activity=6")
    ]

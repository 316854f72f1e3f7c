"""CSV and FHIR exports of one patient's chosen period, in words, validated as FHIR."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from tests.factories import PainLogFactory, TreatmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal(mine):
    now = timezone.now()
    PainLogFactory(
        patient=mine,
        recorded_at=now - timedelta(days=40),
        severity=8,
        site="big_toe",
        side="right",
        notes="=HYPERLINK(evil)",
    )
    TreatmentFactory(patient=mine, kind="heat", started_at=now - timedelta(days=40), minutes=20)
    return mine


def test_csv_has_entries_and_sessions_of_the_period_in_words(doctor_client, journal):
    today = timezone.now().date()
    url = f"/admin/journal/patient/{journal.pk}/export.csv"
    response = doctor_client.get(url, {"from": str(today - timedelta(days=45)), "to": str(today)})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["type"] for r in rows].count("pain entry") == journal.pain_logs.count()
    assert [r["type"] for r in rows].count("ice/heat session") == journal.treatments.count()
    toe = next(r for r in rows if r["site_code"] == "big_toe")
    assert toe["body_site"] == "Right big toe"
    assert toe["severity_0_10"] == "8"
    assert toe["notes"] == "'=HYPERLINK(evil)"  # not a formula in a spreadsheet
    heat = next(r for r in rows if r["treatment"] == "Heat")
    assert heat["minutes"] == "20" and heat["body_site"] == "Right outer ankle"
    assert [r["utc_time"] for r in rows] == sorted(r["utc_time"] for r in rows)

    recent = doctor_client.get(url, {"from": str(today - timedelta(days=10)), "to": str(today)})
    assert "big_toe" not in recent.content.decode()


def test_fhir_bundle_validates_and_carries_loinc_snomed_and_laterality(doctor_client, journal):
    today = timezone.now().date()
    response = doctor_client.get(
        f"/admin/journal/patient/{journal.pk}/export.fhir.json",
        {"from": str(today - timedelta(days=45)), "to": str(today)},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    bundle = Bundle.model_validate(data)  # raises on anything FHIR does not allow
    assert bundle.type == "collection"
    patient_entry, *observations = data["entry"]
    assert patient_entry["resource"]["resourceType"] == "Patient"
    assert len(observations) == journal.pain_logs.count()
    toe = next(o["resource"] for o in observations if o["resource"]["valueInteger"] == 8)
    assert toe["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    # Great toe structure, refined with laterality = right.
    assert toe["bodySite"]["coding"][0]["system"] == "http://snomed.info/sct"
    assert toe["bodySite"]["coding"][0]["code"] == "78883009:272741003=24028007"
    assert toe["bodySite"]["text"] == "Right big toe"
    assert toe["subject"]["reference"] == patient_entry["fullUrl"]
    assert toe["effectiveDateTime"]
    left = next(
        o["resource"]
        for o in observations
        if "left" in o["resource"]["bodySite"]["text"].lower().split()
    )
    assert left["bodySite"]["coding"][0]["code"].endswith(":272741003=7771000")


@pytest.mark.parametrize(
    "query",
    [{"from": "yesterday"}, {"from": "2026-02-30"}, {"from": "2026-05-02", "to": "2026-05-01"}],
)
def test_a_bad_period_is_a_400_not_a_500(doctor_client, mine, query):
    for kind in ("export.csv", "export.fhir.json", "print/"):
        response = doctor_client.get(f"/admin/journal/patient/{mine.pk}/{kind}", query)
        assert response.status_code == 400


def test_print_view_has_the_period_and_a_print_stylesheet(doctor_client, journal):
    today = timezone.now().date()
    response = doctor_client.get(
        f"/admin/journal/patient/{journal.pk}/print/",
        {"from": str(today - timedelta(days=45)), "to": str(today)},
    )
    text = response.content.decode()
    assert "clinic/print.css" in text
    assert "Right big toe" in text and "8/10" in text
    assert "See a doctor within 24 hours" in text  # the alert, in words
    # Our columns are words; the alert's "why" is triage's reason text, worded there.
    entries = text.split("<h2>Pain entries")[1]
    assert "consult_24h" not in entries and "ankle_outer" not in entries

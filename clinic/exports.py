"""One patient's period as CSV (entries and ice/heat sessions) or as a FHIR R4 Bundle of pain
Observations. Pure builders over rows the selectors scoped; the views log the access."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from clinic.words import site_words
from journal.models import PainLog, Patient, Treatment
from journal.sites import SNOMED_CODES, Side
from journal.timezones import zone
from outcomes.instruments import instrument
from outcomes.models import QuestionnaireResponse

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
PAIN_SEVERITY_LOINC = "72514-3"
PAIN_SEVERITY_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
# SNOMED CT laterality, applied to the body structure as a refinement (post-coordination):
# "<site>:272741003|Laterality|=<side>", the form SNOMED's compositional grammar defines.
LATERALITY_ATTRIBUTE = "272741003"
LATERALITY_CODES = {Side.LEFT: "7771000", Side.RIGHT: "24028007"}

CSV_COLUMNS = [
    "type",
    "id",
    "local_time",
    "utc_time",
    "body_site",
    "site_code",
    "side",
    "severity_0_10",
    "swelling",
    "sudden_onset",
    "redness_or_warmth",
    "fever",
    "temperature_c",
    "can_bear_weight",
    "numbness_or_tingling",
    "heard_pop",
    "back_or_leg_pain",
    "treatment",
    "minutes",
    "skin_reaction",
    "questionnaire",
    "period",
    "score",
    "answers",
    "notes",
]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def entries_csv(
    *,
    patient: Patient,
    entries: Iterable[PainLog],
    treatments: Iterable[Treatment],
    responses: Iterable[QuestionnaireResponse] = (),
) -> str:
    tz = zone(patient.timezone)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    rows: list[tuple[datetime, dict[str, Any]]] = []
    for log in entries:
        rows.append(
            (
                log.recorded_at,
                {
                    "type": "pain entry",
                    "id": str(log.id),
                    "local_time": log.recorded_at.astimezone(tz).isoformat(timespec="minutes"),
                    "utc_time": log.recorded_at.isoformat(timespec="seconds"),
                    "body_site": site_words(log.site, log.side),
                    "site_code": log.site,
                    "side": log.get_side_display(),
                    "severity_0_10": log.severity,
                    "swelling": log.get_swelling_display(),
                    "sudden_onset": _yes(log.sudden_onset),
                    "redness_or_warmth": _yes(log.redness_or_warmth),
                    "fever": _yes(log.fever),
                    "temperature_c": "" if log.temperature_c is None else str(log.temperature_c),
                    "can_bear_weight": _yes(log.can_bear_weight),
                    "numbness_or_tingling": _yes(log.numbness_or_tingling),
                    "heard_pop": _yes(log.heard_pop),
                    "back_or_leg_pain": _yes(log.back_or_leg_pain),
                    "notes": _safe(log.notes),
                },
            )
        )
    for treatment in treatments:
        rows.append(
            (
                treatment.started_at,
                {
                    "type": "ice/heat session",
                    "id": str(treatment.id),
                    "local_time": treatment.started_at.astimezone(tz).isoformat(timespec="minutes"),
                    "utc_time": treatment.started_at.isoformat(timespec="seconds"),
                    "body_site": site_words(treatment.site, treatment.side),
                    "site_code": treatment.site,
                    "side": treatment.get_side_display(),
                    "treatment": treatment.get_kind_display(),
                    "minutes": "" if treatment.minutes is None else treatment.minutes,
                    "skin_reaction": _yes(treatment.skin_reaction),
                },
            )
        )
    for response in responses:
        rows.append(
            (
                response.authored_at,
                {
                    "type": "questionnaire",
                    "id": str(response.id),
                    "local_time": response.authored_at.astimezone(tz).isoformat(timespec="minutes"),
                    "utc_time": response.authored_at.isoformat(timespec="seconds"),
                    "body_site": site_words(response.site, response.side) if response.site else "",
                    "site_code": response.site,
                    "questionnaire": response.instrument,
                    "period": response.period,
                    "score": str(response.score),
                    # In the instrument's item order: jsonb keeps keys in its own order.
                    "answers": " ".join(
                        f"{item.code}={response.answers.get(item.code)}"
                        for item in instrument(response.instrument).items
                    ),
                },
            )
        )
    for _, row in sorted(rows, key=lambda pair: pair[0]):
        writer.writerow(row)
    return out.getvalue()


# Spreadsheets skip leading spaces and line breaks before reading a cell as a formula, so
# " =1+1" and "\n@SUM(...)" are formulas too (OWASP's CSV-injection guidance).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _safe(text: str) -> str:
    """A patient's note must not become a formula when the CSV is opened in a spreadsheet."""
    stripped = text.lstrip(" \t\r\n")
    if text[:1] in FORMULA_STARTS or stripped[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def patient_fhir_id(patient: Patient, base_url: str) -> str:
    # Stable across exports of the same patient from the same service, unguessable elsewhere.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}/patients/{patient.pk}"))


def body_site(site: str, side: str) -> dict[str, Any]:
    words = site_words(site, side)
    code = SNOMED_CODES[site]
    if side in LATERALITY_CODES:
        code = f"{code}:{LATERALITY_ATTRIBUTE}={LATERALITY_CODES[side]}"
    return {"coding": [{"system": SNOMED, "code": code, "display": words}], "text": words}


def questionnaire_url(code: str, base_url: str) -> str:
    return f"{base_url}/fhir/Questionnaire/{code}"


def questionnaire_resource(code: str, base_url: str) -> dict[str, Any]:
    """A FHIR Questionnaire from the instrument's definition (outcomes/instruments.json)."""
    definition = instrument(code)
    items = []
    for item in definition.items:
        entry: dict[str, Any] = {"linkId": item.code, "text": item.text, "required": True}
        if item.anchors:
            entry["type"] = "choice"
            entry["answerOption"] = [
                {"valueCoding": {"code": str(value), "display": label}}
                for value, label in enumerate(item.anchors, start=item.min)
            ]
        else:
            entry["type"] = "integer"
        items.append(entry)
    return {
        "resourceType": "Questionnaire",
        "id": code,
        "url": questionnaire_url(code, base_url),
        "version": definition.version,
        "title": definition.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"Recall period: {definition.recall_period}. {definition.scoring.rule}",
        "copyright": f"{definition.source}. {definition.terms}",
        "item": items,
    }


def response_resource(response: QuestionnaireResponse, patient_id: str, base_url: str) -> dict:
    definition = instrument(response.instrument)
    items = []
    for item in definition.items:
        value = response.answers[item.code]
        if item.anchors:
            label = item.anchors[value - item.min]
            answer = {"valueCoding": {"code": str(value), "display": label}}
        else:
            answer = {"valueInteger": value}
        items.append({"linkId": item.code, "text": item.text, "answer": [answer]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.id),
        "questionnaire": f"{questionnaire_url(response.instrument, base_url)}|{definition.version}",
        "status": "completed",
        "subject": {"reference": f"urn:uuid:{patient_id}"},
        "authored": response.authored_at.isoformat(timespec="seconds"),
        "item": items,
    }


def pain_bundle(
    *,
    patient: Patient,
    entries: Iterable[PainLog],
    base_url: str,
    now: datetime,
    responses: Iterable[QuestionnaireResponse] = (),
) -> dict[str, Any]:
    """A FHIR R4 Bundle (type collection): the Patient, one Observation per entry, then each
    Questionnaire answered and one QuestionnaireResponse per response."""
    patient_id = patient_fhir_id(patient, base_url)
    patient_resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient_id,
        "identifier": [{"system": f"{base_url}/patients", "value": str(patient.pk)}],
        "telecom": [{"system": "email", "value": patient.user.email}],
    }
    if patient.date_of_birth:
        patient_resource["birthDate"] = patient.date_of_birth.isoformat()
    resources: list[dict[str, Any]] = [
        {"fullUrl": f"urn:uuid:{patient_id}", "resource": patient_resource}
    ]
    for log in entries:
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(log.id),
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "survey",
                            "display": "Survey",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [
                    {"system": LOINC, "code": PAIN_SEVERITY_LOINC, "display": PAIN_SEVERITY_DISPLAY}
                ],
                "text": "Pain severity (0-10)",
            },
            "subject": {"reference": f"urn:uuid:{patient_id}"},
            "effectiveDateTime": log.recorded_at.isoformat(timespec="seconds"),
            "issued": log.created_at.isoformat(timespec="seconds"),
            "valueInteger": log.severity,
            "bodySite": body_site(log.site, log.side),
        }
        if log.notes:
            observation["note"] = [{"text": log.notes}]
        resources.append({"fullUrl": f"urn:uuid:{log.id}", "resource": observation})
    responses = list(responses)
    for code in sorted({r.instrument for r in responses}):
        resources.append(
            {
                "fullUrl": questionnaire_url(code, base_url),
                "resource": questionnaire_resource(code, base_url),
            }
        )
    for response in responses:
        resources.append(
            {
                "fullUrl": f"urn:uuid:{response.id}",
                "resource": response_resource(response, patient_id, base_url),
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(timespec="seconds"),
        "entry": resources,
    }

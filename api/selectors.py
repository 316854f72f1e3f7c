"""Reads about a whole account: the patient's own export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from clinic.models import ClinicalNote
from journal.models import PainLog, Patient, Treatment
from notify.models import DeliveryAttempt, Device, Message
from outcomes.insights import SiteInsight
from outcomes.models import QuestionnaireResponse
from outcomes.selectors import insights_for
from triage.models import Alert, PatientAssessment


@dataclass(frozen=True, slots=True)
class AccountExport:
    """Everything stored about one patient; each part scoped by the patient's own id."""

    exported_at: datetime
    user: User
    patient: Patient
    pain_logs: QuerySet[PainLog]
    treatments: QuerySet[Treatment]
    alerts: QuerySet[Alert]
    assessment: PatientAssessment | None  # the latest stored triage assessment
    devices: QuerySet[Device]
    messages: QuerySet[Message]
    care_team: QuerySet[User]
    questionnaire_responses: QuerySet[QuestionnaireResponse]
    insights: list[SiteInsight]  # computed now: insight is never stored
    clinical_notes: QuerySet[ClinicalNote]  # what clinicians wrote about the patient


def account_export(*, user: User) -> AccountExport:
    """For the patient API only (IsPatient): every query filters on the caller's own id."""
    patient = Patient.objects.select_related("user", "assessment").get(pk=user.pk)
    return AccountExport(
        exported_at=timezone.now(),
        user=patient.user,
        patient=patient,
        pain_logs=PainLog.objects.filter(patient_id=user.pk).order_by("recorded_at", "id"),
        treatments=Treatment.objects.filter(patient_id=user.pk).order_by("started_at", "id"),
        alerts=Alert.objects.filter(patient_id=user.pk).order_by("opened_at", "id"),
        assessment=getattr(patient, "assessment", None),
        devices=Device.objects.filter(patient_id=user.pk).order_by("created_at", "id"),
        messages=(
            Message.objects.filter(patient_id=user.pk)
            .order_by("created_at", "id")
            .prefetch_related(
                Prefetch("delivery_attempts", queryset=DeliveryAttempt.objects.order_by("at", "id"))
            )
        ),
        # The care team is the patient<->clinician link (Patient.clinicians).
        care_team=patient.clinicians.order_by("email"),
        questionnaire_responses=QuestionnaireResponse.objects.filter(patient_id=user.pk).order_by(
            "authored_at", "id"
        ),
        insights=insights_for(patient=patient, now=timezone.now()),
        # Right of access covers the clinicians' notes too (the open-notes rules); the
        # workspace tells clinicians so above the notes form.
        clinical_notes=ClinicalNote.objects.filter(patient_id=user.pk)
        .select_related("author", "alert")
        .order_by("created_at", "id"),
    )

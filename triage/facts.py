"""Build the immutable facts the rules read from the database: three indexed queries."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Min

from journal.models import PAIN_LOG_FINDINGS, PainLog, Patient, Treatment
from journal.timezones import zone
from triage.domain import Entry, PatientFacts, Profile
from triage.domain import Treatment as TreatmentFact
from triage.models import ACTIVE_STATUSES, Alert
from triage.rules import LOOKBACK

_ENTRY_FIELDS = ("id", *PAIN_LOG_FINDINGS)
_TREATMENT_FIELDS = ("id", "kind", "site", "side", "started_at", "minutes", "skin_reaction")


def patient_facts(*, patient: Patient, now: datetime) -> PatientFacts:
    tz = zone(patient.timezone)
    since = now - LOOKBACK
    # An episode with an open alert is read from its start, however long ago: if the window
    # cut it, its start date (part of the alert's key) would slide forward every day and a
    # months-long episode would resolve and re-open its alert daily.
    anchor = Alert.objects.filter(
        patient_id=patient.pk, status__in=ACTIVE_STATUSES, episode_start__isnull=False
    ).aggregate(first=Min("episode_start"))["first"]
    if anchor is not None:
        since = min(since, datetime.combine(anchor - timedelta(days=1), time.min, tzinfo=tz))
    entries = tuple(
        Entry(**{**row, "temperature_c": _float(row["temperature_c"])})
        for row in PainLog.objects.filter(patient_id=patient.pk, recorded_at__gte=since).values(
            *_ENTRY_FIELDS
        )
    )
    treatments = tuple(
        TreatmentFact(**row)
        for row in Treatment.objects.filter(patient_id=patient.pk, started_at__gte=since).values(
            *_TREATMENT_FIELDS
        )
    )
    profile = Profile(
        timezone=tz,
        has_diabetes=patient.has_diabetes,
        has_circulation_problems=patient.has_circulation_problems,
        has_reduced_sensation=patient.has_reduced_sensation,
        date_of_birth=patient.date_of_birth,
    )
    return PatientFacts(profile=profile, now=now, entries=entries, treatments=treatments)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]

"""Demo data for `make run`: a clinician and a patient with three weeks of entries."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import CLINICIANS_GROUP, User
from clinic.models import ClinicianProfile
from clinic.services import invite_code_create, invite_code_redeem
from journal.models import PainLog, Patient, Swelling, Treatment, TreatmentKind
from journal.services import patient_lock
from journal.timezones import zone
from outcomes.instruments import instrument, score
from outcomes.models import QuestionnaireResponse
from outcomes.periods import week_period
from triage.services import patient_reassess

CLINICIAN = ("clinician@example.com", "demo-clinician-pass")
PATIENT = ("patient@example.com", "demo-patient-pass")
PATIENT_TZ = "Europe/London"


class Command(BaseCommand):
    help = "Create (or reset) the demo clinician and patient with three weeks of entries."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            now = timezone.now()
            clinician = _user(*CLINICIAN, staff=True)
            clinician.groups.add(Group.objects.get_or_create(name=CLINICIANS_GROUP)[0])
            patient_user = _user(*PATIENT, staff=False)
            # The demo's email reminders and alerts must flow: its address counts as checked.
            patient_user.email_verified_at = patient_user.email_verified_at or now
            patient_user.save(update_fields=["email_verified_at"])
            patient, _ = Patient.objects.get_or_create(user=patient_user)
            patient.timezone = PATIENT_TZ
            patient.reminder_channels = ["email"]
            patient.alert_channels = ["email"]
            # The demo's first reminder goes out a minute after start, not at 20:00.
            patient.next_reminder_at = now + timedelta(minutes=1)
            patient.save()
            # Linked as in real life: the clinician makes an invite code in the workspace and
            # the patient enters it in the app (POST /api/v1/care-team/).
            ClinicianProfile.objects.update_or_create(
                user=clinician, defaults={"timezone": PATIENT_TZ}
            )
            patient.clinicians.clear()
            invite = invite_code_create(clinician=clinician, now=now, note="Alex Morgan")
            invite_code_redeem(patient=patient, code=invite.code, now=now)
            for related in (
                patient.pain_logs,
                patient.treatments,
                patient.alerts,
                patient.messages,
                patient.clinical_notes,
                patient.questionnaire_responses,
            ):
                related.all().delete()
            logs, treatments = _journal(patient, now)
            PainLog.objects.bulk_create(logs)
            Treatment.objects.bulk_create(treatments)
            # Two earlier weekly PEGs (this week's is still due, for the demo's reminder).
            QuestionnaireResponse.objects.bulk_create(_pegs(patient, now))
            # Triage the journal as the API would: the heel opens an alert, emailed to the
            # patient and (at "within 24 hours") to the clinician.
            reassessment = patient_reassess(patient=patient_lock(patient.pk), now=now)
        self.stdout.write(self.style.SUCCESS("Demo data ready:"))
        self.stdout.write(f"  clinician (workspace /admin/): {CLINICIAN[0]} / {CLINICIAN[1]}")
        self.stdout.write(f"  patient   (API):          {PATIENT[0]} / {PATIENT[1]}")
        self.stdout.write(f"  linked by invite code {invite.code}, redeemed by the patient")
        self.stdout.write(f"  {len(logs)} pain entries and {len(treatments)} ice/heat sessions")
        self.stdout.write(
            f"  triage: {reassessment.assessment.level.code}, "
            f"{len(reassessment.changes.opened)} alert(s) opened; emails print in the worker log"
        )


def _pegs(patient: Patient, now: datetime) -> list[QuestionnaireResponse]:
    peg = instrument("peg")
    tz = zone(patient.timezone)
    found = []
    for weeks_ago, answers in ((2, (7, 6, 6)), (1, (6, 5, 4))):
        at = now - timedelta(weeks=weeks_ago)
        values = dict(zip(("pain", "enjoyment", "activity"), answers, strict=True))
        found.append(
            QuestionnaireResponse(
                patient=patient,
                instrument="peg",
                instrument_version=peg.version,
                period=week_period(at.astimezone(tz).date()),
                answers=values,
                score=score(peg, values),
                authored_at=at,
            )
        )
    return found


def _user(email: str, password: str, *, staff: bool) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"is_staff": staff})
    user.is_staff = staff
    user.set_password(password)
    user.save()
    return user


def _journal(patient: Patient, now: datetime) -> tuple[list[PainLog], list[Treatment]]:
    """An outer-ankle sprain three weeks ago that settles, then heel pain this week that
    doesn't, red and warm by yesterday. Nothing is logged today, so today's reminder is due."""
    rng = random.Random(20261121)  # stable demo, same every run
    tz = zone(patient.timezone)
    today = now.astimezone(tz).date()
    logs: list[PainLog] = []
    treatments: list[Treatment] = []
    for days_ago in range(21, 0, -1):
        day = today - timedelta(days=days_ago)
        evening = datetime.combine(day, time(19, rng.randint(0, 50)), tzinfo=tz)
        if evening > now:
            evening = now - timedelta(minutes=5)
        sprain_day = 21 - days_ago
        # The ankle is logged every day, down to 0 once it settles.
        severity = max(0, 7 - sprain_day // 2 - rng.randint(0, 1))
        swelling = (
            Swelling.MODERATE
            if sprain_day < 3
            else Swelling.MILD
            if sprain_day < 7
            else Swelling.NONE
        )
        logs.append(
            PainLog(
                patient=patient,
                recorded_at=evening,
                site="ankle_outer",
                side="right",
                severity=severity,
                swelling=swelling,
                sudden_onset=sprain_day == 0,
                notes="Rolled it on the stairs" if sprain_day == 0 else "",
            )
        )
        if sprain_day < 6:
            treatments.append(
                Treatment(
                    patient=patient,
                    kind=TreatmentKind.ICE,
                    site="ankle_outer",
                    side="right",
                    started_at=evening - timedelta(hours=2),
                    minutes=rng.choice([10, 12, 15]),
                )
            )
        if days_ago <= 4:
            logs.append(
                PainLog(
                    patient=patient,
                    recorded_at=evening - timedelta(hours=11),
                    site="achilles",
                    side="left",
                    severity=5 + (4 - days_ago) // 2,
                    swelling=Swelling.MILD,
                    redness_or_warmth=days_ago == 1,
                    notes="Back of the heel rubs on my shoes",
                )
            )
            treatments.append(
                Treatment(
                    patient=patient,
                    kind=TreatmentKind.HEAT,
                    site="achilles",
                    side="left",
                    started_at=evening - timedelta(hours=1),
                    minutes=15,
                )
            )
    return logs, treatments

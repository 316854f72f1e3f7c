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
from journal.models import PainLog, Patient, Swelling, Treatment, TreatmentKind
from journal.timezones import zone

CLINICIAN = ("clinician@example.com", "demo-clinician-pass")
PATIENT = ("patient@example.com", "demo-patient-pass")
PATIENT_TZ = "Europe/London"


class Command(BaseCommand):
    help = "Create (or reset) the demo clinician and patient with three weeks of entries."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            clinician = _user(*CLINICIAN, staff=True)
            clinician.groups.add(Group.objects.get_or_create(name=CLINICIANS_GROUP)[0])
            patient_user = _user(*PATIENT, staff=False)
            patient, _ = Patient.objects.get_or_create(user=patient_user)
            patient.timezone = PATIENT_TZ
            patient.save()
            patient.clinicians.add(clinician)
            patient.pain_logs.all().delete()
            patient.treatments.all().delete()
            logs, treatments = _journal(patient, timezone.now())
            PainLog.objects.bulk_create(logs)
            Treatment.objects.bulk_create(treatments)
        self.stdout.write(self.style.SUCCESS("Demo data ready:"))
        self.stdout.write(f"  clinician (admin /admin/): {CLINICIAN[0]} / {CLINICIAN[1]}")
        self.stdout.write(f"  patient   (API):          {PATIENT[0]} / {PATIENT[1]}")
        self.stdout.write(f"  {len(logs)} pain entries and {len(treatments)} ice/heat sessions")


def _user(email: str, password: str, *, staff: bool) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"is_staff": staff})
    user.is_staff = staff
    user.set_password(password)
    user.save()
    return user


def _journal(patient: Patient, now: datetime) -> tuple[list[PainLog], list[Treatment]]:
    """An outer-ankle sprain three weeks ago that settles, then heel pain this week that doesn't."""
    rng = random.Random(20261121)  # stable demo, same every run
    tz = zone(patient.timezone)
    today = now.astimezone(tz).date()
    logs: list[PainLog] = []
    treatments: list[Treatment] = []
    for days_ago in range(20, -1, -1):
        day = today - timedelta(days=days_ago)
        evening = datetime.combine(day, time(19, rng.randint(0, 50)), tzinfo=tz)
        if evening > now:
            evening = now - timedelta(minutes=5)
        sprain_day = 20 - days_ago
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
                    site="heel_bottom",
                    side="left",
                    severity=5 + (4 - days_ago) // 2,
                    notes="Stabbing pain first steps in the morning",
                )
            )
            treatments.append(
                Treatment(
                    patient=patient,
                    kind=TreatmentKind.HEAT,
                    site="heel_bottom",
                    side="left",
                    started_at=evening - timedelta(hours=1),
                    minutes=15,
                )
            )
    return logs, treatments

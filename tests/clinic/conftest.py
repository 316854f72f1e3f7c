from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import CLINICIANS_GROUP
from clinic.models import ClinicianProfile
from journal.models import Patient
from journal.services import patient_lock
from tests.factories import PainLogFactory, PatientFactory, TreatmentFactory, UserFactory
from triage.services import patient_reassess


def make_clinician(email: str | None = None, zone: str = "Europe/London"):
    user = UserFactory(is_staff=True, **({"email": email} if email else {}))
    user.groups.add(Group.objects.get_or_create(name=CLINICIANS_GROUP)[0])
    ClinicianProfile.objects.create(user=user, timezone=zone)
    return user


def make_patient(*, clinician=None, alert: bool = True, days: int = 5, email: str | None = None):
    """A patient with a few days of entries and an ice session; with ``alert`` the last entry
    is red, warm and feverish, which opens a "see a doctor within 24 hours" alert."""
    patient = PatientFactory(**({"user__email": email} if email else {}))
    now = timezone.now()
    for n in range(days, 0, -1):
        PainLogFactory(patient=patient, recorded_at=now - timedelta(days=n), severity=3 + n % 3)
    TreatmentFactory(patient=patient, started_at=now - timedelta(days=2), minutes=15)
    if alert:
        PainLogFactory(
            patient=patient,
            recorded_at=now - timedelta(hours=2),
            severity=6,
            site="achilles",
            side="left",
            fever=True,
            temperature_c=38.6,
            redness_or_warmth=True,
            notes="Hot and red",
        )
    with transaction.atomic():
        patient_reassess(patient=patient_lock(patient.pk), now=now)
    if clinician is not None:
        patient.clinicians.add(clinician)
    return Patient.objects.select_related("user").get(pk=patient.pk)


def browser_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def doctor(db):
    return make_clinician("doctor@example.com")


@pytest.fixture
def other_doctor(db):
    return make_clinician("other.doctor@example.com", zone="America/New_York")


@pytest.fixture
def mine(doctor):
    return make_patient(clinician=doctor, email="mine@example.com")


@pytest.fixture
def theirs(other_doctor):
    return make_patient(clinician=other_doctor, email="theirs@example.com")


@pytest.fixture
def doctor_client(doctor) -> Client:
    return browser_client(doctor)

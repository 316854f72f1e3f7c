"""Who sees whose data: the one set of scoping selectors every read goes through."""

import pytest

from accounts.models import User
from journal.selectors import pain_logs_visible_to, patients_visible_to, treatments_visible_to
from tests.factories import PainLogFactory, PatientFactory, TreatmentFactory

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def test_patient_sees_only_themself(patient, stranger):
    PainLogFactory(patient=patient)
    PainLogFactory(patient=stranger)
    assert list(patients_visible_to(patient.user)) == [patient]
    assert {log.patient_id for log in pain_logs_visible_to(patient.user)} == {patient.pk}


def test_clinician_sees_only_assigned_patients(clinician, patient, stranger):
    patient.clinicians.add(clinician)
    PainLogFactory(patient=patient)
    PainLogFactory(patient=stranger)
    TreatmentFactory(patient=stranger)
    assert list(patients_visible_to(clinician)) == [patient]
    assert {log.patient_id for log in pain_logs_visible_to(clinician)} == {patient.pk}
    assert list(treatments_visible_to(clinician)) == []


def test_staff_outside_the_clinicians_group_sees_nobody(patient):
    staff = User.objects.create_user(email="ops@example.com", password="x", is_staff=True)
    PatientFactory()
    assert list(patients_visible_to(staff)) == []


def test_inactive_users_see_nothing(clinician, patient):
    patient.clinicians.add(clinician)
    clinician.is_active = False
    assert list(patients_visible_to(clinician)) == []


def test_superuser_sees_everyone(patient, stranger):
    admin = User.objects.create_superuser(email="root@example.com", password="x")
    assert set(patients_visible_to(admin)) == {patient, stranger}

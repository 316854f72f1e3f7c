"""The patient lock gives the patient as the ORM reads it, and only inside a transaction."""

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from journal.models import Patient
from journal.services import patient_lock
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _fields(patient: Patient) -> dict:
    return {f.attname: getattr(patient, f.attname) for f in Patient._meta.concrete_fields}


def test_the_locked_patient_is_the_one_the_orm_reads():
    patient = PatientFactory(
        timezone="America/Santiago",
        has_diabetes=True,
        alert_channels=["email"],
        reminder_channels=["push", "email"],
    )
    other = PatientFactory()
    with transaction.atomic():
        locked = patient_lock(patient.pk)
        assert _fields(locked) == _fields(Patient.objects.get(pk=patient.pk))
        assert not locked._state.adding and locked._state.db == "default"
        assert _fields(patient_lock(other.pk)) == _fields(Patient.objects.get(pk=other.pk))


def test_an_unknown_patient_is_does_not_exist():
    with transaction.atomic(), pytest.raises(Patient.DoesNotExist):
        patient_lock(987654)


@pytest.mark.django_db(transaction=True)  # the other tests run inside pytest's transaction
def test_locking_outside_a_transaction_is_refused():
    patient = PatientFactory()
    with pytest.raises(TransactionManagementError):
        patient_lock(patient.pk)

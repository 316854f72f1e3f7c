"""Periodic re-assessment: time alone can open (pain not going away) or resolve alerts."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from journal.models import Patient
from journal.services import patient_lock
from triage.selectors import patient_ids_due_for_reassessment
from triage.services import patient_reassess

CHUNK = 200


@shared_task(name="triage.reassess_due", acks_late=True, ignore_result=True)
def reassess_due() -> int:
    """Select, with one query, who can change with time; fan out in chunks."""
    ids = list(patient_ids_due_for_reassessment(now=timezone.now()).iterator(chunk_size=2000))
    for start in range(0, len(ids), CHUNK):
        reassess_patients.delay(ids[start : start + CHUNK])
    return len(ids)


@shared_task(name="triage.reassess_patients", acks_late=True, ignore_result=True)
def reassess_patients(patient_ids: list[int]) -> int:
    """Idempotent: re-assessing an unchanged patient changes nothing."""
    now = timezone.now()
    done = 0
    for patient_id in patient_ids:
        with transaction.atomic():
            try:
                patient = patient_lock(patient_id)
            except Patient.DoesNotExist:
                continue  # deleted since it was selected
            patient_reassess(patient=patient, now=now)
            done += 1
    return done

"""Periodic re-assessment: time alone can open (pain not going away) or resolve alerts.

Only the patients whose stored next-change instant has come are re-assessed, a chunk of
them per task with set-based reads (see triage.services.patients_reassess_due).
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from triage.selectors import patient_ids_due_for_reassessment
from triage.services import patients_reassess_due

CHUNK = 200
# One run hands out at most this many; the rest stay due for the next run. Bounds a run after
# an outage instead of queueing everybody at once.
MAX_PER_RUN = 50_000


@shared_task(name="triage.reassess_due", acks_late=True, ignore_result=True)
def reassess_due() -> int:
    """Select, with one indexed query, who is due; fan out in chunks."""
    ids = list(patient_ids_due_for_reassessment(now=timezone.now(), limit=MAX_PER_RUN))
    for start in range(0, len(ids), CHUNK):
        reassess_patients.delay(ids[start : start + CHUNK])
    return len(ids)


@shared_task(name="triage.reassess_patients", acks_late=True, ignore_result=True)
def reassess_patients(patient_ids: list[int]) -> int:
    """Idempotent: a patient no longer due (re-assessed since) is skipped."""
    return patients_reassess_due(patient_ids=patient_ids, now=timezone.now())

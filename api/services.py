"""The journal's write use cases: store, re-assess, announce, in one transaction.

Each holds the patient's row lock (journal.services.patient_lock) around the journal's own
write, keeps notify's reminder and treatment-timer rows in step, and re-assesses the patient
(triage.services.patient_reassess, which opens, escalates or resolves alerts and writes their
outbox rows in the same transaction). They live here, above journal, triage and notify,
because they compose all three; journal alone knows only how an entry is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from journal import services as journal
from journal.models import PainLog, Patient, Treatment
from journal.services import SyncOutcome, patient_lock
from notify.services import reminder_reschedule, timer_cancel, treatment_timer_sync
from triage.services import Reassessment, patient_reassess
from triage.state import Touched

T = TypeVar("T")

# Profile fields that move the next reminder.
REMINDER_FIELDS = {"timezone", "reminder_time", "reminders_enabled"}


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """What a journal write stored, and the assessment made in the same transaction."""

    obj: T
    triage: Reassessment


def _reassess(patient: Patient, touched: Touched | None = None) -> Reassessment:
    return patient_reassess(patient=patient, now=timezone.now(), touched=touched)


def _entries_touched(rows: list[tuple[str, str, datetime]]) -> Touched:
    """Each place's earliest instant among the rows written, moved or removed there."""
    earliest: dict[tuple[str, str], datetime] = {}
    for site, side, moment in rows:
        place = (site, side)
        earliest[place] = min(earliest.get(place, moment), moment)
    return Touched(entries=earliest)


def _log_row(log_id: object) -> list[tuple[str, str, datetime]]:
    """The entry as stored, read under the patient's lock (the caller's copy may be stale)."""
    return list(PainLog.objects.filter(pk=log_id).values_list("site", "side", "recorded_at"))


def _sessions_touched(*treatments: Treatment) -> Touched:
    return Touched(sessions=frozenset((t.site, t.side) for t in treatments))


def patient_update(*, patient: Patient, data: dict[str, Any]) -> Patient:
    """Profile changes (diabetes, time zone) can change the advice, so they re-assess too."""
    with transaction.atomic():
        locked = journal.patient_change(patient=patient_lock(patient.pk), data=data)
        if REMINDER_FIELDS & set(data):
            reminder_reschedule(patient=locked, now=timezone.now())
        _reassess(locked)
    return locked


# --- pain logs ----------------------------------------------------------------------------


def pain_log_create(*, patient: Patient, data: dict[str, Any]) -> Written[PainLog]:
    try:
        with transaction.atomic():
            locked = patient_lock(patient.pk)
            log = journal.pain_log_store(patient=locked, data=data)
            touched = _entries_touched([(log.site, log.side, log.recorded_at)])
            return Written(log, _reassess(locked, touched))
    except IntegrityError:
        # The transaction is rolled back; only now is it safe to ask why.
        if "id" in data and PainLog.objects.filter(pk=data["id"]).exists():
            raise ValidationError(
                {"id": ["An entry with this id already exists; use PATCH or sync to change it."]}
            ) from None
        raise


def pain_log_update(*, log: PainLog, data: dict[str, Any]) -> Written[PainLog]:
    with transaction.atomic():
        locked_patient = patient_lock(log.patient_id)
        before = _log_row(log.pk)
        changed = journal.pain_log_change(log=log, data=data)
        after = (changed.site, changed.side, changed.recorded_at)
        return Written(changed, _reassess(locked_patient, _entries_touched([*before, after])))


def pain_log_delete(*, log: PainLog) -> Reassessment:
    with transaction.atomic():
        locked = patient_lock(log.patient_id)
        before = _log_row(log.pk)
        journal.pain_log_remove(log=log)
        return _reassess(locked, _entries_touched(before))


def pain_logs_sync(
    *, patient: Patient, items: list[dict[str, Any]]
) -> tuple[list[SyncOutcome], Reassessment]:
    """Upsert validated entries by id (journal.services.pain_logs_upsert), then re-assess
    once for the whole batch."""
    with transaction.atomic():
        locked = patient_lock(patient.pk)
        outcomes = journal.pain_logs_upsert(patient=locked, items=items)
        rows = [outcome.was for outcome in outcomes if outcome.was is not None]
        for item, outcome in zip(items, outcomes, strict=True):
            if outcome.status in {"created", "updated"}:
                rows.append((item["site"], item["side"], item["recorded_at"]))
        return outcomes, _reassess(locked, _entries_touched(rows))


# --- treatments ---------------------------------------------------------------------------


def treatment_create(*, patient: Patient, data: dict[str, Any]) -> Written[Treatment]:
    with transaction.atomic():
        locked = patient_lock(patient.pk)
        treatment = journal.treatment_store(patient=locked, data=data)
        treatment_timer_sync(treatment=treatment, now=timezone.now())
        return Written(treatment, _reassess(locked, _sessions_touched(treatment)))


def treatment_update(*, treatment: Treatment, data: dict[str, Any]) -> Written[Treatment]:
    with transaction.atomic():
        locked_patient = patient_lock(treatment.patient_id)
        # The session as stored, read under the lock: a move leaves its old place to redo.
        before = Treatment.objects.get(pk=treatment.pk)
        changed = journal.treatment_change(treatment=treatment, data=data)
        treatment_timer_sync(treatment=changed, now=timezone.now())
        return Written(changed, _reassess(locked_patient, _sessions_touched(before, changed)))


def treatment_delete(*, treatment: Treatment) -> Reassessment:
    with transaction.atomic():
        locked = patient_lock(treatment.patient_id)
        timer_cancel(subject_ref=f"treatment:{treatment.pk}")
        journal.treatment_remove(treatment=treatment)
        return _reassess(locked, _sessions_touched(treatment))

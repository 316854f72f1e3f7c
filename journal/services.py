"""Writes to the journal. The ones that change a patient's entries, sessions or profile run
inside a transaction holding the patient's row lock (``patient_lock``), so concurrent writes
for one patient (two copies of a sync batch, a POST racing a sync) serialise instead of
colliding on a primary key or double-counting an alert. The transaction, the re-assessment
and the notifications around them are the use cases in api.services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from accounts.models import User
from journal.bulk import copy_insert
from journal.models import PAIN_LOG_CONTENT, PainLog, Patient, Treatment

SYNC_FIELDS = PAIN_LOG_CONTENT


def patient_lock(patient_id: int) -> Patient:
    """Serialise writes for one patient; call inside transaction.atomic."""
    # SELECT ... FOR UPDATE on PostgreSQL; SQLite has no row locks and serialises writers
    # anyway (IMMEDIATE transactions, config/settings). Django refuses FOR UPDATE outside a
    # transaction only where the database has it; refusing everywhere keeps SQLite runs honest.
    if connection.get_autocommit():
        raise TransactionManagementError("patient_lock must run inside transaction.atomic")
    return Patient.objects.select_for_update().get(pk=patient_id)


def patient_create(*, user: User, timezone_name: str) -> Patient:
    """A patient profile for a new account; call inside the registration's transaction."""
    return Patient.objects.create(user=user, timezone=timezone_name)


def patient_change(*, patient: Patient, data: dict[str, Any]) -> Patient:
    """Store profile changes on the locked ``patient`` (from ``patient_lock``)."""
    for name, value in data.items():
        setattr(patient, name, value)
    patient.save(update_fields=list(data) or None)
    return patient


# --- pain logs ----------------------------------------------------------------------------
# These store; the use cases in api.services hold the lock around them and re-assess.


def pain_log_store(*, patient: Patient, data: dict[str, Any]) -> PainLog:
    """A new entry; call holding the patient's lock. An id already taken is an
    IntegrityError from the INSERT itself (no query to ask first)."""
    log = PainLog(patient=patient, **data)
    log.save(force_insert=True)
    return log


def pain_log_change(*, log: PainLog, data: dict[str, Any]) -> PainLog:
    """Correct an entry; call holding its patient's lock."""
    locked = PainLog.objects.select_for_update().get(pk=log.pk)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.save()
    return locked


def pain_log_remove(*, log: PainLog) -> None:
    """Delete an entry; call holding its patient's lock."""
    PainLog.objects.filter(pk=log.pk).delete()


@dataclass(slots=True)
class SyncOutcome:
    id: str | None
    status: str  # created | updated | unchanged | invalid
    errors: dict[str, Any] | None = field(default=None)
    # For "updated": the (site, side, recorded_at) it had before, which a caller that
    # re-assesses by place needs and would otherwise read again.
    was: tuple[str, str, datetime] | None = None


def pain_logs_upsert(*, patient: Patient, items: list[dict[str, Any]]) -> list[SyncOutcome]:
    """Upsert validated entries by id; repeating a batch changes nothing. Call holding the
    patient's lock: it is what makes two concurrent copies of a batch store each entry once.

    ``items`` are validated dicts with an ``id``; the order of the outcomes matches.
    """
    now = timezone.now()
    outcomes: list[SyncOutcome] = []
    ids = {item["id"] for item in items}
    existing = {log.pk: log for log in PainLog.objects.filter(pk__in=ids)}
    to_create: dict[UUID, PainLog] = {}
    to_update: dict[UUID, PainLog] = {}
    for item in items:
        log_id = item["id"]
        values = {name: item[name] for name in SYNC_FIELDS}
        current = existing.get(log_id) or to_create.get(log_id)
        if current is None:
            to_create[log_id] = PainLog(id=log_id, patient_id=patient.pk, **values)
            outcomes.append(SyncOutcome(id=str(log_id), status="created"))
            continue
        if current.patient_id != patient.pk:
            outcomes.append(
                SyncOutcome(
                    id=str(log_id),
                    status="invalid",
                    errors={"id": ["This id cannot be used; generate a new one."]},
                )
            )
            continue
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        if not changed:
            outcomes.append(SyncOutcome(id=str(log_id), status="unchanged"))
            continue
        was = (current.site, current.side, current.recorded_at)
        for name in changed:
            setattr(current, name, values[name])
        current.updated_at = now
        if log_id not in to_create:
            to_update[log_id] = current
        outcomes.append(SyncOutcome(id=str(log_id), status="updated", was=was))
    copy_insert(list(to_create.values()))
    if to_update:
        PainLog.objects.bulk_update(to_update.values(), [*SYNC_FIELDS, "updated_at"])
    return outcomes


# --- treatments ---------------------------------------------------------------------------


def treatment_store(*, patient: Patient, data: dict[str, Any]) -> Treatment:
    """A new ice or heat session; call holding the patient's lock."""
    treatment_id = data.get("id")
    if treatment_id is not None and Treatment.objects.filter(pk=treatment_id).exists():
        raise ValidationError({"id": ["A treatment with this id already exists."]})
    return Treatment.objects.create(patient=patient, **data)


def treatment_change(*, treatment: Treatment, data: dict[str, Any]) -> Treatment:
    """Finish or correct a session; call holding its patient's lock."""
    locked = Treatment.objects.select_for_update().get(pk=treatment.pk)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.save()
    return locked


def treatment_remove(*, treatment: Treatment) -> None:
    """Delete a session; call holding its patient's lock."""
    Treatment.objects.filter(pk=treatment.pk).delete()

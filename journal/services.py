"""Writes. Each runs in one transaction holding the patient's row lock, so concurrent
writes for one patient (two copies of a sync batch, a POST racing a sync) serialise
instead of colliding on a primary key or double-counting an alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from accounts.models import User, normalize_email
from accounts.services import email_verification_send
from journal.bulk import copy_insert, insert_statement
from journal.compiled import CompiledSelect
from journal.models import PAIN_LOG_CONTENT, PainLog, Patient, Treatment
from notify.services import reminder_reschedule, timer_cancel, treatment_timer_sync
from triage.services import Reassessment, patient_reassess

T = TypeVar("T")

REMINDER_FIELDS = {"timezone", "reminder_time", "reminders_enabled"}

SYNC_FIELDS = PAIN_LOG_CONTENT


_PATIENT_FOR_UPDATE = CompiledSelect(
    Patient, lambda pk: Patient.objects.select_for_update().filter(pk=pk)
)


def patient_lock(patient_id: int) -> Patient:
    """Serialise writes for one patient; call inside transaction.atomic."""
    # On PostgreSQL this is SELECT ... FOR UPDATE; SQLite serialises writers anyway.
    # Compiled once: every journal write starts here (bench/RESULTS.md). Django checks for
    # the transaction when it compiles; compiled once, the check is ours.
    if connection.get_autocommit():
        raise TransactionManagementError("patient_lock must run inside transaction.atomic")
    patient = _PATIENT_FOR_UPDATE.one(patient_id)
    if patient is None:
        raise Patient.DoesNotExist(f"no patient {patient_id}")
    return patient


# --- accounts -----------------------------------------------------------------------------


def patient_register(*, email: str, password: str, timezone_name: str) -> User:
    email = normalize_email(email)
    duplicate = ValidationError({"email": ["An account with this email already exists."]})
    if User.objects.filter(email=email).exists():
        raise duplicate
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
            patient = Patient.objects.create(user=user, timezone=timezone_name)
            reminder_reschedule(patient=patient, now=timezone.now())
            email_verification_send(user=user)
    except IntegrityError:
        raise duplicate from None
    return user


def auth_token_issue(*, user: User) -> tuple[str, datetime | None]:
    """A new API token. At most TOKEN_LIMIT_PER_USER live at once: the oldest are retired
    (knox checks the limit only in its own login view, which we do not use)."""
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    with transaction.atomic():
        # Two logins at once must not each retire the token the other just made.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if limit is not None:
            now = timezone.now()
            tokens = AuthToken.objects.filter(user=user)
            tokens.filter(expiry__lte=now).delete()
            keep = tokens.order_by("-created").values_list("pk", flat=True)[: limit - 1]
            tokens.exclude(pk__in=list(keep)).delete()
        instance, token = AuthToken.objects.create(user)
    return token, instance.expiry


def patient_update(*, patient: Patient, data: dict[str, Any]) -> Patient:
    """Profile changes (diabetes, time zone) can change the advice, so they re-assess too."""
    with transaction.atomic():
        locked = patient_lock(patient.pk)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(data) or None)
        if REMINDER_FIELDS & set(data):
            reminder_reschedule(patient=locked, now=timezone.now())
        _reassess(locked)
    return locked


def _reassess(patient: Patient) -> Reassessment:
    return patient_reassess(patient=patient, now=timezone.now())


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """What a journal write stored, and the assessment made in the same transaction."""

    obj: T
    triage: Reassessment


# --- pain logs ----------------------------------------------------------------------------


def pain_log_create(*, patient: Patient, data: dict[str, Any]) -> Written[PainLog]:
    # A taken id is found by the INSERT itself rather than by asking first, and on
    # PostgreSQL the INSERT goes in the re-assessment's round trip: the journal's most
    # frequent write is the lock, then one round trip, then the commit (bench/RESULTS.md).
    log = PainLog(patient_id=patient.pk, **data)
    try:
        with transaction.atomic():
            locked = patient_lock(patient.pk)
            if connection.vendor != "postgresql":
                log.save(force_insert=True)
                return Written(log, _reassess(locked))
            triage = patient_reassess(
                patient=locked, now=timezone.now(), lead=[insert_statement(log)]
            )
            log._state.adding, log._state.db = False, connection.alias
            return Written(log, triage)
    except IntegrityError:
        if PainLog.objects.filter(pk=log.pk).exists():
            raise ValidationError(
                {"id": ["An entry with this id already exists; use PATCH or sync to change it."]}
            ) from None
        raise


def pain_log_update(*, log: PainLog, data: dict[str, Any]) -> Written[PainLog]:
    with transaction.atomic():
        locked_patient = patient_lock(log.patient_id)
        locked = PainLog.objects.select_for_update().get(pk=log.pk)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save()
        return Written(locked, _reassess(locked_patient))


def pain_log_delete(*, log: PainLog) -> Reassessment:
    with transaction.atomic():
        locked = patient_lock(log.patient_id)
        PainLog.objects.filter(pk=log.pk).delete()
        return _reassess(locked)


@dataclass(slots=True)
class SyncOutcome:
    id: str | None
    status: str  # created | updated | unchanged | invalid
    errors: dict[str, Any] | None = field(default=None)


def pain_logs_sync(
    *, patient: Patient, items: list[dict[str, Any]]
) -> tuple[list[SyncOutcome], Reassessment]:
    """Upsert validated entries by id; repeating a batch changes nothing.

    ``items`` are validated dicts with an ``id``; the order of the outcomes matches.
    """
    now = timezone.now()
    outcomes: list[SyncOutcome] = []
    with transaction.atomic():
        locked = patient_lock(patient.pk)
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
            for name in changed:
                setattr(current, name, values[name])
            current.updated_at = now
            if log_id not in to_create:
                to_update[log_id] = current
            outcomes.append(SyncOutcome(id=str(log_id), status="updated"))
        copy_insert(list(to_create.values()))
        if to_update:
            PainLog.objects.bulk_update(to_update.values(), [*SYNC_FIELDS, "updated_at"])
        return outcomes, _reassess(locked)


# --- treatments ---------------------------------------------------------------------------


def treatment_create(*, patient: Patient, data: dict[str, Any]) -> Written[Treatment]:
    with transaction.atomic():
        locked = patient_lock(patient.pk)
        treatment_id = data.get("id")
        if treatment_id is not None and Treatment.objects.filter(pk=treatment_id).exists():
            raise ValidationError({"id": ["A treatment with this id already exists."]})
        treatment = Treatment.objects.create(patient=locked, **data)
        treatment_timer_sync(treatment=treatment, now=timezone.now())
        return Written(treatment, _reassess(locked))


def treatment_update(*, treatment: Treatment, data: dict[str, Any]) -> Written[Treatment]:
    with transaction.atomic():
        locked_patient = patient_lock(treatment.patient_id)
        locked = Treatment.objects.select_for_update().get(pk=treatment.pk)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save()
        treatment_timer_sync(treatment=locked, now=timezone.now())
        return Written(locked, _reassess(locked_patient))


def treatment_delete(*, treatment: Treatment) -> Reassessment:
    with transaction.atomic():
        locked = patient_lock(treatment.patient_id)
        timer_cancel(subject_ref=f"treatment:{treatment.pk}")
        Treatment.objects.filter(pk=treatment.pk).delete()
        return _reassess(locked)

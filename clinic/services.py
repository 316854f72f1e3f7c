"""Writes for the clinicians' workspace. Alert changes go through triage.services, so triage
sees them; every acknowledgement or resolution leaves a note with who and when."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from clinic.axes import client_ip
from clinic.models import AccessLog, ClinicalNote, InviteCode, NoteKind
from journal.models import Patient
from triage import services as triage_services
from triage.models import Alert

INVITE_CODE_DAYS = 7
# No 0/O, 1/I/L: read aloud or copied from paper without mistakes. 31**8 ~ 8.5e11 codes,
# and redeeming is throttled, so guessing a live one is not practical.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
INVALID_CODE = "This code is not valid. It may have expired or been used already."


def invite_code_normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def invite_code_create(*, clinician: User, now: datetime, note: str = "") -> InviteCode:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return InviteCode.objects.create(
        code=code,
        clinician=clinician,
        note=note,
        created_at=now,
        expires_at=now + timedelta(days=INVITE_CODE_DAYS),
    )


def invite_code_redeem(*, patient: Patient, code: str, now: datetime) -> User:
    """The patient's consent: link them to the code's clinician. Single-use, expires.

    Every way a code can be wrong gets the same answer, so codes cannot be probed."""
    with transaction.atomic():
        # Locked, so two patients racing on one code cannot both use it.
        invite = (
            InviteCode.objects.select_for_update()
            .select_related("clinician")
            .filter(code=invite_code_normalise(code))
            .first()
        )
        if (
            invite is None
            or invite.used_at is not None
            or invite.expires_at <= now
            or not invite.clinician.is_active
            or not invite.clinician.is_clinician
        ):
            raise ValidationError({"code": [INVALID_CODE]})
        invite.used_at = now
        invite.used_by = patient
        invite.save(update_fields=["used_at", "used_by"])
        patient.clinicians.add(invite.clinician)
    return invite.clinician


def care_team_remove(*, patient: Patient, clinician_id: int) -> bool:
    """Unlink a clinician; from then on they see nothing of this patient. False if not linked."""
    if not patient.clinicians.filter(pk=clinician_id).exists():
        return False
    patient.clinicians.remove(clinician_id)
    return True


def clinical_note_add(
    *,
    patient: Patient,
    author: User,
    text: str,
    now: datetime,
    kind: str = NoteKind.NOTE,
    alert: Alert | None = None,
) -> ClinicalNote:
    text = text.strip()
    if not text and kind == NoteKind.NOTE:
        raise ValidationError({"text": ["Write the note first."]})
    return ClinicalNote.objects.create(
        patient=patient, author=author, text=text, kind=kind, alert=alert, created_at=now
    )


def alert_acknowledge(*, alert: Alert, by: User, note: str, now: datetime) -> Alert:
    with transaction.atomic():
        alert = triage_services.alert_acknowledge(alert=alert, by=by)
        clinical_note_add(
            patient=alert.patient,
            author=by,
            text=note,
            now=now,
            kind=NoteKind.ACKNOWLEDGED,
            alert=alert,
        )
    return alert


def alert_resolve(*, alert: Alert, by: User, note: str, now: datetime) -> Alert:
    if not note.strip():
        raise ValidationError({"note": ["Say how it was resolved."]})
    with transaction.atomic():
        alert = triage_services.alert_resolve(alert=alert, by=by, now=now)
        clinical_note_add(
            patient=alert.patient,
            author=by,
            text=note,
            now=now,
            kind=NoteKind.RESOLVED,
            alert=alert,
        )
    return alert


def access_log_write(
    *,
    request: HttpRequest,
    patient_ids: Iterable[int],
    action: str,
    now: datetime,
    detail: str = "",
) -> list[AccessLog]:
    """One row per patient whose data this request showed; one INSERT however many."""
    user = request.user
    rows = [
        AccessLog(
            at=now,
            user_id=user.pk,
            user_email=user.email,
            patient_id=patient_id,
            action=action,
            detail=detail[:200],
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        for patient_id in sorted(set(patient_ids))
    ]
    return AccessLog.objects.bulk_create(rows)

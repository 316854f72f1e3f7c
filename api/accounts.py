"""Account use cases that compose other apps: registration (a patient profile, the first
reminder, the address check), the mails with sign-in links, erasure and retention.

accounts knows users, tokens and how links are signed; journal, notify and triage know what
is tied to a patient. Erasure must reach all of them, so it sits above them all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from knox.models import AuthToken

from accounts import services as accounts
from accounts.models import User, normalize_email
from journal.models import PainLog, Patient, Treatment
from journal.services import patient_create
from notify import content
from notify.models import Device, Message
from notify.services import account_email_enqueue, messages_purge, reminder_reschedule
from outcomes.models import QuestionnaireResponse
from triage.models import Alert

# --- registration and the mails with links -------------------------------------------------


def patient_register(*, email: str, password: str, timezone_name: str) -> User:
    email = normalize_email(email)
    duplicate = ValidationError({"email": ["An account with this email already exists."]})
    if User.objects.filter(email=email).exists():
        raise duplicate
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
            patient = patient_create(user=user, timezone_name=timezone_name)
            reminder_reschedule(patient=patient, now=timezone.now())
            email_verification_send(user=user)
    except IntegrityError:
        raise duplicate from None
    return user


def email_verification_send(*, user: User) -> bool:
    """Queue the "confirm your address" mail (on commit; through the outbox). False, and
    nothing queued, if one went to this account less than the interval ago."""
    token = accounts.email_verification_token(user=user)
    if token is None:
        return False
    now = timezone.now()
    account_email_enqueue(
        patient=getattr(user, "patient", None),
        to_email=user.email,
        body=content.email_verification(base_url=settings.APP_BASE_URL, token=token),
        key=f"account:verify:{user.pk}:{now.timestamp()}",
        now=now,
    )
    return True


def password_reset_request(*, email: str) -> None:
    """Mail a reset link if the address belongs to a patient; say nothing either way (the
    caller answers the same whether or not the account exists)."""
    user = (
        User.objects.filter(
            email=normalize_email(email), is_active=True, is_staff=False, is_superuser=False
        )
        .select_related("patient")
        .first()
    )
    if user is None or not hasattr(user, "patient"):
        return
    now = timezone.now()
    account_email_enqueue(
        patient=user.patient,
        to_email=user.email,
        body=content.password_reset(
            base_url=settings.APP_BASE_URL, token=accounts.password_reset_token(user=user)
        ),
        key=f"account:reset:{user.pk}:{now.timestamp()}",
        now=now,
    )


# --- erasure -------------------------------------------------------------------------------


def account_erase(*, user: User, password: str) -> None:
    """Erase a patient account and everything tied to it, at once.

    Deleting the user cascades to the patient profile, entries, treatments, alerts, devices,
    questionnaire responses, clinicians' notes about them, the outbox (queued and sent
    messages, their attempts) and API tokens; treatment insight is never stored (computed on
    read), so none is left behind. Tasks already on
    the broker then find no row and do nothing. The admin's change history keeps who changed
    what and when, but the names of the erased objects in it (an email address, an entry's
    summary) are replaced.
    """
    accounts.password_check(user=user, password=password, field="password")
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=user.pk).first()
        owned: list[tuple[type, list[str]]] = [
            (User, [str(user.pk)]),
            (Patient, [str(user.pk)]),
        ]
        for model in (PainLog, Treatment, Alert, Device, Message, QuestionnaireResponse):
            ids = model.objects.filter(patient_id=user.pk).values_list("pk", flat=True)
            owned.append((model, [str(pk) for pk in ids]))
        for model, ids in owned:
            if ids:
                LogEntry.objects.filter(
                    content_type=ContentType.objects.get_for_model(model), object_id__in=ids
                ).update(object_repr=f"(erased {model._meta.verbose_name})")
        # Mail about the account (address checks, resets) was addressed, not linked.
        Message.objects.filter(to_email=user.email, patient__isnull=True).delete()
        user.delete()
    accounts.login_failures_clear(email=user.email)


# --- retention -----------------------------------------------------------------------------


def retention_purge(*, now: datetime) -> dict[str, int]:
    """Daily: drop what is no longer needed. Delivered, failed and cancelled messages (with
    their attempts) after RETENTION_MESSAGE_DAYS; expired API tokens and admin sessions
    after RETENTION_EXPIRED_AUTH_DAYS. Pending and in-flight messages are never touched."""
    messages = messages_purge(before=now - timedelta(days=settings.RETENTION_MESSAGE_DAYS))
    auth_cutoff = now - timedelta(days=settings.RETENTION_EXPIRED_AUTH_DAYS)
    tokens, _ = AuthToken.objects.filter(expiry__lt=auth_cutoff).delete()
    sessions, _ = Session.objects.filter(expire_date__lt=auth_cutoff).delete()
    return {"messages": messages, "tokens": tokens, "sessions": sessions}

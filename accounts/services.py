"""Account writes: sign-in limits, tokens, email verification, passwords, erasure."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User, normalize_email
from journal.models import PainLog, Patient, Treatment
from notify import content
from notify.models import Device, Message
from notify.services import account_email_enqueue, messages_purge
from triage.models import Alert

# --- failed sign-ins, per account ----------------------------------------------------------
# The per-client throttle (ScopedRateThrottle "auth") stops one address guessing quickly; this
# stops many addresses (a botnet, or a client forging X-Forwarded-For where it is trusted)
# guessing one account's password. Counted in the cache (Redis in production), so every
# process shares it; the window starts at the first failure.


def _failures_key(email: str) -> str:
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def login_locked_for(*, email: str) -> int | None:
    """Seconds until this account may try again, or None if it may try now."""
    if (cache.get(_failures_key(email)) or 0) < settings.LOGIN_FAILURE_LIMIT:
        return None
    # An upper bound: Django's cache API cannot say how much of the window is left.
    return settings.LOGIN_FAILURE_WINDOW_SECONDS


def login_failure_record(*, email: str) -> None:
    key = _failures_key(email)
    cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_failures_clear(*, email: str) -> None:
    cache.delete(_failures_key(email))


# --- tokens ----------------------------------------------------------------------------------


def tokens_revoke(*, user: User, keep: AuthToken | None = None) -> int:
    """Sign the user out everywhere (but ``keep``, the caller's own token, if given)."""
    tokens = AuthToken.objects.filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    deleted, _ = tokens.delete()
    return deleted


# --- email verification --------------------------------------------------------------------
# The token is signed (SECRET_KEY) and names the user and the address, so it proves only
# that this address received it, and dies if the address changes. Nothing is stored.

_VERIFY_SALT = "accounts.email-verification"
_RESET_SALT = "accounts.password-reset"
_BAD_LINK = "This link is invalid or has expired; ask for a new one."


# One address-check mail per account per this many seconds: the address may not be the
# registrant's, and its owner must not be flooded with "confirm" mail either.
VERIFY_RESEND_INTERVAL_SECONDS = 300


def _verify_sent_key(user: User) -> str:
    # date_joined too: a database recreated (tests, a restore) reuses ids, not creation times.
    return f"verify-sent:{user.pk}:{user.date_joined.timestamp()}"


def email_verification_send(*, user: User) -> bool:
    """Queue the "confirm your address" mail (on commit; through the outbox). False, and
    nothing queued, if one went to this account less than the interval ago."""
    if not cache.add(_verify_sent_key(user), 1, timeout=VERIFY_RESEND_INTERVAL_SECONDS):
        return False
    now = timezone.now()
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=_VERIFY_SALT, compress=True)
    account_email_enqueue(
        patient=getattr(user, "patient", None),
        to_email=user.email,
        body=content.email_verification(base_url=settings.APP_BASE_URL, token=token),
        key=f"account:verify:{user.pk}:{now.timestamp()}",
        now=now,
    )
    return True


def email_verify(*, token: str) -> User:
    try:
        claims = signing.loads(
            token, salt=_VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS
        )
        user = User.objects.get(pk=claims["u"], is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        raise ValidationError({"token": [_BAD_LINK]}) from None
    if user.email != claims["e"]:
        raise ValidationError({"token": [_BAD_LINK]})
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


# --- passwords -----------------------------------------------------------------------------


def password_check(*, user: User, password: str, field: str) -> None:
    """The current password, counted against the per-account failure limit like a login:
    a stolen token must not become a way to guess the password."""
    if login_locked_for(email=user.email) is not None:
        raise ValidationError({field: ["Too many wrong passwords; try again later."]})
    if not user.check_password(password):
        login_failure_record(email=user.email)
        raise ValidationError({field: ["This is not your current password."]})


def _new_password_validate(user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None


def password_change(
    *, user: User, current_password: str, new_password: str, token: AuthToken | None
) -> None:
    """Change the password; every other session (token) ends, this one stays."""
    password_check(user=user, password=current_password, field="current_password")
    _new_password_validate(user, new_password)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens_revoke(user=user, keep=token)


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
    # Django's generator: bound to the password hash and last login, so the link stops
    # working once used, once the password changes, and after PASSWORD_RESET_TIMEOUT.
    reset = f"{user.pk}.{default_token_generator.make_token(user)}"
    token = signing.dumps(reset, salt=_RESET_SALT)
    account_email_enqueue(
        patient=user.patient,
        to_email=user.email,
        body=content.password_reset(base_url=settings.APP_BASE_URL, token=token),
        key=f"account:reset:{user.pk}:{now.timestamp()}",
        now=now,
    )


def password_reset_confirm(*, token: str, new_password: str) -> User:
    """Set a new password from a mailed link; signs out every device."""
    try:
        user_id, _, reset = signing.loads(token, salt=_RESET_SALT).partition(".")
        user = User.objects.get(pk=int(user_id), is_active=True)
    except (signing.BadSignature, ValueError, TypeError, AttributeError, User.DoesNotExist):
        raise ValidationError({"token": [_BAD_LINK]}) from None
    if not default_token_generator.check_token(user, reset):
        raise ValidationError({"token": [_BAD_LINK]})
    _new_password_validate(user, new_password)
    with transaction.atomic():
        user.set_password(new_password)
        # The link came by mail to this address: it is now verified too.
        user.email_verified_at = user.email_verified_at or timezone.now()
        user.save(update_fields=["password", "email_verified_at"])
        tokens_revoke(user=user)
    login_failures_clear(email=user.email)
    return user


# --- erasure -------------------------------------------------------------------------------


def account_erase(*, user: User, password: str) -> None:
    """Erase a patient account and everything tied to it, at once.

    Deleting the user cascades to the patient profile, entries, treatments, alerts, devices,
    the outbox (queued and sent messages, their attempts) and API tokens. Tasks already on
    the broker then find no row and do nothing. The admin's change history keeps who changed
    what and when, but the names of the erased objects in it (an email address, an entry's
    summary) are replaced.
    """
    password_check(user=user, password=password, field="password")
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=user.pk).first()
        owned: list[tuple[type, list[str]]] = [
            (User, [str(user.pk)]),
            (Patient, [str(user.pk)]),
        ]
        for model in (PainLog, Treatment, Alert, Device, Message):
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
    login_failures_clear(email=user.email)


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

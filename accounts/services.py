"""Account writes: sign-in limits, tokens, email verification, passwords. Mailing the links,
erasure and retention compose other apps and live in api.accounts."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from accounts.models import User, normalize_email

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


def email_verification_token(*, user: User) -> str | None:
    """A signed "confirm your address" token for the mail, or None if one went to this
    account less than the interval ago (then nothing should be sent)."""
    if not cache.add(_verify_sent_key(user), 1, timeout=VERIFY_RESEND_INTERVAL_SECONDS):
        return None
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_VERIFY_SALT, compress=True)


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


def password_reset_token(*, user: User) -> str:
    """A signed token for the reset link mailed to ``user``."""
    # Django's generator: bound to the password hash and last login, so the link stops
    # working once used, once the password changes, and after PASSWORD_RESET_TIMEOUT.
    reset = f"{user.pk}.{default_token_generator.make_token(user)}"
    return signing.dumps(reset, salt=_RESET_SALT)


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

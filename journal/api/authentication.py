"""API tokens, checked in one indexed query per request.

knox's own ``TokenAuthentication`` spends, on every request: the token looked up by its
indexed prefix (joined with the user), a second query over all of the user's tokens to delete
the expired ones, and an UPDATE of the expiry whenever the last refresh is more than
``MIN_REFRESH_INTERVAL`` old (knox's default, 60 s, makes that nearly every request); then
``IsPatient`` and the views read the patient profile, a third query.

Here the token, its user and the user's patient profile come in one query on the same index
(``token_key``); storage stays knox's (a SHA-512 digest, compared in constant time). What the
per-request work did is done elsewhere: an expired token is refused here and deleted by the
daily retention purge or at the account's next sign-in (``accounts.services.auth_token_issue``,
which also enforces the per-account limit); the sliding expiry is written at most once per
``MIN_REFRESH_INTERVAL`` (a day, config/settings/base.py). Revocation deletes the row, so the
next request finds nothing.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from accounts.models import User


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Bearer <token>``; ``request.user.patient`` is already loaded."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        invalid = exceptions.AuthenticationFailed("Invalid token.")
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, binascii.Error):
            raise invalid from None
        candidates = AuthToken.objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user", "user__patient")
        for auth_token in candidates:
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                raise invalid
            if knox_settings.AUTO_REFRESH and auth_token.expiry is not None:
                self.renew_token(auth_token)  # writes only past MIN_REFRESH_INTERVAL
            return self.validate_user(auth_token)
        raise invalid


class TokenScheme(KnoxTokenScheme):
    """The same security scheme in the OpenAPI document as knox's class gets."""

    target_class = TokenAuthentication

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as accounts
from api.accounts import email_verification_send, password_reset_request, patient_register
from journal.api.authentication import TokenAuthentication
from journal.api.permissions import IsPatient
from journal.api.serializers import (
    DetailOutputSerializer,
    EmailTokenInputSerializer,
    EmailVerifiedOutputSerializer,
    LoginInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RegisterInputSerializer,
    TokenOutputSerializer,
)
from journal.selectors import is_plain_patient

LOCKED = "Too many failed sign-ins for this account. Try again later, or reset your password."


def _token_response(user: object, http_status: int) -> Response:
    token, expiry = accounts.auth_token_issue(user=user)
    return Response(
        TokenOutputSerializer({"token": token, "expiry": expiry}).data, status=http_status
    )


class PublicAuthView(APIView):
    """Endpoints used before signing in: no token, throttled like login (each answer says
    something about an address, so guessing must stay slow)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"


def _valid(serializer_class: type, request: Request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class RegisterView(PublicAuthView):
    @extend_schema(request=RegisterInputSerializer, responses={201: TokenOutputSerializer})
    def post(self, request: Request) -> Response:
        """Create a patient account and sign this device in; the token is in the answer.

        The password needs 8 characters or more, not all digits, not a common password and
        not too close to the email. An email already registered is refused.
        """
        data = _valid(RegisterInputSerializer, request)
        user = patient_register(
            email=data["email"],
            password=data["password"],
            timezone_name=data["timezone"],
        )
        return _token_response(user, status.HTTP_201_CREATED)


class LoginView(PublicAuthView):
    @extend_schema(request=LoginInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request: Request) -> Response:
        """Sign this device in with the patient's email and password; each device gets its
        own token. Wrong credentials are a 400 under non_field_errors."""
        data = _valid(LoginInputSerializer, request)
        email = data["email"]
        wait = accounts.login_locked_for(email=email)
        if wait is not None:
            # Even the right password waits: otherwise guessing would simply go on.
            raise exceptions.Throttled(wait=wait, detail=LOCKED)
        user = authenticate(request._request, username=email, password=data["password"])
        if user is None or not is_plain_patient(user) or not hasattr(user, "patient"):
            accounts.login_failure_record(email=email)
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with this email and password."]}
            )
        accounts.login_failures_clear(email=email)
        return _token_response(user, status.HTTP_200_OK)


class LogoutView(KnoxLogoutView):
    # knox names its own authentication class here; ours reads the same tokens in one query.
    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, format: str | None = None) -> Response:
        """Sign this device out: the token used for this request stops working."""
        return super().post(request, format)


class LogoutAllView(APIView):
    """Sign out everywhere: every token of this account stops working, this one included."""

    permission_classes = [IsPatient]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        accounts.tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(PublicAuthView):
    """The app posts the `token` from the link mailed at registration. No sign-in needed:
    the link may be opened on another device."""

    @extend_schema(
        request=EmailTokenInputSerializer, responses={200: EmailVerifiedOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = _valid(EmailTokenInputSerializer, request)
        user = accounts.email_verify(token=data["token"])
        return Response({"email": user.email, "email_verified": True})


class VerifyEmailResendView(APIView):
    permission_classes = [IsPatient]
    throttle_scope = "auth"

    @extend_schema(request=None, responses={202: DetailOutputSerializer})
    def post(self, request: Request) -> Response:
        """Mail a new address-verification link; at most one every few minutes (429 between)."""
        if request.user.email_verified_at is not None:
            detail = "Your address is already verified."
        elif email_verification_send(user=request.user):
            detail = f"A new link is on its way to {request.user.email}."
        else:
            raise exceptions.Throttled(
                wait=accounts.VERIFY_RESEND_INTERVAL_SECONDS,
                detail="A link was sent a few minutes ago; check your mail (and spam folder).",
            )
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PasswordChangeView(APIView):
    """Change the password; every other device is signed out, this one stays signed in."""

    permission_classes = [IsPatient]
    throttle_scope = "auth"

    @extend_schema(request=PasswordChangeInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = _valid(PasswordChangeInputSerializer, request)
        accounts.password_change(
            user=request.user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            token=request.auth,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicAuthView):
    """Mail a reset link. The answer is the same whether or not the address has an account."""

    @extend_schema(request=PasswordResetInputSerializer, responses={202: DetailOutputSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(PasswordResetInputSerializer, request)
        password_reset_request(email=data["email"])
        return Response(
            {"detail": "If that address has an account, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PublicAuthView):
    """Set a new password with the `token` from the reset link; signs out every device."""

    @extend_schema(request=PasswordResetConfirmInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = _valid(PasswordResetConfirmInputSerializer, request)
        accounts.password_reset_confirm(token=data["token"], new_password=data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)

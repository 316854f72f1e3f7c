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
from journal.api.serializers import (
    LoginInputSerializer,
    RegisterInputSerializer,
    TokenOutputSerializer,
)
from journal.selectors import is_plain_patient
from journal.services import auth_token_issue, patient_register

LOCKED = "Too many failed sign-ins for this account. Try again later, or reset your password."


def _token_response(user: object, http_status: int) -> Response:
    token, expiry = auth_token_issue(user=user)
    return Response(
        TokenOutputSerializer({"token": token, "expiry": expiry}).data, status=http_status
    )


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=RegisterInputSerializer, responses={201: TokenOutputSerializer})
    def post(self, request: Request) -> Response:
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = patient_register(
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            timezone_name=data.validated_data["timezone"],
        )
        return _token_response(user, status.HTTP_201_CREATED)


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=LoginInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request: Request) -> Response:
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        wait = accounts.login_locked_for(email=email)
        if wait is not None:
            # Even the right password waits: otherwise guessing would simply go on.
            raise exceptions.Throttled(wait=wait, detail=LOCKED)
        user = authenticate(
            request._request, username=email, password=data.validated_data["password"]
        )
        if user is None or not is_plain_patient(user) or not hasattr(user, "patient"):
            accounts.login_failure_record(email=email)
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with this email and password."]}
            )
        accounts.login_failures_clear(email=email)
        return _token_response(user, status.HTTP_200_OK)


class LogoutView(KnoxLogoutView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, format: str | None = None) -> Response:
        return super().post(request, format)

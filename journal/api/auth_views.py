from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.serializers import (
    LoginInputSerializer,
    RegisterInputSerializer,
    TokenOutputSerializer,
)
from journal.services import auth_token_issue, patient_register


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
        """Create a patient account and sign this device in; the token is in the answer.

        The password needs 8 characters or more, not all digits, not a common password and
        not too close to the email. An email already registered is refused.
        """
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
        """Sign this device in with the patient's email and password; each device gets its
        own token. Wrong credentials are a 400 under non_field_errors."""
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        if user is None or not hasattr(user, "patient"):
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with this email and password."]}
            )
        return _token_response(user, status.HTTP_200_OK)


class LogoutView(KnoxLogoutView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, format: str | None = None) -> Response:
        """Sign this device out: the token used for this request stops working."""
        return super().post(request, format)

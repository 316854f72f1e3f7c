"""Endpoints nobody listed get the contract's rules: the schema class works them out from the
view (what other branches add lands in the schema already documented)."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from journal.api.fields import StrictSerializer
from journal.api.listing import ValidatedQueryListMixin
from journal.api.permissions import IsPatient
from notify.models import Device


class PasswordSerializer(StrictSerializer):
    password = serializers.CharField()


class CloseAccountView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(request=PasswordSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Close the account."""
        return Response(status=204)


class PasswordResetView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=PasswordSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        return Response(status=204)


class SignOutEverywhereView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        return Response(status=204)


class ThingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "name"]


class ThingViewSet(
    ValidatedQueryListMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsPatient]
    serializer_class = ThingSerializer
    queryset = Device.objects.none()
    lookup_value_converter = "uuid"


def generate() -> dict:
    router = SimpleRouter()
    router.register("things", ThingViewSet, basename="thing")
    patterns = [
        path("api/v1/me/", CloseAccountView.as_view()),
        path("api/v1/auth/password/reset/", PasswordResetView.as_view()),
        path("api/v1/auth/sign-out-everywhere/", SignOutEverywhereView.as_view()),
        path("api/v1/", include(router.urls)),
    ]
    return SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)


def codes(schema: dict, url: str, method: str) -> set[str]:
    return set(schema["paths"][url][method]["responses"])


def test_new_endpoints_document_their_errors_without_being_listed():
    schema = generate()
    assert codes(schema, "/api/v1/me/", "delete") == {"204", "400", "401", "403", "415", "503"}
    body = schema["paths"]["/api/v1/me/"]["delete"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/PasswordRequest")
    assert schema["components"]["schemas"]["PasswordRequest"]["additionalProperties"] is False
    assert codes(schema, "/api/v1/auth/password/reset/", "post") == {
        "204",
        "400",
        "415",
        "429",
        "503",
    }
    assert codes(schema, "/api/v1/auth/sign-out-everywhere/", "post") == {"204", "401", "503"}
    assert codes(schema, "/api/v1/things/", "get") == {"200", "400", "401", "403", "404", "503"}
    assert codes(schema, "/api/v1/things/{id}/", "delete") == {"204", "401", "403", "404", "503"}
    params = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/things/"]["get"]["parameters"]
    }
    assert params["page_size"]["maximum"] == 200
    listed = schema["components"]["schemas"]["PaginatedThingList"]
    assert listed["required"] == ["count", "next", "previous", "results"]
    for response in schema["paths"]["/api/v1/me/"]["delete"]["responses"].values():
        if "content" in response:
            assert response["content"]["application/json"]["schema"]["$ref"] in {
                "#/components/schemas/Error",
                "#/components/schemas/ValidationError",
            }

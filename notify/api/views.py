from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from journal.api.permissions import IsPatient
from notify import selectors, services
from notify.api.serializers import (
    DeviceInputSerializer,
    DeviceOutputSerializer,
    WebPushKeySerializer,
)
from notify.channels.webpush import application_server_key
from notify.models import Device


@extend_schema_view(
    create=extend_schema(
        request=DeviceInputSerializer,
        responses={201: DeviceOutputSerializer, 200: DeviceOutputSerializer},
    ),
    webpush_key=extend_schema(responses=WebPushKeySerializer),
)
class DeviceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Where push messages can reach the patient: Web Push subscriptions, FCM/APNs tokens."""

    permission_classes = [IsPatient]
    serializer_class = DeviceOutputSerializer
    lookup_value_converter = "uuid"
    queryset = Device.objects.none()

    def get_queryset(self) -> Any:
        return selectors.devices_visible_to(self.request.user).order_by("-created_at", "id")

    def create(self, request: Request) -> Response:
        data = DeviceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device, created = services.device_register(
            patient=request.user.patient, **data.validated_data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DeviceOutputSerializer(device).data, status=code)

    @action(detail=False, methods=["get"], url_path="webpush-key")
    def webpush_key(self, request: Request) -> Response:
        try:
            return Response({"public_key": application_server_key()})
        except ImproperlyConfigured:
            return Response(
                {"detail": "Web Push is not configured on this server."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from journal.api.listing import ValidatedQueryListMixin
from journal.api.permissions import IsPatient
from notify import selectors, services
from notify.api.serializers import (
    DEVICE_INPUT_BY_KIND,
    DeviceOutputSerializer,
    WebPushKeySerializer,
    device_input_validate,
)
from notify.channels.webpush import application_server_key
from notify.models import Device

DEVICE_REQUEST = PolymorphicProxySerializer(
    component_name="DeviceRequest",
    serializers=DEVICE_INPUT_BY_KIND,
    resource_type_field_name="kind",
)


@extend_schema_view(
    list=extend_schema(description="The patient's registered devices, newest first."),
    retrieve=extend_schema(description="One registered device."),
    create=extend_schema(
        request=DEVICE_REQUEST,
        responses={201: DeviceOutputSerializer, 200: DeviceOutputSerializer},
        description=(
            "Register where push messages can reach the patient: a Web Push subscription "
            "(kind webpush) or a phone's FCM/APNs token (kind fcm or apns). Registering the "
            "same subscription or token again answers 200 with the existing device; a token "
            "last registered by another account moves to this one."
        ),
    ),
    destroy=extend_schema(description="Stop sending to a device."),
    webpush_key=extend_schema(
        responses={200: WebPushKeySerializer},
        description=(
            "The VAPID public key a browser needs to subscribe to Web Push. A server without "
            "Web Push answers 200 with `enabled: false` and `public_key: null` (the app hides "
            "its notifications switch): a setting, not a fault."
        ),
    ),
)
class DeviceViewSet(
    ValidatedQueryListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsPatient]
    serializer_class = DeviceOutputSerializer
    lookup_value_converter = "uuid"
    queryset = Device.objects.none()

    def get_queryset(self) -> Any:
        return selectors.devices_visible_to(self.request.user).order_by("-created_at", "id")

    def create(self, request: Request) -> Response:
        data = device_input_validate(request.data)
        device, created = services.device_register(patient=request.user.patient, **data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DeviceOutputSerializer(device).data, status=code)

    @action(detail=False, methods=["get"], url_path="webpush-key")
    def webpush_key(self, request: Request) -> Response:
        # Unset is a choice (no Web Push here); a key that is set but malformed stays a
        # server error, so the misconfiguration is seen rather than hidden as "disabled".
        if not settings.WEBPUSH_VAPID_PRIVATE_KEY:
            body = {"enabled": False, "public_key": None}
        else:
            body = {"enabled": True, "public_key": application_server_key()}
        return Response(WebPushKeySerializer(body).data)

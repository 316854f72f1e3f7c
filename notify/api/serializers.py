from __future__ import annotations

from typing import Any

from rest_framework import serializers

from journal.api.fields import JSONTypesMixin, StrictIntegerField, StrictSerializer
from notify.channels.webpush import MAX_ENDPOINT_LENGTH, validate_subscription
from notify.models import Device, DeviceKind


class SubscriptionKeysSerializer(JSONTypesMixin, serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class SubscriptionSerializer(JSONTypesMixin, serializers.Serializer):
    """A browser's PushSubscription.toJSON(), sent as it is."""

    endpoint = serializers.CharField(
        max_length=MAX_ENDPOINT_LENGTH,
        help_text="The push service URL; only known push services are accepted",
    )
    keys = SubscriptionKeysSerializer()
    expirationTime = StrictIntegerField(allow_null=True, required=False)


class _DeviceInputSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown to the patient in their device list",
    )


class WebPushDeviceInputSerializer(_DeviceInputSerializer):
    """A browser subscribed with pushManager.subscribe()."""

    kind = serializers.ChoiceField(choices=[DeviceKind.WEBPUSH])
    subscription = SubscriptionSerializer()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            clean = validate_subscription(self.initial_data["subscription"])
        except ValueError as exc:
            raise serializers.ValidationError({"subscription": [str(exc)]}) from None
        return {
            "kind": attrs["kind"],
            "address": clean["endpoint"],
            "keys": clean["keys"],
            "name": attrs["name"],
        }


class TokenDeviceInputSerializer(_DeviceInputSerializer):
    """A phone app's Firebase Cloud Messaging (fcm) or Apple Push Notification (apns) token."""

    kind = serializers.ChoiceField(choices=[DeviceKind.FCM, DeviceKind.APNS])
    registration_id = serializers.CharField(max_length=1024, help_text="The FCM or APNs token")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": attrs["kind"],
            "address": attrs["registration_id"],
            "keys": {},
            "name": attrs["name"],
        }


DEVICE_INPUT_BY_KIND: dict[str, type[_DeviceInputSerializer]] = {
    DeviceKind.WEBPUSH.value: WebPushDeviceInputSerializer,
    DeviceKind.FCM.value: TokenDeviceInputSerializer,
    DeviceKind.APNS.value: TokenDeviceInputSerializer,
}


def device_input_validate(data: Any) -> dict[str, Any]:
    """The fields a device's ``kind`` requires, validated by that kind's serializer.

    The schema publishes the same choice as a oneOf with ``kind`` as discriminator.
    """
    kind = data.get("kind") if isinstance(data, dict) else None
    if not isinstance(kind, str) or kind not in DEVICE_INPUT_BY_KIND:
        choices = ", ".join(DEVICE_INPUT_BY_KIND)
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Expected an object with a kind."]}
            )
        raise serializers.ValidationError({"kind": [f"Must be one of: {choices}."]})
    serializer = DEVICE_INPUT_BY_KIND[kind](data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DeviceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "kind", "name", "active", "created_at", "updated_at"]
        read_only_fields = fields


class WebPushKeySerializer(serializers.Serializer):
    enabled = serializers.BooleanField(
        help_text="Whether this server sends Web Push; false: offer no notifications switch"
    )
    public_key = serializers.CharField(
        allow_null=True,
        help_text="applicationServerKey for pushManager.subscribe(); null when not enabled",
    )

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from journal.api.fields import RejectUnknownFieldsMixin
from notify.channels.webpush import MAX_ENDPOINT_LENGTH, validate_subscription
from notify.models import Device, DeviceKind


class SubscriptionKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class SubscriptionSerializer(serializers.Serializer):
    """A browser's PushSubscription.toJSON()."""

    endpoint = serializers.CharField(max_length=MAX_ENDPOINT_LENGTH)
    keys = SubscriptionKeysSerializer()
    expirationTime = serializers.IntegerField(allow_null=True, required=False)


class DeviceInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    subscription = SubscriptionSerializer(required=False, help_text="Web Push only")
    registration_id = serializers.CharField(
        max_length=1024, required=False, help_text="FCM or APNs token"
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == DeviceKind.WEBPUSH:
            if "subscription" not in attrs or "registration_id" in attrs:
                raise serializers.ValidationError(
                    {"subscription": ["A Web Push device needs its subscription, and no token."]}
                )
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
        if "registration_id" not in attrs or "subscription" in attrs:
            raise serializers.ValidationError(
                {"registration_id": ["An FCM or APNs device needs its token, and no subscription."]}
            )
        return {
            "kind": attrs["kind"],
            "address": attrs["registration_id"],
            "keys": {},
            "name": attrs["name"],
        }


class DeviceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "kind", "name", "active", "created_at", "updated_at"]
        read_only_fields = fields


class WebPushKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(help_text="applicationServerKey for pushManager.subscribe()")

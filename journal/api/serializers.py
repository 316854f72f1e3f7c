"""Input serializers validate what the app sends; output serializers shape what it gets back."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from journal.api.fields import (
    AwareDateTimeField,
    HourMinuteField,
    RejectUnknownFieldsMixin,
    StrictBooleanField,
    StrictIntegerField,
    StrictSerializer,
)
from journal.api.listing import PageQuerySerializer, QuerySerializer
from journal.findings import is_symptomatic
from journal.models import (
    PAIN_LOG_CONTENT,
    PAIN_LOG_FINDINGS,
    PainLog,
    Patient,
    Swelling,
    Treatment,
    TreatmentKind,
)
from journal.sites import Side, Site
from journal.timezones import validate_timezone

MAX_FUTURE = timedelta(minutes=5)
MAX_AGE = timedelta(days=365)
MAX_SYNC_BATCH = 500
MIN_TEMPERATURE, MAX_TEMPERATURE = Decimal("34.0"), Decimal("43.0")
GONE_WITH_SYMPTOMS = (
    "Only an entry with severity 0 and no other symptom (no swelling, flags or fever) can "
    "say it has gone; send gone: false to log symptoms."
)

EVENT_TIME_RULE = (
    "ISO 8601 date and time with a UTC offset (e.g. 2026-11-21T08:30:00+01:00 or ...Z); "
    "a time without an offset is refused. It must be at most 5 minutes after the server's "
    "clock and at most 365 days before it. The offset only locates the instant: it is stored "
    "in UTC, and the patient's days (trends, reminders, triage) are counted in the IANA time "
    "zone of their profile."
)


def validate_event_time(value: datetime) -> datetime:
    now = timezone.now()
    if value > now + MAX_FUTURE:
        raise serializers.ValidationError("Cannot be more than 5 minutes in the future.")
    if value < now - MAX_AGE:
        raise serializers.ValidationError("Cannot be more than a year ago.")
    return value


def validate_iana_timezone(value: str) -> str:
    try:
        validate_timezone(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None
    return value


# --- accounts -----------------------------------------------------------------------------


class RegisterInputSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    timezone = serializers.CharField(max_length=64, validators=[validate_iana_timezone])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from accounts.models import User

        try:
            password_validation.validate_password(attrs["password"], User(email=attrs["email"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from None
        return attrs


class LoginInputSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as Authorization: Bearer <token>")
    expiry = serializers.DateTimeField(
        help_text="When the token stops working; each use moves it later"
    )


def _new_password() -> serializers.CharField:
    return serializers.CharField(
        max_length=128,
        write_only=True,
        trim_whitespace=False,
        help_text="Checked by the same rules as at registration",
    )


class EmailTokenInputSerializer(StrictSerializer):
    token = serializers.CharField(
        max_length=1000, help_text="The `token` query parameter of the link in the email"
    )


class EmailVerifiedOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    email_verified = serializers.BooleanField()


class DetailOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordChangeInputSerializer(StrictSerializer):
    current_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    new_password = _new_password()


class PasswordResetInputSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(EmailTokenInputSerializer):
    new_password = _new_password()


class AccountDeleteInputSerializer(StrictSerializer):
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


NOTIFICATION_CHANNELS = ["push", "email"]


class ChannelListField(serializers.ListField):
    child = serializers.ChoiceField(choices=NOTIFICATION_CHANNELS)

    def to_internal_value(self, data: Any) -> list[str]:
        return sorted(set(super().to_internal_value(data)))

    def to_representation(self, data: Any) -> list[str]:
        # A set of channels: always sorted, so what is read back equals what was written.
        return sorted(super().to_representation(data))


class MeSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    email_verified = serializers.SerializerMethodField(
        help_text=(
            "Until the address is verified (the link mailed at registration; "
            "POST /api/v1/auth/verify-email/resend/ sends another), email is not a channel: "
            "nothing chosen in reminder_channels or alert_channels goes to it."
        )
    )
    timezone = serializers.CharField(
        max_length=64,
        validators=[validate_iana_timezone],
        help_text="IANA time zone name, e.g. Europe/London; the patient's days are counted in it",
    )
    reminder_time = HourMinuteField(
        help_text="Local time of the daily reminder in the profile's time zone, as HH:MM"
    )
    reminders_enabled = StrictBooleanField()
    has_diabetes = StrictBooleanField()
    has_circulation_problems = StrictBooleanField()
    has_reduced_sensation = StrictBooleanField()
    lock_screen_detail = StrictBooleanField(
        help_text=(
            'false (default): push messages read "Your journal" on the lock screen and say '
            "what they are about only in the app; true: the title says what it is about "
            '(e.g. "Please see a doctor within 24 hours")'
        )
    )
    reminder_channels = ChannelListField(
        help_text="Where daily reminders go: any of push, email; empty for none"
    )
    alert_channels = ChannelListField(
        help_text=(
            "Where see-a-doctor alerts go. Alerts at consult_24h and above are always "
            "delivered: by email when no chosen channel can reach you."
        )
    )

    class Meta:
        model = Patient
        fields = [
            "email",
            "email_verified",
            "timezone",
            "reminder_time",
            "reminders_enabled",
            "has_diabetes",
            "has_circulation_problems",
            "has_reduced_sensation",
            "date_of_birth",
            "reminder_channels",
            "alert_channels",
            "lock_screen_detail",
        ]

    def get_email_verified(self, patient: Patient) -> bool:
        return patient.user.email_verified_at is not None

    def validate_date_of_birth(self, value: Any) -> Any:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("Cannot be in the future.")
        return value


# --- catalogue ---------------------------------------------------------------------------


class SiteOutputSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Site.choices)
    label = serializers.CharField()
    snomed_code = serializers.CharField()


# --- pain logs ---------------------------------------------------------------------------


class PainLogInputSerializer(StrictSerializer):
    id = serializers.UUIDField(required=False)
    recorded_at = AwareDateTimeField(
        validators=[validate_event_time], help_text=f"When the pain was felt. {EVENT_TIME_RULE}"
    )
    site = serializers.ChoiceField(choices=Site.choices)
    side = serializers.ChoiceField(choices=Side.choices)
    severity = StrictIntegerField(min_value=0, max_value=10)
    swelling = serializers.ChoiceField(choices=Swelling.choices, default=Swelling.NONE)
    sudden_onset = StrictBooleanField(default=False)
    redness_or_warmth = StrictBooleanField(default=False)
    fever = StrictBooleanField(default=False)
    temperature_c = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=MIN_TEMPERATURE,
        max_value=MAX_TEMPERATURE,
        allow_null=True,
        default=None,
        coerce_to_string=False,
        help_text="Degrees Celsius, at most one decimal place (e.g. 38.5); null if not measured",
    )
    can_bear_weight = StrictBooleanField(default=True)
    numbness_or_tingling = StrictBooleanField(default=False)
    heard_pop = StrictBooleanField(default=False)
    back_or_leg_pain = StrictBooleanField(default=False)
    gone = StrictBooleanField(
        default=False,
        help_text=(
            "The patient says the trouble at this site is over (the follow-up's one-tap "
            '"Gone"): ends the episode at once. Only with severity 0 and no other symptom. '
            "Not the same as severity 0 alone, which is read as a quiet moment: the episode "
            "ends only once the site is logged symptom-free on two consecutive local days."
        ),
    )
    notes = serializers.CharField(
        max_length=2000, allow_blank=True, default="", trim_whitespace=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A correction (PATCH) sends only what changes: judge the entry it leaves behind.
        stored = self.instance
        values = {name: getattr(stored, name) for name in PAIN_LOG_FINDINGS} if stored else {}
        values.update(attrs)
        if values.get("gone") and is_symptomatic(SimpleNamespace(**values)):
            # Triage would ignore it (a red flag is never dismissed); say so instead.
            raise serializers.ValidationError({"gone": [GONE_WITH_SYMPTOMS]})
        return attrs


class PainLogUpdateSerializer(PainLogInputSerializer):
    """The fields to change; a field left out keeps its stored value. The id cannot change."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("id")
        return fields


class PainLogSyncItemSerializer(PainLogInputSerializer):
    """An entry as the app stored it offline, with the id the app gave it."""

    id = serializers.UUIDField(required=True)


@extend_schema_field(PainLogSyncItemSerializer(many=True))
class SyncItemsField(serializers.ListField):
    """Items stay raw here: each is validated on its own and an invalid one comes back
    ``invalid`` in the results instead of refusing the batch."""

    child = serializers.DictField()


class PainLogSyncInputSerializer(StrictSerializer):
    logs = SyncItemsField(
        allow_empty=True,
        max_length=MAX_SYNC_BATCH,
        help_text=(
            f"Up to {MAX_SYNC_BATCH} entries. Each is validated on its own: one that fails comes "
            "back with status invalid and its field errors, the others are stored."
        ),
    )


class PainLogOutputSerializer(serializers.ModelSerializer):
    temperature_c = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=MIN_TEMPERATURE,
        max_value=MAX_TEMPERATURE,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        help_text="Degrees Celsius with one decimal place; null when not measured",
    )

    class Meta:
        model = PainLog
        fields = ["id", *PAIN_LOG_CONTENT, "created_at", "updated_at"]
        read_only_fields = fields


class TimeRangeQuerySerializer(PageQuerySerializer):
    since = AwareDateTimeField(
        required=False, help_text="Only entries at or after this instant (ISO 8601 with offset)"
    )
    until = AwareDateTimeField(
        required=False,
        help_text="Only entries at or before this instant (ISO 8601 with offset); not before since",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "since" in attrs and "until" in attrs and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": ["Must not be before since."]})
        return attrs


class PainLogFilterSerializer(TimeRangeQuerySerializer):
    site = serializers.ChoiceField(choices=Site.choices, required=False)
    side = serializers.ChoiceField(choices=Side.choices, required=False)


@extend_schema_field({"$ref": "#/components/schemas/ValidationError"})
class FieldErrorsField(serializers.DictField):
    pass


class SyncResultSerializer(serializers.Serializer):
    id = serializers.CharField(
        allow_null=True, help_text="The item's id; null when the item had no usable id"
    )
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "invalid"])
    errors = FieldErrorsField(
        required=False, help_text="Only with status invalid: why the item was refused"
    )

    # Left out of the item unless the status is invalid.
    optional_output_fields = ("errors",)


# --- treatments --------------------------------------------------------------------------


class TreatmentInputSerializer(StrictSerializer):
    id = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=TreatmentKind.choices)
    site = serializers.ChoiceField(choices=Site.choices)
    side = serializers.ChoiceField(choices=Side.choices)
    started_at = AwareDateTimeField(
        validators=[validate_event_time],
        help_text=f"When the session started. {EVENT_TIME_RULE}",
    )
    minutes = StrictIntegerField(
        min_value=0,
        max_value=720,
        allow_null=True,
        default=None,
        help_text="Length of the session; null while it is running, set it to finish the session",
    )
    skin_reaction = StrictBooleanField(default=False)


class TreatmentUpdateSerializer(TreatmentInputSerializer):
    """The fields to change; a field left out keeps its stored value. The id cannot change."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("id")
        return fields


class TreatmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Treatment
        fields = [
            "id",
            "kind",
            "site",
            "side",
            "started_at",
            "minutes",
            "skin_reaction",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TreatmentFilterSerializer(TimeRangeQuerySerializer):
    kind = serializers.ChoiceField(choices=TreatmentKind.choices, required=False)


# --- trends ------------------------------------------------------------------------------


class TrendsQuerySerializer(QuerySerializer):
    days = serializers.IntegerField(
        min_value=1, max_value=365, default=30, help_text="How many local days back, 1 to 365"
    )


class TrendRowSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A local day in the patient's time zone")
    site = serializers.ChoiceField(choices=Site.choices)
    side = serializers.ChoiceField(choices=Side.choices)
    max_severity = serializers.IntegerField(allow_null=True)
    mean_severity = serializers.FloatField(allow_null=True)
    entries = serializers.IntegerField()
    ice_minutes = serializers.IntegerField()
    heat_minutes = serializers.IntegerField()


class TrendsOutputSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    days = serializers.IntegerField()
    results = TrendRowSerializer(many=True)

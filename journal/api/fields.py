"""Strict input fields: the app gets a precise message instead of a silent coercion."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_UNENCODED_PLUS = re.compile(r" (\d\d:?\d\d)$")
OFFSET_EXAMPLE = "2026-11-21T08:30:00+01:00"


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an explicit UTC offset; naive times are ambiguous for a travelling patient."""

    default_error_messages = {
        "invalid": f"Enter an ISO 8601 date and time with a UTC offset, e.g. {OFFSET_EXAMPLE}.",
        "naive": f"Include a UTC offset (e.g. +01:00 or Z), e.g. {OFFSET_EXAMPLE}.",
    }

    def to_internal_value(self, value: Any) -> datetime:
        if not isinstance(value, str):
            self.fail("invalid")
        value = value.strip()
        if _UNENCODED_PLUS.search(value):
            # A "+01:00" offset in a query string that was not URL-encoded arrives as " 01:00".
            value = _UNENCODED_PLUS.sub(r"+\1", value)
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if timezone.is_naive(parsed):
            self.fail("naive")
        # ISO 8601 allows offsets up to +-23:59 but PostgreSQL refuses +-16:00 and beyond, so
        # the instant is stored in UTC (the offset carries no meaning: local days come from the
        # patient's IANA zone). At the edges of Python's calendar the instant is out of any
        # journal's range, which the window validators and filters treat as "very far".
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            return (
                datetime.min.replace(tzinfo=UTC)
                if parsed.year == 1
                else datetime.max.replace(tzinfo=UTC)
            )


HH_MM_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_HH_MM = re.compile(HH_MM_PATTERN)


@extend_schema_field({"type": "string", "pattern": HH_MM_PATTERN, "example": "20:00"})
class HourMinuteField(serializers.TimeField):
    """A local wall-clock time as "HH:MM", read and written in the same form."""

    default_error_messages = {"invalid": "Enter a time as HH:MM (24-hour), e.g. 20:00."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str) or not _HH_MM.match(value):
            self.fail("invalid")
        return super().to_internal_value(value)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number (a JSON integer, not a string)."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


def _json_type_error(field: serializers.Field, value: Any) -> str | None:
    """The message when a JSON value has the wrong type for ``field``, else None.

    DRF coerces across JSON types (123 into "123", "36.5" into a decimal, an integer into a
    UUID); the API contract says which JSON type each field takes, so the server holds to it.
    """
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.ChoiceField):
        return None  # a non-string is not among the choices anyway
    expected: tuple[type, ...] | None = None
    name = "a string"
    if isinstance(
        field,
        serializers.CharField
        | serializers.UUIDField
        | serializers.DateTimeField
        | serializers.DateField
        | serializers.TimeField,
    ):
        expected = (str,)
    elif isinstance(field, serializers.DecimalField | serializers.FloatField):
        expected, name = (int, float), "a number"
    elif isinstance(field, serializers.ListField):
        expected, name = (list,), "a list"
    elif isinstance(field, serializers.DictField | serializers.Serializer):
        expected, name = (dict,), "an object"
    if expected is None or (isinstance(value, expected) and not isinstance(value, bool)):
        return None
    return f"Must be {name}."


class JSONTypesMixin:
    """Each field takes the JSON type the schema gives it; no silent coercion between types."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():  # type: ignore[attr-defined]
                if name in data and not field.read_only:
                    message = _json_type_error(field, data[name])
                    if message:
                        errors[name] = [message]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class RejectUnknownFieldsMixin(JSONTypesMixin):
    """A misspelt field must not be silently dropped: the patient would think it was saved.

    Unknown fields are reported together with the other fields' errors, so one round trip
    shows the app everything wrong with a request.
    """

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, dict):
            fields = self.fields  # type: ignore[attr-defined]
            for name in sorted(set(data) - {n for n, f in fields.items() if not f.read_only}):
                unknown[name] = ["This field is read-only." if name in fields else "Unknown field."]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """Refuses unknown fields and values of the wrong JSON type (the schema says so)."""

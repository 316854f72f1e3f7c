"""Strict input fields: the app gets a precise message instead of a silent coercion."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
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
        return parsed


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


class RejectUnknownFieldsMixin:
    """A misspelt field must not be silently dropped: the patient would think it was saved."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            fields = self.fields  # type: ignore[attr-defined]
            errors = {}
            for name in sorted(set(data) - {n for n, f in fields.items() if not f.read_only}):
                errors[name] = ["This field is read-only." if name in fields else "Unknown field."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]

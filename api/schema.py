"""The OpenAPI contract, derived from the views so it cannot drift from what the server does.

``ContractAutoSchema`` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to drf-spectacular:

- the error responses every operation can return, worked out from the view itself
  (authentication, permissions, throttles, path and query parameters, request body), all
  pointing at two components that document DRF's error shape once;
- query parameters from the view's ``query_serializer`` (the serializer that validates them);
- request schemas that are as strict as the serializers: ``additionalProperties: false``
  where unknown fields are refused, no ``default`` in a partial update (a generated client
  would send the default and overwrite stored data), ``multipleOf`` for decimals;
- response schemas that mark every field the server always sends as required.

A new endpoint gets all of this without listing it anywhere. An error code that cannot be
inferred (e.g. a 503 when a feature is not configured) is declared on the view with
``extend_schema(responses={503: OpenApiResponse(description=...)})``; its body is filled in.
"""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    force_instance,
    get_override,
    is_patched_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from journal.api.fields import RejectUnknownFieldsMixin

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Every error other than a refused request body or query: a message for the person "
        "using the app, in English."
    ),
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "A refused request (400). Each refused field maps to a list of messages, e.g. "
        '{"severity": ["Ensure this value is less than or equal to 10."]}; a field of a '
        "nested object maps to an object of the same shape. Messages about the request as a "
        "whole are under non_field_errors. A body that is not valid JSON gives "
        '{"detail": "..."} instead.'
    ),
    "properties": {
        "detail": {"type": "string", "description": "Only when the body could not be parsed"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": True},
        ]
    },
}

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again",
        "required": True,
    }
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": 'The scheme to use: "Bearer"',
        "required": True,
    }
}

# (description, component, headers) for each error status the API uses.
ERROR_RESPONSES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": ("The request was refused; the body says which field and why.", VALIDATION_ERROR, {}),
    "401": (
        "No valid token: it is missing, wrong, expired or signed out. Sign in again.",
        ERROR,
        WWW_AUTHENTICATE,
    ),
    "403": ("This account may not use this operation (e.g. a clinician's account).", ERROR, {}),
    "404": ("Nothing here for this account (or a page past the last one).", ERROR, {}),
    "415": ("The body was not sent as application/json.", ERROR, {}),
    "429": ("Too many requests; wait as Retry-After says.", ERROR, RETRY_AFTER),
    "503": (
        "The service is briefly unavailable (e.g. its database); try again after Retry-After.",
        ERROR,
        {"Retry-After": {**RETRY_AFTER["Retry-After"], "required": False}},
    ),
}

# Codes any operation can return whatever the view. Keep it to codes the server really sends
# to every operation: 503 + Retry-After while the database or Redis is unreachable
# (config.middleware.DatabaseUnavailableMiddleware).
ERRORS_ON_EVERY_OPERATION: tuple[str, ...] = ("503",)


def own_doc(obj: Any) -> str:
    """The docstring written on ``obj`` itself, never one inherited from a base class.

    drf-spectacular falls back to base classes' docstrings, which would publish the house
    notes of a mixin (how it is built) as if they were documentation for app developers.
    """
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if doc else ""


class ContractAutoSchema(AutoSchema):
    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            responses.setdefault(code, {})
        for code, response in responses.items():
            if code in ERROR_RESPONSES and "content" not in response:
                responses[code] = self._error_response(code, response.get("description"))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def get_description(self) -> str:
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        return (
            own_doc(action)
            if action is not None and own_doc(action)
            else own_doc(self.view.__class__)
        )

    def _error_codes(self, operation: dict[str, Any]) -> set[str]:
        codes = set(ERRORS_ON_EVERY_OPERATION)
        if operation.get("requestBody"):
            codes |= {"400", "415"}
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            codes.add("400")
        if self.view.get_authenticators():
            codes.add("401")
        if any(not isinstance(p, (AllowAny, IsAuthenticated)) for p in self.view.get_permissions()):
            codes.add("403")
        if any(p["in"] == "path" for p in operation.get("parameters", [])) or (
            self._is_list_view() and self._get_paginator()
        ):
            codes.add("404")
        if self._is_throttled():
            codes.add("429")
        return codes

    def _is_throttled(self) -> bool:
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        for throttle in self.view.get_throttles():
            if not isinstance(throttle, ScopedRateThrottle):
                return True
            if getattr(self.view, "throttle_scope", None) in rates:
                return True
        return False

    def _error_response(self, code: str, description: str | None) -> dict[str, Any]:
        default_description, component, headers = ERROR_RESPONSES[code]
        for name, schema in ((ERROR, ERROR_SCHEMA), (VALIDATION_ERROR, VALIDATION_ERROR_SCHEMA)):
            self.registry.register_on_missing(
                ResolvedComponent(
                    name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
                )
            )
        response: dict[str, Any] = {
            "description": description
            if description and description != "No response body"
            else default_description,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}
            },
        }
        if headers:
            response["headers"] = headers
        return response

    # --- query parameters ------------------------------------------------------------------

    def _query_serializer(self) -> type[serializers.Serializer] | None:
        if self.method != "GET":
            return None
        if getattr(self.view, "action", "list") not in {"list", None}:
            return None
        return getattr(self.view, "query_serializer", None)

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        query = self._query_serializer()
        if query is not None:
            parameters.append(query)
        return parameters

    # --- request and response bodies -------------------------------------------------------

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        # drf-spectacular drops every DELETE body; a DELETE that reads one (e.g. a password to
        # confirm) declares it with extend_schema(request=...) and the schema keeps it.
        if self.method == "DELETE" and self._declares_request():
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def _declares_request(self) -> bool:
        """Whether @extend_schema(request=...) names a body other than the view's serializer.

        (extend_schema always overrides get_request_serializer, so compare with the default.)
        """
        declared = self.get_request_serializer()
        if declared is None:
            return False
        # A plain APIView has no serializer of its own (asking would log a warning).
        if not hasattr(self.view, "get_serializer"):
            return True
        default = AutoSchema.get_request_serializer(self)
        return type(force_instance(declared)) is not type(force_instance(default))

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # Requests only: the server refuses more decimal places than stored. Responses leave it
        # out, as validators that test multipleOf on binary floats (ajv without
        # multipleOfPrecision, Python's jsonschema) would reject 38.9 from the server.
        if (
            direction == "request"
            and isinstance(field, serializers.DecimalField)
            and not field.coerce_to_string
            and field.decimal_places is not None
            and schema.get("type") == "number"
        ):
            schema["multipleOf"] = float(Decimal(1).scaleb(-field.decimal_places))
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        serializer = force_instance(serializer)
        description = get_override(serializer, "description", own_doc(serializer.__class__))
        if description:
            schema["description"] = description
        else:
            schema.pop("description", None)
        properties = schema.get("properties", {})
        if direction == "request":
            if isinstance(serializer, RejectUnknownFieldsMixin):
                schema["additionalProperties"] = False
            if is_patched_serializer(serializer, direction):
                # A default here makes generated clients send it and overwrite stored data.
                for prop in properties.values():
                    prop.pop("default", None)
        else:
            optional = set(getattr(serializer, "optional_output_fields", ()))
            required = [name for name in properties if name not in optional]
            if required:
                schema["required"] = required
            else:
                schema.pop("required", None)
        return schema


def reference_named_enums(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: a query parameter whose choices are a named enum (SiteEnum,
    SideEnum, ...) refers to that component, so a generated client has one type per enum
    instead of one per parameter."""
    schemas = result.get("components", {}).get("schemas", {})
    named = {
        frozenset(schema["enum"]): name
        for name, schema in schemas.items()
        if "enum" in schema and schema.get("type") == "string"
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                name = named.get(frozenset(schema.get("enum", ())))
                if name:
                    parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
                    if parameter.get("description", "").startswith("* `"):
                        del parameter["description"]  # the enum's own list of values
    return result

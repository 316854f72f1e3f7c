"""One way for every list to read its query string, so all lists refuse the same mistakes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from journal.api.fields import StrictSerializer

MAX_PAGE_SIZE = 200


class QuerySerializer(StrictSerializer):
    """Validates a query string. A parameter sent blank (``?site=``) is refused rather than
    ignored: DRF's form handling would read it as absent and answer an unfiltered list."""

    def to_internal_value(self, data: Any) -> Any:
        blank = {name: ["May not be blank."] for name in data if data.get(name) == ""}
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class PageQuerySerializer(QuerySerializer):
    """Query parameters every list takes. Any other parameter, or a blank one, is a 400."""

    page = serializers.IntegerField(
        min_value=1, required=False, help_text="Page number, from 1; past the last page is a 404"
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        required=False,
        help_text=f"Results per page, 1 to {MAX_PAGE_SIZE}; 50 when left out",
    )


class ValidatedQueryListMixin:
    """``list`` validates the query string with ``query_serializer`` before anything else.

    Unknown or blank parameters, a page_size outside 1..200 and since after until are a 400
    with field errors, on every list alike. The schema documents the same serializer's fields
    as the operation's query parameters (api.schema).
    """

    query_serializer: type[serializers.Serializer] = PageQuerySerializer
    query: dict[str, Any]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.query = query.validated_data
        return super().list(request, *args, **kwargs)  # type: ignore[misc]

    def filters(self) -> dict[str, Any]:
        """The validated query without the pagination parameters, for the list selector."""
        return {k: v for k, v in self.query.items() if k not in {"page", "page_size"}}

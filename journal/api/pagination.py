from typing import Any

from rest_framework.pagination import PageNumberPagination

from journal.api.listing import MAX_PAGE_SIZE


class JournalPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        # The four keys are always sent; next/previous are null at the ends.
        paginated["required"] = ["count", "next", "previous", "results"]
        for name in ("next", "previous"):
            paginated["properties"][name].pop("example", None)
        paginated["properties"]["count"].pop("example", None)
        paginated["properties"]["count"]["minimum"] = 0
        return paginated

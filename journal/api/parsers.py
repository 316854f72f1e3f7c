from __future__ import annotations

from io import BytesIO
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of ours nests deeper than a handful of levels (a sync batch is 3). A body of
# 1,000 "[" made json.loads raise RecursionError, which reached the 500 page.
MAX_JSON_DEPTH = 32


class LimitedJSONParser(JSONParser):
    """JSON with a hard size cap and a nesting cap.

    DRF reads the request stream directly, bypassing Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE check, so a huge body would be read whole into memory.
    """

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise ParseError(f"Request body is larger than {limit} bytes.")
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise ParseError(f"Request body is larger than {limit} bytes.")
        try:
            data = super().parse(BytesIO(body), media_type, parser_context)
        except RecursionError:  # json's C scanner recurses once per level
            raise ParseError(f"JSON is nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if _too_deep(data, MAX_JSON_DEPTH):
            # Shallower than the recursion limit still parses, but code that walks it
            # recursively (validation, rendering an error) must not be the next to fail.
            raise ParseError(f"JSON is nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


def _too_deep(data: Any, limit: int) -> bool:
    """Iterative, so checking depth cannot itself run out of stack."""
    if not isinstance(data, dict | list):
        return False
    stack: list[tuple[dict | list, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        # Only containers go on the stack: scalars (nearly everything) cost one check.
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False

from __future__ import annotations

from io import BytesIO
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class LimitedJSONParser(JSONParser):
    """JSON with a hard size cap.

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
        return super().parse(BytesIO(body), media_type, parser_context)

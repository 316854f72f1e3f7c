"""``/``: a short page naming the service, with links to the API docs and the admin sites."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html


def home(request: HttpRequest) -> HttpResponse:
    page = format_html(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Foot &amp; Ankle Pain Journal</title></head><body>"
        "<h1>Foot &amp; Ankle Pain Journal</h1>"
        "<p>The API behind the pain journal app: patients log foot and ankle pain, "
        "the service says how soon to see a doctor and sends reminders and alerts.</p>"
        "<ul><li><a href='{}'>API documentation</a> (<a href='{}'>OpenAPI schema</a>)</li>"
        "<li><a href='{}'>Clinicians' workspace</a></li>"
        "<li><a href='{}'>Operators' admin</a></li></ul></body></html>",
        reverse("swagger-ui"),
        reverse("schema"),
        reverse("clinic:index"),
        reverse("admin:index"),
    )
    return HttpResponse(page)

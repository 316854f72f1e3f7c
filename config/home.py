"""``/``: a short page naming the service: the patient's app first (what most people who
land here want), then the API docs and the admin sites."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html


def home(request: HttpRequest) -> HttpResponse:
    page = format_html(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Foot &amp; Ankle Pain Journal</title>"
        "<link rel='icon' href='{}'></head><body><main>"
        "<h1>Foot &amp; Ankle Pain Journal</h1>"
        "<p>Patients log foot and ankle pain; the service says how soon to see a doctor and "
        "sends reminders and alerts.</p>"
        "<p><a href='{}'>Open the journal app</a>: log your pain, see what to do about it, "
        "your entries, ice and heat, trends and alerts. It works on your phone, also "
        "offline, and can be added to your home screen.</p>"
        "<h2>For clinicians, operators and developers</h2>"
        "<ul><li><a href='{}'>Clinicians' workspace</a></li>"
        "<li><a href='{}'>Operators' admin</a></li>"
        "<li><a href='{}'>API documentation</a> (<a href='{}'>OpenAPI schema</a>)</li>"
        "</ul></main></body></html>",
        reverse("favicon"),
        reverse("webapp:shell"),
        reverse("clinic:index"),
        reverse("admin:index"),
        reverse("swagger-ui"),
        reverse("schema"),
    )
    return HttpResponse(page)

"""/api/schema/ for machines and for people, and JSON errors for unknown /api/ URLs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class PlainTextYamlRenderer(OpenApiYamlRenderer):
    media_type = "text/plain"
    charset = "utf-8"


class BrowserShowsYaml(DefaultContentNegotiation):
    """A browser asks for text/html first and would download application/vnd.oai.openapi;
    it gets the same YAML as text/plain, which it shows. Tools keep their media types."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        accept = request.META.get("HTTP_ACCEPT", "")
        if "text/html" in accept and not request.query_params.get("format"):
            plain = next(r for r in renderers if isinstance(r, PlainTextYamlRenderer))
            return plain, plain.media_type
        return super().select_renderer(request, renderers, format_suffix)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: YAML by default, JSON with Accept: application/vnd.oai.openapi+json
    or ?format=json. docs/openapi.yaml in the repository is the same document."""

    renderer_classes = [*SpectacularAPIView.renderer_classes, PlainTextYamlRenderer]
    content_negotiation_class = BrowserShowsYaml
    permission_classes: list = []


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/ a URL that matches no route answers like every other 404 of the API."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def error(request: HttpRequest, *args: Any) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return server_error(request)

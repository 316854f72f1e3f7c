"""The patient's web app at /app/: one shell page for every path under it, the service worker
and the web app manifest. Everything else is static files (ES modules and CSS, no build step)
under ``webapp/static/webapp/``; the pages are drawn in the browser from the public API."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

APP_DIR = Path(__file__).resolve().parent
STATIC_DIR = APP_DIR / "static" / "webapp"
SERVICE_WORKER = APP_DIR / "serviceworker" / "sw.js"
THEME_COLOUR = "#005eb8"
NAME = "Foot & Ankle Pain Journal"

# The same policy as the clinicians' workspace, stricter still: no inline script or style at
# all (styles come from classes), nothing from another origin, no <base>, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# The first page load: the module graph reached by static imports from main.js, and the CSS
# the shell links. bench/webapp_size.py weighs these (compressed); shell_assets() lists them.
ENTRY_MODULE = "webapp/js/main.js"
STYLESHEETS = ("webapp/css/app.css", "webapp/css/journal.css")
_IMPORT = re.compile(
    r"""^\s*(?:import|export)\s+(?:[\w*{}\s,$]+\s+from\s+)?["']([^"']+)["']"""
    r"""|\bimport\(\s*["']([^"']+)["']\s*\)""",
    re.MULTILINE,
)


def _secure(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Referrer-Policy"] = "same-origin"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def static_files() -> list[str]:
    """Every file of the app under the static root, as static paths ("webapp/js/main.js")."""
    return sorted(
        "webapp/" + path.relative_to(STATIC_DIR).as_posix()
        for path in STATIC_DIR.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def shell_assets() -> list[str]:
    """The JS and CSS a first visit loads (static paths): the stylesheets, then every module
    reachable from main.js by an import, ``import("./literal.js")`` included (routes.js loads
    the journal's pages that way, at start)."""
    seen: list[str] = []
    todo = [ENTRY_MODULE]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        source = (STATIC_DIR.parent / current).read_text(encoding="utf-8")
        base = current.rsplit("/", 1)[0]
        for static_spec, dynamic_spec in _IMPORT.findall(source):
            spec = static_spec or dynamic_spec
            if spec.startswith("."):
                parts = f"{base}/{spec}".split("/")
                resolved: list[str] = []
                for part in parts:
                    if part == "..":
                        resolved.pop()
                    elif part not in ("", "."):
                        resolved.append(part)
                todo.append("/".join(resolved))
    return [*STYLESHEETS, *sorted(seen)]


def _version() -> str:
    """A digest of every file the service worker caches and of the worker itself: any change
    makes the worker's bytes change, so browsers install it and refresh their cache."""
    digest = hashlib.sha256(SERVICE_WORKER.read_bytes())
    digest.update((APP_DIR / "templates" / "webapp" / "shell.html").read_bytes())
    digest.update(Path(__file__).read_bytes())  # the manifest and the precache list
    for name in static_files():
        digest.update(name.encode())
        digest.update((STATIC_DIR.parent / name).read_bytes())
    return digest.hexdigest()[:16]


@cache
def _version_cached() -> str:
    return _version()


def version() -> str:
    # Files change under a developer's hands (DEBUG); a deployment's do not.
    return _version() if settings.DEBUG else _version_cached()


@require_safe
def shell(request: HttpRequest) -> HttpResponse:
    context = {
        "name": NAME,
        "theme_colour": THEME_COLOUR,
        "stylesheets": [static(path) for path in STYLESHEETS],
        "entry": static(ENTRY_MODULE),
        "static_root": static("webapp/"),
    }
    response = render(request, "webapp/shell.html", context)
    # A cached shell is the service worker's job; the HTTP cache must not pin an old one.
    response["Cache-Control"] = "no-cache"
    return _secure(response)


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    pages = ["/app/", reverse("webapp:manifest"), reverse("favicon")]
    precache = [*pages, *(static(path) for path in static_files())]
    header = (
        f"import {{ flush }} from {json.dumps(static('webapp/js/core/sync.js'))};\n"
        f"import {{ targetOf }} from "
        f"{json.dumps(static('webapp/js/core/notification-target.js'))};\n"
        f"const VERSION = {json.dumps(version())};\n"
        f"const PRECACHE = {json.dumps(precache)};\n"
        f"const STATIC_ROOT = {json.dumps(static('webapp/'))};\n"
    )
    response = HttpResponse(
        header + SERVICE_WORKER.read_text(encoding="utf-8"),
        content_type="text/javascript; charset=utf-8",
    )
    # Browsers check for a new worker on navigation; it must never come from the HTTP cache.
    response["Cache-Control"] = "no-cache"
    return _secure(response)


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    def icon(path: str, size: str, purpose: str = "any", kind: str = "image/png") -> dict:
        return {"src": static(path), "sizes": size, "type": kind, "purpose": purpose}

    body = {
        "name": NAME,
        "short_name": "Foot Journal",
        "description": "Log foot and ankle pain; see how soon to see a doctor.",
        "id": "/app/",
        "start_url": "/app/",
        "scope": "/app/",
        "display": "standalone",
        "orientation": "any",
        "lang": "en-GB",
        "dir": "ltr",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            icon("webapp/icons/icon-192.png", "192x192"),
            icon("webapp/icons/icon-512.png", "512x512"),
            icon("webapp/icons/maskable-512.png", "512x512", "maskable"),
            icon("webapp/icons/icon.svg", "any", kind="image/svg+xml"),
        ],
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    return _secure(response)


@require_safe
def favicon(request: HttpRequest) -> FileResponse:
    """``/favicon.ico`` for every page (the admin sites too), which browsers ask for unasked."""
    response = FileResponse(
        (STATIC_DIR / "icons" / "favicon-32.png").open("rb"), content_type="image/png"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response

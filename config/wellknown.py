"""Deep links for the native apps: the files iOS and Android fetch from this host to let one
https link (``/app/...``, what emails and pushes carry) open the installed native app, and
this web app where it is not installed.

Built from settings (``IOS_APP_IDS``, ``ANDROID_APP_PACKAGES``, ``ANDROID_CERT_FINGERPRINTS``);
while they are unset there is no native app to hand links to, so both answer 404.
Served as ``application/json`` at the exact paths, without a redirect: Apple's CDN and
Android's verifier follow none, and Apple's file has no extension.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

# The part of this site the native apps handle: the patient's app. The workspace, the API
# and its docs stay in the browser.
APP_PATHS = "/app/*"
CACHE_SECONDS = 3600


def _json(body: object) -> JsonResponse:
    response = JsonResponse(body, safe=False, json_dumps_params={"indent": 2})
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@require_GET
def apple_app_site_association(request: HttpRequest) -> JsonResponse:
    """Universal links (``applinks``, iOS 13+ ``components`` form) and shared sign-in
    credentials (``webcredentials``) for each ``TEAMID.bundle.id`` in IOS_APP_IDS."""
    app_ids = list(settings.IOS_APP_IDS)
    if not app_ids:
        raise Http404("No iOS app is configured (IOS_APP_IDS).")
    return _json(
        {
            "applinks": {
                "details": [
                    {
                        "appIDs": app_ids,
                        "components": [
                            {"/": APP_PATHS, "comment": "The patient's app and its links"}
                        ],
                    }
                ]
            },
            "webcredentials": {"apps": app_ids},
        }
    )


@require_GET
def assetlinks(request: HttpRequest) -> JsonResponse:
    """Android App Links: each package in ANDROID_APP_PACKAGES may handle this site's URLs
    when signed with one of ANDROID_CERT_FINGERPRINTS (SHA-256, colon-separated hex)."""
    packages = list(settings.ANDROID_APP_PACKAGES)
    fingerprints = list(settings.ANDROID_CERT_FINGERPRINTS)
    if not packages or not fingerprints:
        raise Http404("No Android app is configured (ANDROID_APP_PACKAGES and fingerprints).")
    return _json(
        [
            {
                "relation": [
                    "delegate_permission/common.handle_all_urls",
                    "delegate_permission/common.get_login_creds",
                ],
                "target": {
                    "namespace": "android_app",
                    "package_name": package,
                    "sha256_cert_fingerprints": fingerprints,
                },
            }
            for package in packages
        ]
    )

"""/.well-known/ deep-link files for the native apps, built from settings."""

from __future__ import annotations

import json

import pytest

from tests.test_platform import _start

FINGERPRINT = ":".join(["AB"] * 32)


@pytest.mark.parametrize(
    "path", ["/.well-known/apple-app-site-association", "/.well-known/assetlinks.json"]
)
def test_absent_settings_are_404s(anon, settings, path):
    settings.IOS_APP_IDS = []
    settings.ANDROID_APP_PACKAGES = []
    settings.ANDROID_CERT_FINGERPRINTS = []
    assert anon.get(path).status_code == 404


def test_android_needs_a_fingerprint_as_well_as_a_package(anon, settings):
    settings.ANDROID_APP_PACKAGES = ["org.example.footjournal"]
    settings.ANDROID_CERT_FINGERPRINTS = []
    assert anon.get("/.well-known/assetlinks.json").status_code == 404


def test_apple_app_site_association_hands_the_patients_links_to_the_ios_app(anon, settings):
    settings.IOS_APP_IDS = ["ABCDE12345.org.example.footjournal"]
    response = anon.get("/.well-known/apple-app-site-association", follow=False)
    # Apple's CDN follows no redirect and wants JSON at the exact path, no extension.
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["applinks"]["details"] == [
        {
            "appIDs": ["ABCDE12345.org.example.footjournal"],
            "components": [{"/": "/app/*", "comment": "The patient's app and its links"}],
        }
    ]
    assert body["webcredentials"] == {"apps": ["ABCDE12345.org.example.footjournal"]}


def test_assetlinks_names_each_package_with_the_signing_fingerprints(anon, settings):
    settings.ANDROID_APP_PACKAGES = ["org.example.footjournal", "org.example.footjournal.beta"]
    settings.ANDROID_CERT_FINGERPRINTS = [FINGERPRINT]
    response = anon.get("/.well-known/assetlinks.json", follow=False)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    statements = json.loads(response.content)
    assert [s["target"]["package_name"] for s in statements] == [
        "org.example.footjournal",
        "org.example.footjournal.beta",
    ]
    for statement in statements:
        assert "delegate_permission/common.handle_all_urls" in statement["relation"]
        assert statement["target"]["namespace"] == "android_app"
        assert statement["target"]["sha256_cert_fingerprints"] == [FINGERPRINT]


def test_settings_come_from_the_environment():
    result = _start(
        {
            "IOS_APP_IDS": "ABCDE12345.org.example.a, ABCDE12345.org.example.b",
            "ANDROID_APP_PACKAGES": "org.example.a",
            "ANDROID_CERT_FINGERPRINTS": ":".join(["ab"] * 32),
        }
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("IOS_APP_IDS", "org.example.footjournal"),  # the team id is missing
        ("ANDROID_APP_PACKAGES", "footjournal"),
        ("ANDROID_CERT_FINGERPRINTS", "AB:CD"),
    ],
)
def test_a_malformed_deep_link_setting_stops_start_up_naming_it(name, value):
    result = _start({name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.splitlines()[-1]

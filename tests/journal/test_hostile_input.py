"""Security review item 8: bad input that reached a 500 is a 400 with a message."""

from __future__ import annotations

import pytest

from tests.notify.test_channels import _keys

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.mark.parametrize(("opener", "inner", "closer"), [("[", "", "]"), ('{"a":', "1", "}")])
@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_400_even_unauthenticated(anon, opener, inner, closer, depth):
    body = opener * depth + inner + closer * depth
    response = anon.generic("POST", "/api/v1/auth/login/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_deeply_nested_json_is_400_for_a_patient(api):
    body = '{"logs": [' + "[" * 900 + "]" * 900 + "]}"
    response = api.generic("POST", "/api/v1/logs/sync/", body, content_type="application/json")
    assert response.status_code == 400


def test_ordinary_nesting_still_parses(api):
    response = api.post("/api/v1/logs/sync/", {"logs": []})
    assert response.status_code == 200


@pytest.mark.parametrize("length", [1025, 1500, 2048])
def test_a_long_web_push_endpoint_is_400_not_500(api, settings, length):
    settings.WEBPUSH_ALLOWED_HOSTS = ["fcm.googleapis.com"]
    prefix = "https://fcm.googleapis.com/fcm/send/"
    endpoint = prefix + "x" * (length - len(prefix))
    response = api.post(
        "/api/v1/devices/",
        {"kind": "webpush", "subscription": {"endpoint": endpoint, "keys": _keys()}},
    )
    assert response.status_code == 400
    assert "subscription" in response.json()

"""What the contract promises, checked on the server: offsets, list filters, JSON types,
HH:MM, devices by kind, JSON errors under /api/."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import PainLog, Treatment
from tests.factories import PainLogFactory, TreatmentFactory
from triage.api.serializers import AlertOutputSerializer
from triage.models import Alert

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/logs/", "/api/v1/treatments/", "/api/v1/alerts/", "/api/v1/devices/"]


def local(offset: str, minutes_ago: int = 30) -> str:
    """Now minus some minutes, written with an extreme (but valid ISO 8601) UTC offset."""
    sign = 1 if offset[0] == "+" else -1
    hours, mins = (int(x) for x in offset[1:].split(":"))
    shift = timedelta(hours=hours, minutes=mins) * sign
    wall = timezone.now().replace(tzinfo=None) - timedelta(minutes=minutes_ago) + shift
    return wall.replace(microsecond=0).isoformat() + offset


def entry(**extra):
    return {"site": "achilles", "side": "left", "severity": 4, **extra}


@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59", "-23:59"])
def test_extreme_offsets_are_stored_as_the_same_instant(api, patient, offset):
    created = api.post("/api/v1/logs/", entry(recorded_at=local(offset)))
    assert created.status_code == 201, created.json()
    log = PainLog.objects.get(pk=created.json()["id"])
    assert abs(log.recorded_at - (timezone.now() - timedelta(minutes=30))) < timedelta(minutes=1)
    patched = api.patch(f"/api/v1/logs/{log.pk}/", {"recorded_at": local(offset, 40)})
    assert patched.status_code == 200, patched.json()

    started = api.post(
        "/api/v1/treatments/",
        {"kind": "ice", "site": "arch", "side": "left", "started_at": local(offset)},
    )
    assert started.status_code == 201, started.json()
    again = api.patch(
        f"/api/v1/treatments/{started.json()['id']}/", {"started_at": local(offset, 35)}
    )
    assert again.status_code == 200, again.json()

    for url in ("/api/v1/logs/", "/api/v1/treatments/"):
        window = {"since": local(offset, 120), "until": local(offset, 0)}
        listed = api.get(url, window)
        assert listed.status_code == 200, listed.json()
        assert listed.json()["count"] == 1


def test_sync_keeps_the_batch_when_one_item_is_bad(api, patient):
    good, far_offset, bad = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    response = api.post(
        "/api/v1/logs/sync/",
        {
            "logs": [
                entry(id=str(good), recorded_at=local("+01:00")),
                entry(id=str(far_offset), recorded_at=local("-16:00")),
                entry(id=str(bad), recorded_at=local("+00:00"), severity=11),
                entry(id=str(uuid.uuid4()), recorded_at="0001-01-01T00:00:00+01:00"),
            ]
        },
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "invalid", "invalid"]
    assert results[2]["errors"] == {"severity": ["Ensure this value is less than or equal to 10."]}
    assert "recorded_at" in results[3]["errors"]
    assert set(PainLog.objects.values_list("id", flat=True)) == {good, far_offset}


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        {"page_size": "abc"},
        {"page_size": "0"},
        {"page_size": "201"},
        {"page": "0"},
        {"page": ""},
        {"page_size": ""},
        {"colour": "red"},
    ],
)
def test_every_list_refuses_the_same_bad_queries(api, url, query):
    response = api.get(url, query)
    assert response.status_code == 400, (url, query, response.content)
    assert set(response.json()) == set(query)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/logs/", {"site": ""}),
        ("/api/v1/logs/", {"side": ""}),
        ("/api/v1/logs/", {"since": ""}),
        ("/api/v1/treatments/", {"kind": ""}),
        ("/api/v1/treatments/", {"until": ""}),
        ("/api/v1/alerts/", {"status": ""}),
        ("/api/v1/trends/", {"days": ""}),
        ("/api/v1/trends/", {"days": "366"}),
        ("/api/v1/trends/", {"weeks": "2"}),
    ],
)
def test_blank_filters_are_refused_not_ignored(api, url, query):
    response = api.get(url, query)
    assert response.status_code == 400, (url, query)
    assert set(response.json()) == set(query)


@pytest.mark.parametrize("url", ["/api/v1/logs/", "/api/v1/treatments/"])
def test_since_after_until_is_refused_on_both_time_lists(api, url):
    response = api.get(url, {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert response.json() == {"until": ["Must not be before since."]}


def test_a_page_past_the_last_is_a_json_404(api, patient):
    PainLogFactory(patient=patient)
    TreatmentFactory(patient=patient)
    for url in ("/api/v1/logs/", "/api/v1/treatments/"):
        response = api.get(url, {"page": 2})
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notes": 123}, "notes"),
        ({"temperature_c": "37.5"}, "temperature_c"),
        ({"temperature_c": 37.55}, "temperature_c"),
        ({"id": 12345}, "id"),
        ({"recorded_at": 1700000000}, "recorded_at"),
        ({"severity": "4"}, "severity"),
    ],
)
def test_values_of_the_wrong_json_type_are_refused(api, patient, body, field):
    payload = {**entry(recorded_at=timezone.now().isoformat()), **body}
    response = api.post("/api/v1/logs/", payload)
    assert response.status_code == 400, response.json()
    assert field in response.json()


def test_unknown_fields_are_reported_with_the_other_errors(api):
    response = api.post("/api/v1/logs/", {"site": "knee", "colour": "red"})
    assert response.status_code == 400
    assert {"site", "colour", "recorded_at", "severity", "side"} <= set(response.json())


@pytest.mark.parametrize("value", ["7:30", "07:30:00", "24:00", "07:3", 730, None])
def test_reminder_time_is_hh_mm_only(api, value):
    response = api.patch("/api/v1/me/", {"reminder_time": value})
    assert response.status_code == 400
    assert "reminder_time" in response.json()


def test_reminder_time_round_trips_as_read(api):
    read = api.get("/api/v1/me/").json()
    assert read["reminder_time"] == "20:00"
    assert api.patch("/api/v1/me/", {"reminder_time": read["reminder_time"]}).status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "webpush", "registration_id": "x"}, {"subscription", "registration_id"}),
        ({"kind": "fcm", "subscription": {}}, {"registration_id", "subscription"}),
        ({"kind": "apns"}, {"registration_id"}),
        ({"kind": "pager"}, {"kind"}),
        ({"registration_id": "x"}, {"kind"}),
        ({"kind": "fcm", "registration_id": 42}, {"registration_id"}),
    ],
)
def test_device_fields_follow_the_kind(api, body, fields):
    response = api.post("/api/v1/devices/", body)
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_a_non_object_device_body_is_a_400(api):
    response = api.post("/api/v1/devices/", [1, 2], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_patient_wide_alert_has_null_site_and_side(patient):
    alert = Alert(patient=patient, rule="r", level="consult", message="m", site="", side="")
    data = AlertOutputSerializer(alert).data
    assert (data["site"], data["side"]) == (None, None)


def test_an_unknown_api_url_answers_json(api, anon):
    for client in (api, anon):
        response = client.get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert api.get("/api/v1/logs/not-a-uuid/").json() == {"detail": "Not found."}


def test_treatment_patch_keeps_what_it_does_not_name(api, patient):
    treatment = TreatmentFactory(patient=patient, skin_reaction=True, minutes=None)
    response = api.patch(f"/api/v1/treatments/{treatment.pk}/", {"minutes": 15})
    assert response.status_code == 200
    treatment = Treatment.objects.get(pk=treatment.pk)
    assert (treatment.minutes, treatment.skin_reaction) == (15, True)


def test_a_throttled_request_is_a_429_with_retry_after(anon, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min"})
    # A client address and an account of its own: no history from other tests or runs.
    random = uuid.uuid4().hex
    address = "2001:db8::" + ":".join(random[i : i + 4] for i in range(0, 16, 4))
    body = {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.org", "password": "wrong-pass-1"}
    statuses = [
        anon.post("/api/v1/auth/login/", body, REMOTE_ADDR=address).status_code for _ in range(3)
    ]
    assert statuses == [400, 400, 429]
    throttled = anon.post("/api/v1/auth/login/", body, REMOTE_ADDR=address)
    assert int(throttled["Retry-After"]) > 0
    assert set(throttled.json()) == {"detail"}


def test_a_body_that_is_not_json_is_a_415_or_a_400_with_detail(api):
    wrong_type = api.post("/api/v1/logs/", "severity=4", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert set(wrong_type.json()) == {"detail"}
    broken = api.post("/api/v1/logs/", "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert set(broken.json()) == {"detail"}


def test_the_401_names_the_bearer_scheme(anon):
    response = anon.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"detail"}

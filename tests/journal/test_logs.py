import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import PainLog
from tests.factories import PainLogFactory

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

LOGS = "/api/v1/logs/"


def entry(**overrides):
    base = {
        "recorded_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "site": "ankle_outer",
        "side": "left",
        "severity": 4,
    }
    return {**base, **overrides}


def test_create_with_defaults(api, patient):
    response = api.post(LOGS, entry())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["swelling"] == "none"
    assert body["can_bear_weight"] is True
    assert body["fever"] is False
    assert body["temperature_c"] is None
    assert body["notes"] == ""
    assert {"id", "created_at", "updated_at"} <= set(body)
    log = PainLog.objects.get(pk=body["id"])
    assert log.patient == patient


def test_create_with_every_field_and_client_id(api):
    log_id = str(uuid.uuid4())
    payload = entry(
        id=log_id,
        swelling="severe",
        sudden_onset=True,
        redness_or_warmth=True,
        fever=True,
        temperature_c=38.4,
        can_bear_weight=False,
        numbness_or_tingling=True,
        heard_pop=True,
        back_or_leg_pain=True,
        notes="Twisted it on the kerb",
    )
    response = api.post(LOGS, payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == log_id
    assert body["temperature_c"] == 38.4
    assert body["heard_pop"] is True


def test_time_with_offset_is_kept_as_the_same_instant(api):
    at = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    local = at.astimezone(timezone.get_fixed_timezone(-300)).isoformat()
    body = api.post(LOGS, entry(recorded_at=local)).json()
    assert PainLog.objects.get(pk=body["id"]).recorded_at == at


def _now_plus(**kw):
    """Worked out when the test runs (on its clock), not when the module is imported."""
    return lambda: (timezone.now() + timedelta(**kw)).isoformat()


BAD_ENTRIES = [
    ({"site": "knee"}, "site"),
    ({"side": "both"}, "side"),
    ({"severity": 11}, "severity"),
    ({"severity": -1}, "severity"),
    ({"severity": 4.5}, "severity"),
    ({"severity": "4"}, "severity"),
    ({"severity": True}, "severity"),
    ({"severity": None}, "severity"),
    ({"swelling": "huge"}, "swelling"),
    ({"fever": "yes"}, "fever"),
    ({"temperature_c": 33.9}, "temperature_c"),
    ({"temperature_c": 43.1}, "temperature_c"),
    ({"temperature_c": "hot"}, "temperature_c"),
    ({"recorded_at": "2026-11-21T08:30:00"}, "recorded_at"),
    ({"recorded_at": "yesterday"}, "recorded_at"),
    ({"recorded_at": "2026-13-45T08:30:00Z"}, "recorded_at"),
    ({"recorded_at": 1763700000}, "recorded_at"),
    ({"recorded_at": _now_plus(minutes=6)}, "recorded_at"),
    ({"recorded_at": _now_plus(days=-366)}, "recorded_at"),
    ({"notes": "x" * 2001}, "notes"),
    ({"id": "not-a-uuid"}, "id"),
    ({"mood": "grumpy"}, "mood"),
    ({"created_at": "2026-01-01T00:00:00Z"}, "created_at"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_ENTRIES)
def test_create_rejects_bad_input_with_field_error(api, overrides, field):
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
    response = api.post(LOGS, entry(**overrides))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert PainLog.objects.count() == 0


@pytest.mark.parametrize("missing", ["recorded_at", "site", "side", "severity"])
def test_required_fields(api, missing):
    payload = entry()
    del payload[missing]
    response = api.post(LOGS, payload)
    assert response.status_code == 400
    assert missing in response.json()


def test_recorded_just_inside_the_window_is_accepted(api):
    assert api.post(LOGS, entry(recorded_at=_now_plus(minutes=4)())).status_code == 201
    assert api.post(LOGS, entry(recorded_at=_now_plus(days=-364)())).status_code == 201


def test_duplicate_client_id_is_400_and_keeps_the_original(api, patient):
    original = PainLogFactory(patient=patient, severity=2)
    response = api.post(LOGS, entry(id=str(original.pk), severity=9))
    assert response.status_code == 400
    assert "id" in response.json()
    original.refresh_from_db()
    assert original.severity == 2


def test_non_json_and_malformed_bodies_are_400(api):
    assert api.post(LOGS, "{not json", content_type="application/json").status_code == 400
    assert api.post(LOGS, "[1, 2]", content_type="application/json").status_code == 400
    assert api.post(LOGS, '{"severity": NaN}', content_type="application/json").status_code == 400
    response = api.post(LOGS, "severity=3", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_oversized_body_is_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api.post(LOGS, entry(notes="x" * 20_000))
    assert response.status_code == 400
    assert "too large" in response.json()["detail"] or "larger" in response.json()["detail"]


def test_retrieve_patch_delete(api, patient):
    log = PainLogFactory(patient=patient, severity=3)
    url = f"{LOGS}{log.pk}/"
    assert api.get(url).json()["severity"] == 3
    response = api.patch(url, {"severity": 6, "swelling": "mild"})
    assert response.status_code == 200
    assert response.json()["severity"] == 6
    log.refresh_from_db()
    assert (log.severity, log.swelling, log.site) == (6, "mild", "ankle_outer")
    assert api.delete(url).status_code == 204
    assert not PainLog.objects.filter(pk=log.pk).exists()
    assert api.get(url).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [{"severity": 12}, {"id": str(uuid.uuid4())}, {"recorded_at": "2026-01-01T00:00"}, {"x": 1}],
)
def test_rejected_patch_changes_nothing(api, patient, payload):
    log = PainLogFactory(patient=patient, severity=3)
    before = PainLog.objects.filter(pk=log.pk).values().get()
    response = api.patch(f"{LOGS}{log.pk}/", {**payload, "notes": "changed"})
    assert response.status_code == 400
    assert PainLog.objects.filter(pk=log.pk).values().get() == before


def test_put_is_not_offered(api, patient):
    log = PainLogFactory(patient=patient)
    assert api.put(f"{LOGS}{log.pk}/", entry()).status_code == 405


def test_another_patients_entry_is_404_for_every_method(api, stranger):
    theirs = PainLogFactory(patient=stranger, severity=5)
    url = f"{LOGS}{theirs.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"severity": 1}).status_code == 404
    assert api.delete(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.severity == 5
    assert api.get(LOGS).json()["count"] == 0


def test_unknown_id_is_404(api):
    assert api.get(f"{LOGS}{uuid.uuid4()}/").status_code == 404
    assert api.get(f"{LOGS}not-a-uuid/").status_code == 404


def test_list_newest_first_with_filters(api, patient):
    now = timezone.now()
    old = PainLogFactory(patient=patient, recorded_at=now - timedelta(days=3), site="arch")
    mid = PainLogFactory(patient=patient, recorded_at=now - timedelta(days=2), side="left")
    new = PainLogFactory(patient=patient, recorded_at=now - timedelta(days=1))
    body = api.get(LOGS).json()
    assert [r["id"] for r in body["results"]] == [str(new.pk), str(mid.pk), str(old.pk)]
    assert set(body) == {"count", "next", "previous", "results"}
    assert [r["id"] for r in api.get(LOGS, {"site": "arch"}).json()["results"]] == [str(old.pk)]
    assert [r["id"] for r in api.get(LOGS, {"side": "left"}).json()["results"]] == [str(mid.pk)]
    since = (now - timedelta(days=2, hours=1)).isoformat()
    until = (now - timedelta(hours=36)).isoformat()
    filtered = api.get(LOGS, {"since": since, "until": until}).json()["results"]
    assert [r["id"] for r in filtered] == [str(mid.pk)]


@pytest.mark.parametrize(
    "query",
    [
        {"site": "knee"},
        {"side": "middle"},
        {"since": "2026-01-01T00:00:00"},
        {"until": "soon"},
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"colour": "red"},
    ],
)
def test_list_rejects_bad_filters(api, query):
    response = api.get(LOGS, query)
    assert response.status_code == 400
    assert set(response.json()) & (set(query) | {"until"})


def test_pagination(api, patient):
    PainLogFactory.create_batch(7, patient=patient)
    first = api.get(LOGS, {"page_size": 3}).json()
    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert first["next"] and first["previous"] is None
    last = api.get(LOGS, {"page_size": 3, "page": 3}).json()
    assert len(last["results"]) == 1


@pytest.mark.parametrize("page_size", [1, 50, 200])
def test_list_query_count_does_not_grow_with_page_size(
    api, patient, page_size, django_assert_max_num_queries
):
    PainLogFactory.create_batch(60, patient=patient)
    # auth token lookup + user + patient + count + page
    with django_assert_max_num_queries(6):
        response = api.get(LOGS, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 60)

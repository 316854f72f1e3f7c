""" "Gone" (the patient says it is over) versus a reading of 0, through the API the app uses."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import PainLogFactory
from triage.models import Alert

pytestmark = pytest.mark.django_db

LOGS = "/api/v1/logs/"
# 19:00 in London (the patients' zone): the evening a follow-up question would arrive.
NOW = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def entry(**overrides):
    base = {
        "recorded_at": (NOW - timedelta(minutes=1)).isoformat(),
        "site": "ankle_outer",
        "side": "right",
        "severity": 0,
    }
    return {**base, **overrides}


def _week_of_pain(patient):
    for day in range(7, 0, -1):
        PainLogFactory(patient=patient, severity=5, recorded_at=NOW - timedelta(days=day))


def test_gone_defaults_to_false_and_is_on_every_entry(api):
    created = api.post(LOGS, entry(severity=3)).json()
    assert created["gone"] is False
    assert api.get(f"{LOGS}{created['id']}/").json()["gone"] is False
    assert [e["gone"] for e in api.get(LOGS).json()["results"]] == [False]


def test_the_one_tap_gone_ends_the_episode_and_a_plain_zero_does_not(api, patient):
    _week_of_pain(patient)
    # The first write re-assesses the seeded week: persistent pain, consult.
    quiet = api.post(LOGS, entry(severity=0))
    assert quiet.status_code == 201, quiet.json()
    assert quiet.json()["gone"] is False
    assert quiet.json()["triage"]["level"] == "consult"
    alert = Alert.objects.get(patient=patient, rule="persistent_pain")
    assert alert.status == "open"

    gone = api.post(LOGS, entry(severity=0, gone=True))
    assert gone.status_code == 201, gone.json()
    assert gone.json()["gone"] is True
    assert gone.json()["triage"]["level"] == "self_care"
    alert.refresh_from_db()
    assert alert.status == "resolved"


@pytest.mark.parametrize(
    "symptom",
    [
        {"severity": 2},
        {"swelling": "mild"},
        {"fever": True},
        {"temperature_c": 38.0},
        {"can_bear_weight": False},
        {"numbness_or_tingling": True},
        {"redness_or_warmth": True},
        {"heard_pop": True},
        {"sudden_onset": True},
        {"back_or_leg_pain": True},
    ],
)
def test_gone_with_a_symptom_is_400_on_gone(api, symptom):
    response = api.post(LOGS, entry(gone=True, **symptom))
    assert response.status_code == 400
    assert list(response.json()) == ["gone"]


def test_gone_with_a_normal_temperature_is_fine(api):
    response = api.post(LOGS, entry(gone=True, temperature_c=36.8))
    assert response.status_code == 201, response.json()


def test_a_correction_is_judged_with_the_fields_it_keeps(api, patient):
    gone = api.post(LOGS, entry(gone=True)).json()
    url = f"{LOGS}{gone['id']}/"
    refused = api.patch(url, {"severity": 4})
    assert refused.status_code == 400 and list(refused.json()) == ["gone"]
    assert api.get(url).json()["severity"] == 0
    fixed = api.patch(url, {"severity": 4, "gone": False})
    assert fixed.status_code == 200, fixed.json()
    assert (fixed.json()["severity"], fixed.json()["gone"]) == (4, False)
    assert api.patch(url, {"gone": True}).status_code == 400
    assert api.patch(url, {"notes": "better"}).status_code == 200


def test_sync_carries_gone_and_refuses_it_with_symptoms_per_item(api, patient):
    ok, bad = str(uuid.uuid4()), str(uuid.uuid4())
    batch = {"logs": [entry(id=ok, gone=True), entry(id=bad, gone=True, severity=3)]}
    results = api.post(f"{LOGS}sync/", batch).json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid"]
    assert list(results[1]["errors"]) == ["gone"]
    assert api.get(f"{LOGS}{ok}/").json()["gone"] is True
    again = api.post(f"{LOGS}sync/", {"logs": [entry(id=ok, gone=True)]}).json()
    assert again["results"][0]["status"] == "unchanged"
    changed = api.post(f"{LOGS}sync/", {"logs": [entry(id=ok, gone=False)]}).json()
    assert changed["results"][0]["status"] == "updated"

"""The questionnaire API as the phone uses it: due list, submit, idempotency, history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from outcomes.models import QuestionnaireResponse
from tests.factories import PainLogFactory

# Entries are built from the clock and read by local day: run at noon, not near midnight.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

PEG = {"instrument": "peg", "answers": {"pain": 6, "enjoyment": 5, "activity": 4}}


def test_the_peg_is_due_once_per_local_week(api, patient):
    due = api.get("/api/v1/questionnaires/due/").json()["results"]
    assert [d["instrument"] for d in due] == ["peg"]
    assert [i["code"] for i in due[0]["questionnaire"]["items"]] == [
        "pain",
        "enjoyment",
        "activity",
    ]
    created = api.post("/api/v1/questionnaires/responses/", PEG, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["score"] == 5.0
    assert api.get("/api/v1/questionnaires/due/").json()["results"] == []
    again = api.post("/api/v1/questionnaires/responses/", PEG, format="json")
    assert again.status_code == 400 and "period" in again.json()


def test_the_same_id_twice_stores_one_response(api, patient):
    body = {**PEG, "id": str(uuid.uuid4())}
    first = api.post("/api/v1/questionnaires/responses/", body, format="json")
    second = api.post("/api/v1/questionnaires/responses/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert QuestionnaireResponse.objects.filter(patient=patient).count() == 1
    other = {**body, "answers": {"pain": 1, "enjoyment": 1, "activity": 1}}
    assert api.post("/api/v1/questionnaires/responses/", other, format="json").status_code == 400


def test_another_patients_id_is_refused(api, stranger):
    from tests.conftest import client_for

    body = {**PEG, "id": str(uuid.uuid4())}
    assert (
        client_for(stranger.user)
        .post("/api/v1/questionnaires/responses/", body, format="json")
        .status_code
        == 201
    )
    refused = api.post("/api/v1/questionnaires/responses/", body, format="json")
    assert refused.status_code == 400 and "id" in refused.json()


@pytest.mark.parametrize(
    "answers",
    [
        {"pain": 6, "enjoyment": 5},
        {"pain": 6, "enjoyment": 5, "activity": 11},
        {"pain": "6", "enjoyment": 5, "activity": 4},
        {"pain": 6, "enjoyment": 5, "activity": 4, "extra": 1},
    ],
)
def test_invalid_answers_are_a_400(api, answers):
    refused = api.post(
        "/api/v1/questionnaires/responses/",
        {"instrument": "peg", "answers": answers},
        format="json",
    )
    assert refused.status_code == 400
    # DRF's documented shape: lists of messages, nested per item under "answers".
    errors = refused.json()
    assert all(isinstance(v, list | dict) for v in errors.values())
    for reasons in errors.get("answers", {}).values():
        assert isinstance(reasons, list) and all(isinstance(r, str) for r in reasons)


def test_the_week_is_the_patients_local_week(api, patient):
    patient.timezone = "Pacific/Auckland"
    patient.save()
    # 10:00 UTC on Sunday 2026-12-06 is 23:00 that Sunday in Auckland (NZDT, +13); 11:30 UTC
    # is 00:30 on Monday there: a new local week, though it is still Sunday in UTC.
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, tzinfo=UTC), tick=False):
        first = api.post("/api/v1/questionnaires/responses/", PEG, format="json").json()
    with time_machine.travel(datetime(2026, 12, 6, 11, 30, tzinfo=UTC), tick=False):
        second = api.post("/api/v1/questionnaires/responses/", PEG, format="json").json()
    assert (first["period"], second["period"]) == ("2026-W49", "2026-W50")


def test_a_pgic_is_due_when_an_episode_ends_and_once(api, patient):
    now = datetime.now(UTC)
    PainLogFactory(patient=patient, recorded_at=now - timedelta(days=10), severity=6)
    PainLogFactory(patient=patient, recorded_at=now - timedelta(days=5), severity=3)
    assert [d["instrument"] for d in api.get("/api/v1/questionnaires/due/").json()["results"]] == [
        "peg"
    ]
    PainLogFactory(patient=patient, recorded_at=now - timedelta(hours=2), severity=0, gone=True)
    due = api.get("/api/v1/questionnaires/due/").json()["results"]
    pgic = [d for d in due if d["instrument"] == "pgic"]
    assert len(pgic) == 1 and pgic[0]["site"] == "ankle_outer"
    body = {
        "instrument": "pgic",
        "answers": {"change": 2},
        "site": pgic[0]["site"],
        "side": pgic[0]["side"],
        "episode_start": pgic[0]["episode_start"],
    }
    created = api.post("/api/v1/questionnaires/responses/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["score"] == 2.0
    assert not [
        d
        for d in api.get("/api/v1/questionnaires/due/").json()["results"]
        if d["instrument"] == "pgic"
    ]
    wrong = {**body, "episode_start": "2020-01-01"}
    assert api.post("/api/v1/questionnaires/responses/", wrong, format="json").status_code == 400


def test_history_lists_only_the_callers_responses_with_scores(api, patient, stranger):
    from tests.conftest import client_for

    api.post("/api/v1/questionnaires/responses/", PEG, format="json")
    client_for(stranger.user).post("/api/v1/questionnaires/responses/", PEG, format="json")
    history = api.get("/api/v1/questionnaires/responses/").json()
    assert [(r["instrument"], r["score"]) for r in history] == [("peg", 5.0)]
    assert list(history[0]["answers"].items()) == [("pain", 6), ("enjoyment", 5), ("activity", 4)]
    assert api.get("/api/v1/questionnaires/responses/", {"instrument": "pgic"}).json() == []

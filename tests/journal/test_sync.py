import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from journal.models import PainLog
from tests.conftest import client_for
from tests.factories import PainLogFactory

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

SYNC = "/api/v1/logs/sync/"


def item(**overrides):
    base = {
        "id": str(uuid.uuid4()),
        "recorded_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        "site": "heel_bottom",
        "side": "right",
        "severity": 5,
    }
    return {**base, **overrides}


def statuses(response):
    assert response.status_code == 200, response.json()
    return [r["status"] for r in response.json()["results"]]


def test_created_then_unchanged_then_updated(api, patient):
    batch = [item(), item(severity=2)]
    assert statuses(api.post(SYNC, {"logs": batch})) == ["created", "created"]
    assert statuses(api.post(SYNC, {"logs": batch})) == ["unchanged", "unchanged"]
    batch[1]["severity"] = 3
    assert statuses(api.post(SYNC, {"logs": batch})) == ["unchanged", "updated"]
    assert PainLog.objects.filter(patient=patient).count() == 2
    assert PainLog.objects.get(pk=batch[1]["id"]).severity == 3


def test_same_instant_in_another_offset_is_unchanged(api):
    first = item()
    api.post(SYNC, {"logs": [first]})
    moved = timezone.datetime.fromisoformat(first["recorded_at"]).astimezone(
        timezone.get_fixed_timezone(600)
    )
    assert statuses(api.post(SYNC, {"logs": [{**first, "recorded_at": moved.isoformat()}]})) == [
        "unchanged"
    ]


def test_invalid_items_are_reported_and_the_rest_stored(api, patient):
    good = item()
    response = api.post(
        SYNC, {"logs": [good, item(severity=42), item(site="hip"), {"severity": 1}]}
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "invalid", "invalid"]
    assert "severity" in results[1]["errors"]
    assert "site" in results[2]["errors"]
    assert results[3]["id"] is None and "id" in results[3]["errors"]
    assert list(PainLog.objects.values_list("id", flat=True)) == [uuid.UUID(good["id"])]


def test_an_id_belonging_to_another_patient_is_invalid_and_untouched(api, stranger):
    theirs = PainLogFactory(patient=stranger, severity=1)
    response = api.post(SYNC, {"logs": [item(id=str(theirs.pk), severity=9)]})
    assert statuses(response) == ["invalid"]
    theirs.refresh_from_db()
    assert theirs.severity == 1 and theirs.patient == stranger


def test_repeated_id_in_one_batch_is_stored_once(api):
    first = item()
    response = api.post(SYNC, {"logs": [first, {**first, "severity": 8}]})
    assert statuses(response) == ["created", "updated"]
    assert PainLog.objects.get().severity == 8


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "logs"),
        ({"logs": "everything"}, "logs"),
        ({"logs": [1, 2]}, "logs"),
        ({"logs": [], "extra": True}, "extra"),
    ],
)
def test_malformed_batches_are_400(api, body, field):
    response = api.post(SYNC, body)
    assert response.status_code == 400
    assert field in response.json()


def test_batch_over_500_is_400_and_stores_nothing(api):
    response = api.post(SYNC, {"logs": [item() for _ in range(501)]})
    assert response.status_code == 400
    assert "logs" in response.json()
    assert PainLog.objects.count() == 0


def test_batch_of_500_is_accepted(api):
    assert statuses(api.post(SYNC, {"logs": [item() for _ in range(500)]})).count("created") == 500


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_batches_store_each_entry_once(patient):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is under test; SQLite serialises writers itself")
    batch = [item(severity=n % 11) for n in range(50)]
    barrier = threading.Barrier(2)
    results: list[list[str]] = [[], []]
    failures: list[tuple[int, bytes]] = []

    def send(slot: int) -> None:
        client = client_for(patient.user)
        barrier.wait()
        response = client.post(SYNC, {"logs": batch})
        if response.status_code != 200:
            failures.append((response.status_code, response.content))
        else:
            results[slot] = [r["status"] for r in response.json()["results"]]
        connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert PainLog.objects.filter(patient=patient).count() == 50
    assert sorted([results[0][0], results[1][0]]) == ["created", "unchanged"]
    for position in range(50):
        assert sorted([results[0][position], results[1][position]]) == ["created", "unchanged"]

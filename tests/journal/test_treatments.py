import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import Treatment
from tests.factories import TreatmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/treatments/"


def session(**overrides):
    base = {
        "kind": "ice",
        "site": "ankle_outer",
        "side": "right",
        "started_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }
    return {**base, **overrides}


def test_start_then_stop_a_session(api, patient):
    response = api.post(URL, session())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["minutes"] is None and body["skin_reaction"] is False
    stopped = api.patch(f"{URL}{body['id']}/", {"minutes": 12})
    assert stopped.status_code == 200
    assert Treatment.objects.get(pk=body["id"]).minutes == 12


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "massage"}, "kind"),
        ({"site": "knee"}, "site"),
        ({"side": "up"}, "side"),
        ({"minutes": -5}, "minutes"),
        ({"minutes": 721}, "minutes"),
        ({"minutes": "ten"}, "minutes"),
        ({"started_at": "2026-11-21 10:00"}, "started_at"),
        ({"skin_reaction": "blisters"}, "skin_reaction"),
        ({"duration": 4}, "duration"),
    ],
)
def test_bad_input(api, overrides, field):
    response = api.post(URL, session(**overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert Treatment.objects.count() == 0


def test_list_filter_and_delete(api, patient):
    ice = TreatmentFactory(patient=patient, kind="ice")
    heat = TreatmentFactory(patient=patient, kind="heat")
    assert [r["id"] for r in api.get(URL, {"kind": "heat"}).json()["results"]] == [str(heat.pk)]
    assert api.delete(f"{URL}{ice.pk}/").status_code == 204
    assert api.get(URL).json()["count"] == 1


def test_another_patients_session_is_404(api, stranger):
    theirs = TreatmentFactory(patient=stranger, minutes=None)
    url = f"{URL}{theirs.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"minutes": 1}).status_code == 404
    assert api.delete(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.minutes is None


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_query_count_is_constant(api, patient, page_size, django_assert_max_num_queries):
    TreatmentFactory.create_batch(40, patient=patient)
    with django_assert_max_num_queries(6):
        api.get(URL, {"page_size": page_size})


@pytest.mark.django_db(transaction=True)
def test_a_change_to_a_session_deleted_while_it_waited_for_the_lock_is_404(patient):
    """One device deletes a session while another's change waits for the patient's lock."""
    from django.db import connection, transaction

    from journal.services import patient_lock
    from tests.conftest import client_for

    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is under test; SQLite serialises writers itself")
    treatment = TreatmentFactory(patient=patient)
    client = client_for(patient.user)
    locked, answered = threading.Event(), []

    def change() -> None:
        locked.wait()
        answered.append(client.patch(f"{URL}{treatment.pk}/", {"minutes": 5}).status_code)
        connection.close()

    other = threading.Thread(target=change)
    other.start()
    with transaction.atomic():
        patient_lock(patient.pk)
        locked.set()
        # The change has found the session (outside the lock) and now waits for the lock.
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock():
            assert time.monotonic() < deadline, "the change never waited for the lock"
            time.sleep(0.02)
        Treatment.objects.filter(pk=treatment.pk).delete()
    other.join(timeout=30)
    assert answered == [404]


def _waiting_for_a_lock() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        # Inside a transaction the activity view is a snapshot taken once; take a new one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0

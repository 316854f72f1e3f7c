from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from journal.sites import Site
from tests.factories import PainLogFactory, TreatmentFactory

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def test_sites_catalogue(api):
    body = api.get("/api/v1/sites/").json()
    assert [s["code"] for s in body] == [s.value for s in Site]
    assert {"code", "label", "snomed_code"} == set(body[0])
    assert all(s["snomed_code"].isdigit() for s in body)
    achilles = next(s for s in body if s["code"] == "achilles")
    assert achilles["snomed_code"] == "61352006"


NY = ZoneInfo("America/New_York")


@time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=NY), tick=False)
def test_trends_group_by_the_patients_local_day(api, patient):
    patient.timezone = "America/New_York"
    patient.save()
    # 23:30 local on the 19th is already the 20th in UTC: it must count for the 19th.
    late = datetime(2026, 11, 19, 23, 30, tzinfo=NY)
    PainLogFactory(patient=patient, recorded_at=late, severity=6)
    PainLogFactory(patient=patient, recorded_at=late - timedelta(hours=12), severity=2)
    PainLogFactory(patient=patient, recorded_at=late + timedelta(hours=10), severity=1)
    PainLogFactory(patient=patient, recorded_at=late, site="arch", severity=3)
    TreatmentFactory(patient=patient, started_at=late - timedelta(hours=1), minutes=15)
    TreatmentFactory(patient=patient, started_at=late - timedelta(hours=5), minutes=10)
    TreatmentFactory(patient=patient, started_at=late, kind="heat", minutes=20, site="calf")
    TreatmentFactory(patient=patient, started_at=late, minutes=None)  # still running
    body = api.get("/api/v1/trends/", {"days": 7}).json()
    assert body["timezone"] == "America/New_York" and body["days"] == 7
    rows = {(r["date"], r["site"], r["side"]): r for r in body["results"]}
    ankle = rows[("2026-11-19", "ankle_outer", "right")]
    assert ankle == {
        "date": "2026-11-19",
        "site": "ankle_outer",
        "side": "right",
        "max_severity": 6,
        "mean_severity": 4.0,
        "entries": 2,
        "ice_minutes": 25,
        "heat_minutes": 0,
    }
    assert rows[("2026-11-20", "ankle_outer", "right")]["entries"] == 1
    calf = rows[("2026-11-19", "calf", "right")]
    assert calf["entries"] == 0 and calf["max_severity"] is None and calf["heat_minutes"] == 20
    assert [r["date"] for r in body["results"]] == sorted(r["date"] for r in body["results"])


@time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=NY), tick=False)
def test_trends_window_is_in_local_days(api, patient):
    PainLogFactory(
        patient=patient, recorded_at=datetime(2026, 11, 21, 0, 30, tzinfo=ZoneInfo("Europe/London"))
    )
    PainLogFactory(
        patient=patient,
        recorded_at=datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("Europe/London")),
    )
    assert [r["date"] for r in api.get("/api/v1/trends/", {"days": 1}).json()["results"]] == [
        "2026-11-21"
    ]


@pytest.mark.parametrize("days", ["0", "366", "many", "-3"])
def test_trends_rejects_bad_days(api, days):
    response = api.get("/api/v1/trends/", {"days": days})
    assert response.status_code == 400
    assert "days" in response.json()


def test_trends_query_count(api, patient, django_assert_max_num_queries):
    PainLogFactory.create_batch(30, patient=patient)
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/trends/").status_code == 200

"""Sync ingest vs raw PostgreSQL inserts.

Ours: POST /api/v1/logs/sync/ with 500 entries (validation, upsert under the patient lock,
triage re-assessment and alert bookkeeping in the same transaction), through DRF's test client.
Baseline: the same 500 rows inserted with one psycopg executemany in one transaction.

    .venv/bin/python bench/ingest.py [--repeat 7]
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from _setup import main, report, timed

BATCH = 500


def run(repeat: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from tests.conftest import client_for
    from tests.factories import PatientFactory

    def entries() -> list[dict]:
        now = timezone.now()
        return [
            {
                "id": str(uuid.uuid4()),
                "recorded_at": (now - timedelta(hours=n)).isoformat(),
                "site": ["ankle_outer", "achilles", "arch"][n % 3],
                "side": ["left", "right"][n % 2],
                "severity": n % 11,
                "swelling": "mild",
            }
            for n in range(BATCH)
        ]

    def ours() -> None:
        client = client_for(PatientFactory().user)
        response = client.post("/api/v1/logs/sync/", {"logs": entries()}, format="json")
        assert response.status_code == 200, response.content[:300]

    def again() -> None:  # the idempotent retry an app makes after a timeout
        client = client_for(PatientFactory().user)
        batch = entries()
        client.post("/api/v1/logs/sync/", {"logs": batch}, format="json")
        start = timezone.now()
        client.post("/api/v1/logs/sync/", {"logs": batch}, format="json")
        timings.append((timezone.now() - start).total_seconds())

    def raw() -> None:
        patient = PatientFactory()
        now = timezone.now()
        rows = [
            (
                uuid.uuid4(),
                patient.pk,
                now - timedelta(hours=n),
                "ankle_outer",
                "left",
                n % 11,
                "mild",
                False,
                False,
                False,
                None,
                True,
                False,
                False,
                False,
                "",
                now,
                now,
            )
            for n in range(BATCH)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO journal_painlog (id, patient_id, recorded_at, site, side, severity,"
                " swelling, sudden_onset, redness_or_warmth, fever, temperature_c,"
                " can_bear_weight, numbness_or_tingling, heard_pop, back_or_leg_pain, notes,"
                " created_at, updated_at) VALUES"
                " (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                rows,
            )

    ours()  # warm-up: imports, first-request work
    raw()
    baseline: list[float] = []
    measured: list[float] = []
    for _ in range(repeat):  # interleaved: load from others on a shared machine hits both
        baseline += timed(raw, 1)
        measured += timed(ours, 1)
    report(f"sync {BATCH} new entries", measured, baseline, "batch")
    timings: list[float] = []
    for _ in range(repeat):
        again()
    report(f"sync {BATCH} unchanged entries (retry)", timings, baseline, "batch")


if __name__ == "__main__":
    main(run, repeat=11)

"""The clinician workspace with 1,000,000 entries in the database: the patients list and a
patient page, as a signed-in clinician's browser gets them (median time and query count).

Data: 2,000 patients with 500 entries each over the last year (1,000,000 rows), every tenth
with an open alert; the clinician measured is linked to 200 of them.
Baseline: a near-empty workspace page (the clinician's invite codes) through the same
middleware, session, permission checks and admin templates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/footjournal_bench \\
        .venv/bin/python bench/clinic.py [--patients 2000] [--entries 500] [--repeat 11]
"""

from __future__ import annotations

import os
import statistics

from _setup import main, report, timed


def run(patients: int, entries: int, repeat: int) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import CLINICIANS_GROUP, User
    from journal.models import Patient
    from triage.models import Alert

    now = timezone.now()
    clinician = User.objects.create_user("bench.clinician@example.com", is_staff=True)
    clinician.groups.add(Group.objects.get(name=CLINICIANS_GROUP))
    User.objects.bulk_create(
        # "!" is Django's unusable-password marker: nobody signs in as these.
        User(email=f"bench{n}@example.com", password="!")  # noqa: S106
        for n in range(patients)
    )
    users = list(User.objects.filter(email__startswith="bench").exclude(pk=clinician.pk))
    Patient.objects.bulk_create(Patient(user=u, timezone="Europe/London") for u in users)
    mine = [u.pk for u in users[:200]]  # as in the query-count tests' larger case
    Patient.clinicians.through.objects.bulk_create(
        Patient.clinicians.through(patient_id=pk, user_id=clinician.pk) for pk in mine
    )
    # One INSERT ... SELECT: a million rows in seconds, spread over the last year.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO journal_painlog (id, patient_id, recorded_at, site, side, severity,
                swelling, sudden_onset, redness_or_warmth, fever, can_bear_weight,
                numbness_or_tingling, heard_pop, back_or_leg_pain, notes, created_at,
                updated_at)
            SELECT gen_random_uuid(), p.user_id,
                   %s - (n * interval '1 day' * 365 / %s)
                      - (p.user_id %% 24) * interval '1 hour',
                   (ARRAY['ankle_outer', 'achilles', 'heel_bottom', 'big_toe'])
                      [1 + (n + p.user_id) %% 4],
                   CASE WHEN n %% 2 = 0 THEN 'left' ELSE 'right' END,
                   (n * 7 + p.user_id) %% 11, 'none', false, false, false, true, false, false,
                   false, '', %s, %s
            FROM journal_patient p CROSS JOIN generate_series(1, %s) AS n
            """,
            [now, entries, now, now, entries],
        )
        cursor.execute("ANALYZE")
    Alert.objects.bulk_create(
        Alert(
            patient_id=u.pk,
            rule="severe_pain",
            episode_key=f"-/-/{n}",
            level=("consult", "consult_24h", "emergency")[n % 3],
            message="m",
            reason="r",
            source_file="f",
            source_passage="p",
            opened_at=now,
            updated_at=now,
        )
        for n, u in enumerate(users)
        if n % 10 == 0
    )
    total = connection.cursor()
    total.execute("SELECT count(*) FROM journal_painlog")
    rows = total.fetchone()[0]

    client = Client()
    client.force_login(clinician)
    target = mine[0]
    pages = {
        f"patients list ({len(mine)} linked of {patients:,})": "/admin/journal/patient/",
        "patients list, filtered to 'no entry for 3+ days'": "/admin/journal/patient/?quiet=3",
        f"patient page, {entries} entries, 30-day chart": (
            f"/admin/journal/patient/{target}/change/"
        ),
        f"patient page, {entries} entries, 365-day chart": (
            f"/admin/journal/patient/{target}/change/?days=365"
        ),
    }
    baseline_url = "/admin/clinic/invitecode/"

    def get(url: str) -> None:
        assert client.get(url).status_code == 200, url

    get(baseline_url)
    baseline = timed(lambda: get(baseline_url), repeat)
    print(f"{rows:,} entries in the database")
    for name, url in pages.items():
        get(url)  # warm
        reset_queries()  # DEBUG keeps a bounded log: a full one would count nothing
        with CaptureQueriesContext(connection) as queries:
            get(url)
        # Count now: the context reads the connection's log lazily, and each later request
        # clears that log (request_started -> reset_queries). With DEBUG off nothing refills
        # it, so a count taken after the timed requests below came back 0.
        count = len(queries)
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for query in queries.captured_queries:
                print("   ", query["sql"][:150])
        samples = timed(lambda url=url: get(url), repeat)
        report(f"{name} [{count} queries]", samples, baseline, "page")
    print(f"baseline page median {statistics.median(baseline) * 1000:.1f} ms")


if __name__ == "__main__":
    main(run, patients=2000, entries=500, repeat=11)

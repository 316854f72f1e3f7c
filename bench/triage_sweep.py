"""The time-driven re-assessment at scale: 100,000 patients with 60 days of journal each.

Seeded with COPY (two sites a day; one patient in ten also ices daily, some sessions too
long). Journals end between 0 and 39 days before "now", so quiet periods run out all through
the simulated day. Publishing to Celery is switched off: the database and Python work is timed.

Figures, each beside a baseline from the same run:
- selection: ours (PatientAssessment.next_change_at through its partial index) vs the query
  the 15-minute task used before (patients with an open alert or an entry or session in the
  last 9 days), at --small patients and again at --patients;
- per patient: one chunk re-assessment (lock, set-based facts, rules, upsert, alert sync)
  divided by the chunk size, vs only reading the same facts set-based; and the single-patient
  path a journal write takes;
- CPU-seconds per simulated day: the every-minute sweep run for 24 simulated hours (this
  process plus its PostgreSQL backend, from /proc), vs the old design estimated as 96 runs a
  day x the patients its selection returns x the single-patient CPU time;
- peak memory (max RSS of this process; seeding streams rows, so it is mostly the sweep).

    .venv/bin/python bench/triage_sweep.py [--patients 100000] [--small 5000] [--days 60]
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import time as clock
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/footjournal_triage")

from _setup import main

ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
PLACES = (("ankle_outer", "left"), ("achilles", "right"))
CHUNK = 200
QUIET_DAYS = 60  # patient n's journal ends n % QUIET_DAYS days before "now"
TEMPLATES = 120  # lcm of the periods a journal depends on: 60 quiet, 8 severity, 10, 4 zones
OLD_SELECTION = """
    SELECT DISTINCT p.user_id FROM journal_patient p
    LEFT JOIN triage_alert a ON a.patient_id = p.user_id
    LEFT JOIN journal_painlog l ON l.patient_id = p.user_id
    LEFT JOIN journal_treatment t ON t.patient_id = p.user_id
    WHERE a.status IN ('open', 'acknowledged') OR l.recorded_at >= %s OR t.started_at >= %s
    ORDER BY p.user_id
"""


def run(patients: int, small: int, days: int) -> None:
    from django.db import connection

    from notify import services as notify_services

    notify_services.dispatch_on_commit = lambda messages, now: None
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    backend = _backend_pid(connection)
    print(f"# triage sweep, {os.cpu_count()} cores, PostgreSQL backend pid {backend}")

    _seed(0, small, days, now)
    first = _assess_all(now)
    print(f"initial assessment of {small:,}: {first:.1f} s ({first / small * 1000:.2f} ms/patient)")
    _selection(f"{small:,} patients / {small * days * 2:,} entries", now)

    _seed(small, patients, days, now)
    _copy_assessments(small)
    selected_old = _selection(f"{patients:,} patients / {patients * days * 2:,} entries", now)

    single_cpu = _per_patient(now)
    _day(now, backend, patients, selected_old, single_cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak:.0f} MB")


# --- seeding -----------------------------------------------------------------------------------


def _seed(start: int, stop: int, days: int, now: datetime) -> None:
    from django.db import connection

    from accounts.models import User
    from journal.models import Patient

    began = clock.perf_counter()
    users = User.objects.bulk_create(
        (User(email=f"p{n}@bench.test", password="!") for n in range(start, stop)),  # noqa: S106
        batch_size=5000,
    )
    Patient.objects.bulk_create(
        (
            Patient(user=user, timezone=ZONES[n % len(ZONES)], reminders_enabled=False)
            for n, user in zip(range(start, stop), users, strict=True)
        ),
        batch_size=5000,
    )
    ids = [u.pk for u in users]
    with connection.cursor() as cursor:
        # Building the (patient, time) indexes once after loading is faster than per row.
        cursor.execute("DROP INDEX IF EXISTS painlog_patient_recorded")
        cursor.execute("DROP INDEX IF EXISTS treatment_patient_started")
        _copy(cursor, "journal_painlog", _PAINLOG_COLUMNS, _painlog_rows(ids, start, days, now))
        _copy(
            cursor, "journal_treatment", _TREATMENT_COLUMNS, _treatment_rows(ids, start, days, now)
        )
        cursor.execute(
            "CREATE INDEX painlog_patient_recorded ON journal_painlog "
            "(patient_id, recorded_at DESC)"
        )
        cursor.execute(
            "CREATE INDEX treatment_patient_started ON journal_treatment "
            "(patient_id, started_at DESC)"
        )
        cursor.execute("ANALYZE journal_painlog")
        cursor.execute("ANALYZE journal_treatment")
        cursor.execute("ANALYZE journal_patient")
    print(f"seeded patients {start:,}..{stop:,} in {clock.perf_counter() - began:.1f} s")


_PAINLOG_COLUMNS = (
    "id, patient_id, recorded_at, site, side, severity, swelling, sudden_onset, "
    "redness_or_warmth, fever, temperature_c, can_bear_weight, numbness_or_tingling, "
    "heard_pop, back_or_leg_pain, notes, created_at, updated_at"
)
_TREATMENT_COLUMNS = (
    "id, patient_id, kind, site, side, started_at, minutes, skin_reaction, created_at, updated_at"
)


def _painlog_rows(ids: list[int], start: int, days: int, now: datetime):
    stamp = now.isoformat()
    for offset, patient_id in enumerate(ids):
        n = start + offset
        quiet = n % QUIET_DAYS  # days since the journal's last entry
        for d in range(days):
            for h, (site, side) in enumerate(PLACES):
                at = now - timedelta(days=quiet + d, hours=h + 2)
                severity = (d + h + n) % 8
                swelling = "mild" if severity > 4 else "none"
                yield (
                    f"{(n << 24) + d * 4 + h:032x}\t{patient_id}\t{at.isoformat()}\t{site}\t"
                    f"{side}\t{severity}\t{swelling}\tf\tf\tf\t\\N\tt\tf\tf\tf\t\t{stamp}\t{stamp}\n"
                )


def _treatment_rows(ids: list[int], start: int, days: int, now: datetime):
    stamp = now.isoformat()
    for offset, patient_id in enumerate(ids):
        n = start + offset
        if n % 10:
            continue
        quiet = n % QUIET_DAYS
        for d in range(days):
            at = now - timedelta(days=quiet + d, hours=5)
            minutes = 15 + (d % 3) * 5  # every third session too long: advice that expires
            yield (
                f"{(1 << 120) + (n << 24) + d:032x}\t{patient_id}\tice\tankle_outer\tleft\t"
                f"{at.isoformat()}\t{minutes}\tf\t{stamp}\t{stamp}\n"
            )


def _copy(cursor, table: str, columns: str, rows) -> None:
    with cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for count, row in enumerate(rows, 1):
            buffer.write(row)
            if count % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


# --- measurements ------------------------------------------------------------------------------


def _assess_all(now: datetime) -> float:
    """What the data migration and the first sweep do: everyone due, then re-assessed."""
    from django.db import connection

    from triage.selectors import patient_ids_due_for_reassessment
    from triage.services import patients_reassess_due

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO triage_patientassessment (patient_id, level, assessed_at, open_episodes,"
            " next_change_at) SELECT user_id, 'self_care', %s, '[]', %s FROM journal_patient"
            " ON CONFLICT (patient_id) DO NOTHING",
            [now, now],
        )
        cursor.execute("ANALYZE triage_patientassessment")
    began = clock.perf_counter()
    ids = list(patient_ids_due_for_reassessment(now=now))
    for i in range(0, len(ids), CHUNK):
        patients_reassess_due(patient_ids=ids[i : i + CHUNK], now=now)
    return clock.perf_counter() - began


def _copy_assessments(small: int) -> None:
    """Assessments for the patients beyond ``small`` without running them: a journal is a
    function of n mod TEMPLATES (zone, quiet days, severities, sessions), so patient n's
    stored assessment is that of patient n mod TEMPLATES, already assessed. Their alerts are
    not copied: the simulated day opens them when they come due (more work, not less)."""
    from django.db import connection

    assert small >= TEMPLATES
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO triage_patientassessment (patient_id, level, assessed_at, open_episodes,"
            " next_change_at)"
            " SELECT u.id, a.level, a.assessed_at, a.open_episodes, a.next_change_at"
            " FROM accounts_user u"
            " JOIN accounts_user t ON t.email = 'p' ||"
            "   (substring(u.email from '^p([0-9]+)@')::int %% %s) || '@bench.test'"
            " JOIN triage_patientassessment a ON a.patient_id = t.id"
            " WHERE u.email LIKE 'p%%@bench.test' ON CONFLICT (patient_id) DO NOTHING",
            [TEMPLATES],
        )
        cursor.execute("ANALYZE triage_patientassessment")


def _selection(label: str, now: datetime) -> int:
    from django.db import connection

    from triage.selectors import patient_ids_due_for_reassessment

    later = now + timedelta(days=1)  # what a day brings due
    samples = []
    for _ in range(21):
        began = clock.perf_counter()
        due = list(patient_ids_due_for_reassessment(now=later, limit=50_000))
        samples.append(clock.perf_counter() - began)
    ours = statistics.median(samples)
    horizon = now - timedelta(days=9)
    old_samples = []
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '600s'")
        for _ in range(3):
            began = clock.perf_counter()
            cursor.execute(OLD_SELECTION, [horizon, horizon])
            old = cursor.fetchall()
            old_samples.append(clock.perf_counter() - began)
        cursor.execute("SET statement_timeout = 0")
    before = statistics.median(old_samples)
    print(
        f"selection, {label}: ours median {ours * 1000:.1f} ms ({len(due):,} due within a day); "
        f"old 15-minute query median {before * 1000:.0f} ms ({len(old):,} selected); "
        f"ratio {before / ours:.0f}x"
    )
    return len(old)


def _per_patient(now: datetime) -> float:
    """Per patient: the chunked sweep vs reading the facts alone; and the write path."""
    from django.db import connection, transaction

    from journal.models import Patient
    from journal.services import patient_lock
    from triage.facts import patients_facts
    from triage.models import PatientAssessment
    from triage.services import patient_reassess, patients_reassess_due

    # Patients whose 60 days run up to "now" (n % QUIET_DAYS == 0), who also ice daily: the
    # heaviest histories (120 entries, 60 sessions).
    emails = [f"p{n}@bench.test" for n in range(0, 2_000 * QUIET_DAYS, QUIET_DAYS)]
    sample = list(Patient.objects.filter(user__email__in=emails).values_list("pk", flat=True))
    chunks = [sample[i : i + CHUNK] for i in range(0, len(sample), CHUNK)]

    def mark_due() -> None:
        PatientAssessment.objects.filter(patient_id__in=sample).update(next_change_at=now)

    mark_due()  # warm-up: open the alerts of patients not assessed yet (copied rows)
    for chunk in chunks:
        patients_reassess_due(patient_ids=chunk, now=now)
    ours, facts_only = [], []
    for chunk in chunks:
        mark_due()
        began = clock.perf_counter()
        assert patients_reassess_due(patient_ids=chunk, now=now) == len(chunk)
        ours.append((clock.perf_counter() - began) / len(chunk))
        began = clock.perf_counter()
        patients = list(Patient.objects.filter(pk__in=chunk))
        patients_facts(patients=patients, now=now, anchors={})
        facts_only.append((clock.perf_counter() - began) / len(chunk))
    single, single_cpu = [], []
    for patient_id in sample[:300]:
        began, cpu = clock.perf_counter(), clock.process_time()
        with transaction.atomic():
            patient_reassess(patient=patient_lock(patient_id), now=now)
        single.append(clock.perf_counter() - began)
        single_cpu.append(clock.process_time() - cpu)
    connection.close()  # fresh backend for the day's CPU accounting
    o, b, s = (statistics.median(x) * 1000 for x in (ours, facts_only, single))
    print(
        f"re-assess one patient ({len(sample):,} with 60 days, 2 sites, daily ice; chunks of "
        f"{CHUNK}): ours median {o:.2f} ms, "
        f"baseline (facts read set-based, nothing else) {b:.2f} ms; ratio {o / b:.1f}x. "
        f"Single-patient path (a journal write's share): {s:.2f} ms"
    )
    return statistics.median(single_cpu)


def _day(now: datetime, backend: int, patients: int, selected_old: int, single_cpu: float) -> None:
    from django.db import connection

    from triage.selectors import patient_ids_due_for_reassessment
    from triage.services import patients_reassess_due

    backend = _backend_pid(connection)
    cpu, db_cpu, began = clock.process_time(), _cpu_of(backend), clock.perf_counter()
    reassessed = runs = 0
    moment = now
    while moment < now + timedelta(days=1):
        moment += timedelta(minutes=1)  # the beat interval
        ids = list(patient_ids_due_for_reassessment(now=moment, limit=50_000))
        runs += 1
        for i in range(0, len(ids), CHUNK):
            reassessed += patients_reassess_due(patient_ids=ids[i : i + CHUNK], now=moment)
    py = clock.process_time() - cpu
    db = _cpu_of(backend) - db_cpu
    wall = clock.perf_counter() - began
    old = 96 * selected_old * single_cpu
    print(
        f"one simulated day, {patients:,} patients, sweep every minute ({runs} runs): "
        f"{reassessed:,} re-assessments, ours {py + db:.1f} CPU-s ({py:.1f} Python + {db:.1f} "
        f"PostgreSQL; {wall:.1f} s wall); old design estimate 96 x {selected_old:,} x "
        f"{single_cpu * 1000:.2f} ms = {old:,.0f} CPU-s (Python only); ratio {old / (py + db):.0f}x"
    )


def _backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_of(pid: int) -> float:
    """utime + stime of a process, in seconds (Linux /proc), 0 if it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


if __name__ == "__main__":
    main(run, patients=100_000, small=5_000, days=60)

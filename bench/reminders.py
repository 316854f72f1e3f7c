"""The daily-reminder sweep for 2,000 due patients vs a raw set-based UPDATE.

Ours: reminders_enqueue_due (lock a chunk with SKIP LOCKED, check who logged today, write
outbox rows, advance next_reminder_at), publishing disabled so only database work is timed.
Baselines: (1) one UPDATE advancing next_reminder_at for the same rows, nothing else;
(2) that UPDATE plus the same number of outbox rows inserted with one raw executemany.

    .venv/bin/python bench/reminders.py [--patients 2000] [--repeat 5]
"""

from __future__ import annotations

from datetime import time, timedelta

from _setup import main, report, timed


def run(patients: int, repeat: int) -> None:
    count = patients
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from journal.models import Patient
    from notify import services
    from notify.models import Message

    services.dispatch_on_commit = lambda messages, now: None  # time the database work only
    users = User.objects.bulk_create(User(email=f"p{n}@bench.test") for n in range(count))
    zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
    Patient.objects.bulk_create(
        Patient(
            user=user, timezone=zones[n % 4], reminder_time=time(20), reminder_channels=["email"]
        )
        for n, user in enumerate(users)
    )
    now = timezone.now()

    def make_due() -> None:
        Message.objects.all().delete()
        Patient.objects.update(next_reminder_at=now - timedelta(minutes=1))

    def ours() -> None:
        assert services.reminders_enqueue_due(now=now) == count

    def baseline() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE journal_patient SET next_reminder_at = next_reminder_at + interval '1 day'"
                " WHERE reminders_enabled AND next_reminder_at <= %s",
                [now],
            )
            assert cursor.rowcount == count

    def baseline_with_rows() -> None:
        baseline()
        ids = list(Patient.objects.values_list("pk", flat=True))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO notify_message (id, dedupe_key, kind, channel, patient_id, to_email,"
                " subject, body, html, url, tag, urgency, data, subject_ref, status, due_at,"
                " attempts, last_error, created_at) VALUES (gen_random_uuid(), %s, 'reminder',"
                " 'email', %s, %s, 'How is your foot or ankle today?', 'body', '', '', '',"
                " 'normal', '{}', '', 'pending', %s, 0, '', %s)",
                [(f"raw:{pk}", pk, f"p{pk}@bench.test", now, now) for pk in ids],
            )

    ours_samples, base_samples, full_samples = [], [], []
    for _ in range(repeat):
        make_due()
        base_samples += timed(baseline, 1)
        make_due()
        full_samples += timed(baseline_with_rows, 1)
        make_due()
        ours_samples += timed(ours, 1)
    report(f"reminder sweep ({count} due) vs bare UPDATE", ours_samples, base_samples, "sweep")
    report(
        f"reminder sweep ({count} due) vs UPDATE + raw outbox inserts",
        ours_samples,
        full_samples,
        "sweep",
    )
    per = sorted(ours_samples)[len(ours_samples) // 2] / count * 1e6
    print(f"  ours: {per:.0f} us per patient, {Message.objects.count()} outbox rows")


if __name__ == "__main__":
    main(run, patients=2000, repeat=5)

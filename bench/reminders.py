"""The daily-reminder sweep for 100,000 patients due in the same minute vs raw SQL.

Ours: reminders_enqueue_due (lock a chunk with SKIP LOCKED, check who logged today, write
outbox rows, advance next_reminder_at), publishing disabled so only database work is timed.
Baselines: (1) one UPDATE advancing next_reminder_at for the same rows, nothing else;
(2) that UPDATE plus the same number of outbox rows inserted with one raw executemany.
Then the whole enqueue as beat runs it, publishing to Redis included; the goal is < 30 s
for 100,000, one outbox row each and every id handed to the broker exactly once.

    .venv/bin/python bench/reminders.py [--patients 100000] [--repeat 1]
"""

from __future__ import annotations

import base64
import json
from datetime import time, timedelta

from _setup import main, record, report, timed


def run(patients: int, repeat: int) -> None:
    count = patients
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from journal.models import Patient
    from notify import services
    from notify.models import Message

    publish = services.dispatch_on_commit
    services.dispatch_on_commit = lambda messages, now: None  # time the database work only
    verified = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"p{n}@bench.test", email_verified_at=verified) for n in range(count)
    )
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
        # Each round rewrites 100,000 rows; vacuum as autovacuum would have between two
        # mornings, so later rounds do not pay for the dead rows of earlier ones.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE journal_patient, notify_message")

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

    # The whole enqueue, as the beat task runs it: rows, then ids published to Redis.
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery")
    services.dispatch_on_commit = publish
    make_due()
    [total] = timed(ours, 1)
    rows = Message.objects.count()
    published = []
    for raw in broker.lrange("celery", 0, -1):
        args = json.loads(base64.b64decode(json.loads(raw)["body"]))[0]
        published += args[0] if isinstance(args[0], list) else args
    broker.delete("celery")
    assert rows == count, rows
    assert sorted(published) == sorted(
        str(pk) for pk in Message.objects.values_list("pk", flat=True)
    )
    print(
        f"reminders: {count} due in one minute enqueued in {total:.1f} s (goal < 30 s), "
        f"{rows} outbox rows, {len(published)} ids published once each"
    )
    record(
        f"reminders: {count} due, enqueued incl. publishing",
        f"{total:.1f} s",
        "30 s (goal)",
        f"{total / 30:.2f} of goal",
        f"{rows} outbox rows, {len(published)} ids published once each",
    )


if __name__ == "__main__":
    main(run, patients=100_000, repeat=1)

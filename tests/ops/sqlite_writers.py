"""Patients posting at the same moment to `make run`'s SQLite database (run as a script).

Usage: python -m tests.ops.sqlite_writers PATH_TO_DB [PATIENTS] [ROUNDS]
Prints one JSON object: the status codes seen and how many entries were stored.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta


def main() -> None:
    path, patients, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    # What `make run` uses.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.development"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.services import auth_token_issue
    from api.accounts import patient_register
    from journal.models import PainLog

    call_command("migrate", verbosity=0)
    tokens = [
        auth_token_issue(
            user=patient_register(
                email=f"p{n}@sqlite.test", password="x-Long-enough-9", timezone_name="UTC"
            )
        )[0]
        for n in range(patients)
    ]
    connection.close()
    barrier = threading.Barrier(patients)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def phone(token: str) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
        for n in range(rounds):
            barrier.wait()
            response = client.post(
                "/api/v1/logs/",
                {
                    "recorded_at": (datetime.now(UTC) - timedelta(minutes=n)).isoformat(),
                    "site": "ankle_outer",
                    "side": "left",
                    "severity": 3,
                },
                content_type="application/json",
            )
            with lock:
                statuses[response.status_code] += 1
        from django.db import connections

        connections.close_all()

    threads = [threading.Thread(target=phone, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"statuses": statuses, "stored": PainLog.objects.count()}))


if __name__ == "__main__":
    main()

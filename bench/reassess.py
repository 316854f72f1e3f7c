"""Re-assessing one patient with a 90-day journal: the whole rule set vs only reading the facts.

Ours: patient_reassess (load entries and treatments, run every rule, sync alerts).
Baseline: the same two indexed queries that load the facts, with no rules.

    .venv/bin/python bench/reassess.py [--repeat 21]
"""

from __future__ import annotations

from datetime import timedelta

from _setup import main, report, timed


def run(repeat: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from journal.models import PainLog, Treatment
    from tests.factories import PatientFactory
    from triage.facts import patient_facts
    from triage.services import patient_reassess

    patient = PatientFactory()
    now = timezone.now()
    logs, sessions = [], []
    for day in range(90):
        for hour, (site, side) in enumerate([("ankle_outer", "left"), ("achilles", "right")]):
            at = now - timedelta(days=day, hours=hour + 1)
            logs.append(
                PainLog(
                    patient=patient,
                    recorded_at=at,
                    site=site,
                    side=side,
                    severity=(day + hour) % 8,
                    swelling="mild",
                )
            )
        sessions.append(
            Treatment(
                patient=patient,
                kind="ice",
                site="ankle_outer",
                side="left",
                started_at=now - timedelta(days=day, hours=3),
                minutes=15,
            )
        )
    PainLog.objects.bulk_create(logs)
    Treatment.objects.bulk_create(sessions)

    def ours() -> None:
        with transaction.atomic():
            patient_reassess(patient=patient, now=now)

    def baseline() -> None:
        patient_facts(patient=patient, now=now)

    ours()
    baseline()
    report(
        f"re-assess ({len(logs)} entries, {len(sessions)} sessions)",
        timed(ours, repeat),
        timed(baseline, repeat),
        "patient",
    )


if __name__ == "__main__":
    main(run, repeat=21)

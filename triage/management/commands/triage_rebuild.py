"""Rebuild every patient's stored assessment parts (triage.state) from their journal."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from journal.models import Patient
from journal.services import patient_lock
from triage.models import PatientAssessment
from triage.services import patient_reassess
from triage.state import STATE_VERSION


class Command(BaseCommand):
    help = (
        "Re-assess patients from their whole journal and store the parts again (after a "
        "rule change; stale parts are also rebuilt on the next write by themselves)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--stale-only",
            action="store_true",
            help="Only patients whose stored parts are missing or from other rules.",
        )

    def handle(self, *args: Any, stale_only: bool = False, **options: Any) -> None:
        ids = Patient.objects.order_by("pk").values_list("pk", flat=True)
        if stale_only:
            # A subquery, not exclude() on the JSON key: that would skip rows without one.
            current = PatientAssessment.objects.filter(state__version=STATE_VERSION)
            ids = ids.exclude(pk__in=current.values("patient_id"))
        done = 0
        for patient_id in ids.iterator():
            # One transaction a patient, under their lock, as a journal write re-assesses.
            with transaction.atomic():
                patient_reassess(patient=patient_lock(patient_id), now=timezone.now())
            done += 1
        self.stdout.write(f"Rebuilt {done} patient(s).")

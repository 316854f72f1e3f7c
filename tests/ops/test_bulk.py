"""COPY inserts store exactly what bulk_create would, and skip conflicting rows on request:
on PostgreSQL (COPY) and on SQLite (Django's path), where this file runs in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from journal.bulk import copy_insert
from journal.models import PainLog
from notify.models import Message
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _fields(log: PainLog) -> dict:
    return {f.attname: getattr(log, f.attname) for f in PainLog._meta.concrete_fields}


def _values(patient) -> dict:
    return {
        "patient_id": patient.pk,
        "recorded_at": timezone.now() - timedelta(hours=1),
        "site": "achilles",
        "side": "left",
        "severity": 7,
        "swelling": "mild",
        "fever": True,
        "temperature_c": Decimal("38.5"),
        "notes": "Tab\tnewline\nbackslash\\ and ünïcode",
    }


def test_copied_rows_read_back_like_bulk_created_ones(patient):
    values = _values(patient)
    at = values["recorded_at"]
    copied, made = PainLog(id=uuid.uuid4(), **values), PainLog(id=uuid.uuid4(), **values)
    assert copy_insert([copied]) == [copied.pk]
    PainLog.objects.bulk_create([made])
    a, b = _fields(PainLog.objects.get(pk=copied.pk)), _fields(PainLog.objects.get(pk=made.pk))
    assert a.pop("id") != b.pop("id")
    assert a.pop("created_at") is not None and b.pop("created_at") is not None
    assert a.pop("updated_at") is not None and b.pop("updated_at") is not None
    assert a == b
    assert a["temperature_c"] == Decimal("38.5")
    assert a["recorded_at"] == at


def _message(key: str, patient) -> Message:
    return Message(
        dedupe_key=key,
        kind="reminder",
        channel="email",
        patient=patient,
        to_email=patient.user.email,
        subject="s",
        body="b",
        data={"nested": ["json", 1]},
        due_at=timezone.now(),
    )


def test_conflicting_rows_are_skipped_and_left_out_of_the_result():
    patient = PatientFactory()
    first = _message("reminder:1:2026-01-01:email:x", patient)
    assert copy_insert([first], ignore_conflicts=True) == [first.pk]
    again, fresh = _message(first.dedupe_key, patient), _message("reminder:other", patient)
    assert copy_insert([again, fresh], ignore_conflicts=True) == [fresh.pk]
    assert Message.objects.count() == 2
    assert Message.objects.get(pk=fresh.pk).data == {"nested": ["json", 1]}
    # Twice in one transaction: the staging table does not outlive its call.
    assert copy_insert([_message("reminder:third", patient)], ignore_conflicts=True)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="this is the SQLite run")
def test_the_same_tests_pass_on_sqlite(tmp_path):
    """`make run` without DATABASE_URL is SQLite: the adapter's other path must hold too."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "-q", "--create-db", "-p", "no:randomly", __file__],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 passed, 1 skipped" in result.stdout, result.stdout[-500:]

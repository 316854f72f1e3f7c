"""manage.py triage_rebuild: stored parts rebuilt from the journal."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import PainLogFactory, PatientFactory
from triage.models import PatientAssessment
from triage.state import STATE_VERSION

pytestmark = pytest.mark.django_db


def test_rebuild_stores_parts_for_stale_patients_only() -> None:
    stale, fresh = PatientFactory(), PatientFactory()
    PainLogFactory(patient=stale, severity=8)
    out = StringIO()
    call_command("triage_rebuild", stdout=out)
    assert "Rebuilt 2" in out.getvalue()
    row = PatientAssessment.objects.get(patient=stale)
    assert row.state["version"] == STATE_VERSION and row.level == "consult"
    PatientAssessment.objects.filter(patient=stale).update(state={})
    out = StringIO()
    call_command("triage_rebuild", "--stale-only", stdout=out)
    assert "Rebuilt 1" in out.getvalue()
    assert PatientAssessment.objects.get(patient=stale).state["version"] == STATE_VERSION
    assert fresh.pk

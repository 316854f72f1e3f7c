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


def test_a_row_written_without_parts_is_read_whole_on_the_next_write() -> None:
    """A release without the column (a rolling deploy's old hosts) leaves it NULL."""
    from django.utils import timezone

    from api.services import pain_log_create

    patient = PatientFactory()
    PainLogFactory(patient=patient, site="achilles", side="left", severity=8)
    call_command("triage_rebuild", stdout=StringIO())
    PatientAssessment.objects.filter(patient=patient).update(state=None)
    data = {"recorded_at": timezone.now(), "site": "arch", "side": "right", "severity": 2}
    written = pain_log_create(patient=patient, data=data)
    assert written.triage.assessment.level.code == "consult"  # the achilles, not re-read
    row = PatientAssessment.objects.get(patient=patient)
    places = {tuple(part["place"]) for part in row.state["parts"] if part["place"] != "*"}
    assert places == {("achilles", "left"), ("arch", "right")}
    call_command("triage_rebuild", "--stale-only", stdout=(out := StringIO()))
    assert "Rebuilt 0" in out.getvalue()

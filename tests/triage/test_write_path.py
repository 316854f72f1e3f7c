"""Re-assessment on a journal write: what it reads, in how many queries, and that it reads
the same alerts and facts as the general (chunk) path."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from api.services import pain_log_create
from journal.services import patient_lock
from tests.conftest import client_for
from tests.factories import PainLogFactory, PatientFactory, TreatmentFactory
from triage.facts import (
    anchors_of,
    patient_alerts_and_stored,
    patient_whole_facts,
    patients_facts,
)
from triage.models import Alert, PatientAssessment
from triage.services import _ACTIVE_OR_DEALT_WITH

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

LONDON = ZoneInfo("Europe/London")


def _reference(patient, now):
    """The alerts and facts the general (chunk) path reads."""
    alerts = list(Alert.objects.filter(patient=patient).filter(_ACTIVE_OR_DEALT_WITH))
    facts = patients_facts(patients=[patient], now=now, anchors=anchors_of(alerts))
    return alerts, facts[patient.pk]


def _same(patient, now):
    with transaction.atomic():
        locked = patient_lock(patient.pk)
        reads = patient_alerts_and_stored(patient=locked, now=now, alerts=_ACTIVE_OR_DEALT_WITH)
        alerts = reads.alerts
        facts = patient_whole_facts(patient=locked, now=now, cut=reads.cut)
        want_alerts, want_facts = _reference(locked, now)
        stored = PatientAssessment.objects.filter(patient=patient).first()
    key = lambda x: x.id  # noqa: E731
    assert sorted(facts.entries, key=key) == sorted(want_facts.entries, key=key)
    assert sorted(facts.treatments, key=key) == sorted(want_facts.treatments, key=key)
    assert (facts.profile, facts.now) == (want_facts.profile, want_facts.now)
    fields = [f.attname for f in Alert._meta.concrete_fields]
    got = sorted(([getattr(a, n) for n in fields] for a in alerts), key=lambda r: r[0])
    want = sorted(([getattr(a, n) for n in fields] for a in want_alerts), key=lambda r: r[0])
    assert got == want
    want_stored = stored and (stored.level, stored.open_episodes, stored.next_change_at)
    assert reads.stored == want_stored
    return alerts, facts


def test_an_episode_longer_than_the_lookback_keeps_one_alert_when_written_to(patient):
    """On day 139 the episode's start is before the cut: the write must read back to it."""
    start = datetime(2026, 1, 5, 19, 0, tzinfo=LONDON)
    for day in range(0, 140, 2):
        PainLogFactory(patient=patient, severity=5, recorded_at=start + timedelta(days=day))
    TreatmentFactory(patient=patient, started_at=start + timedelta(days=1))
    TreatmentFactory(patient=patient, started_at=start + timedelta(days=138))
    opened = None
    for day in (95, 110, 125, 139):
        at = start + timedelta(days=day, hours=1)
        with time_machine.travel(at, tick=False):
            pain_log_create(
                patient=patient,
                data={"recorded_at": at, "site": "ankle_outer", "side": "right", "severity": 5},
            )
            alerts, facts = _same(patient, timezone.now())
        chronic = Alert.objects.filter(patient=patient, rule="chronic_pain")
        assert chronic.count() == 1, f"day {day}: {list(chronic.values('status', 'episode_key'))}"
        opened = opened or chronic.get().opened_at
        assert chronic.get().status == "open" and chronic.get().opened_at == opened
    # Day 139: the first entry and session (day 0 and 1) are older than LOOKBACK, yet read.
    assert min(e.recorded_at for e in facts.entries) == start
    assert len(facts.treatments) == 2
    assert any(a.rule == "chronic_pain" and a.entry_ids for a in alerts)


def test_a_write_reads_hand_resolved_alerts_with_the_active_ones(patient, clinician):
    PainLogFactory(patient=patient, fever=True, temperature_c=38.6, redness_or_warmth=True)
    pain_log_create(patient=patient, data=_entry(severity=4))
    alert = Alert.objects.get(patient=patient, rule="infection_signs")
    alert.status, alert.resolved_by, alert.resolved_at = "resolved", clinician, timezone.now()
    alert.save()
    alerts, _ = _same(patient, timezone.now())
    assert alert.pk in {a.pk for a in alerts}
    # Dealt with at that level: the next write does not reopen it.
    pain_log_create(patient=patient, data=_entry(severity=4))
    assert not Alert.objects.filter(patient=patient, rule="infection_signs", status="open")


def _entry(**values):
    return {
        "recorded_at": timezone.now() - timedelta(minutes=1),
        "site": "ankle_outer",
        "side": "right",
        **values,
    }


def test_a_post_with_two_months_of_history_is_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    patient = PatientFactory()
    now = timezone.now()
    for day in range(60):
        PainLogFactory(patient=patient, recorded_at=now - timedelta(days=day, hours=1))
        PainLogFactory(
            patient=patient, site="achilles", recorded_at=now - timedelta(days=day, hours=2)
        )
    api = client_for(patient.user)
    assert api.post("/api/v1/logs/", _json(severity=3)).status_code == 201
    # The token with its user and patient (one query, journal.api.authentication),
    # savepoint, patient lock, INSERT, then the re-assessment's reads (alerts, stored
    # assessment, the touched place's entries; not its sessions: it had none when last read
    # and none was written there since), savepoint release: 8 on every database, whatever the
    # length of the history. The assessment row is not rewritten: the entry changes none of
    # level, open episodes or next change. Plus one UPDATE (one statement for all of them)
    # of the alerts whose cited entries change: here the ankle's persistent-pain alert, which
    # now cites the new entry too (the achilles one is left alone). And one UPDATE of the
    # stored parts (triage.state): the ankle's part now cites the new entry; its entries are
    # read from the episode's start, the achilles part is not read at all.
    queries = 9
    with django_assert_num_queries(queries + 1):
        response = api.post("/api/v1/logs/", _json(severity=3))
    assert response.status_code == 201, response.json()
    active = Alert.objects.filter(patient=patient, status="open").order_by("site")
    assert [(a.rule, a.site) for a in active] == [
        ("persistent_pain", "achilles"),
        ("persistent_pain", "ankle_outer"),
    ]
    assert [response.json()["id"] in a.entry_ids for a in active] == [False, True]


def _json(**values):
    return {**_entry(**values), "recorded_at": (timezone.now() - timedelta(minutes=1)).isoformat()}


def test_a_write_rewrites_the_stored_assessment_only_when_it_changes(
    patient, django_assert_num_queries
):
    api = client_for(patient.user)
    assert api.post("/api/v1/logs/", _json(severity=2)).status_code == 201
    first = PatientAssessment.objects.get(patient=patient)
    assert first.level == "self_care" and len(first.open_episodes) == 1
    # Same day, same place, same level: nothing the row holds changes, so it is left alone.
    assert api.post("/api/v1/logs/", _json(severity=3)).status_code == 201
    assert PatientAssessment.objects.get(patient=patient).assessed_at == first.assessed_at
    # A red flag changes the level: the row follows in the same transaction.
    response = api.post("/api/v1/logs/", _json(severity=3, can_bear_weight=False))
    assert response.status_code == 201
    stored = PatientAssessment.objects.get(patient=patient)
    assert stored.level == response.json()["triage"]["level"] != "self_care"
    assert stored.assessed_at > first.assessed_at
    # A new place opens an episode: the row lists it.
    response = api.post("/api/v1/logs/", _json(site="arch", side="left", severity=2))
    assert response.status_code == 201
    places = {
        (e["site"], e["side"]) for e in PatientAssessment.objects.get(patient=patient).open_episodes
    }
    assert places == {("ankle_outer", "right"), ("arch", "left")}

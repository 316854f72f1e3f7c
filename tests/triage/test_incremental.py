"""Incremental assessment through the write path: a patient written through api.services
(re-assessing only what each write touched) and a twin with the same journal fully
re-assessed after every step end up with the same assessment and alerts."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import services as api
from journal.models import PainLog, Patient, Treatment
from journal.services import SYNC_FIELDS, patient_lock
from tests.factories import PatientFactory
from triage.engine import assess, combine
from triage.facts import patient_facts
from triage.models import Alert, PatientAssessment
from triage.services import patient_reassess, patients_reassess_due
from triage.state import state_load

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PLACES = (("ankle_outer", "left"), ("achilles", "right"), ("calf", "left"))
rarely = st.sampled_from((False, False, False, True))

entries = st.fixed_dictionaries(
    {
        "place": st.sampled_from(PLACES),
        "hours_ago": st.integers(0, 24 * 12),
        "severity": st.integers(0, 10),
        "swelling": st.sampled_from(["none", "none", "mild", "severe"]),
        "redness_or_warmth": rarely,
        "can_bear_weight": rarely.map(lambda flag: not flag),
        "heard_pop": rarely,
        "gone": rarely,
    }
)
steps = st.one_of(
    st.tuples(st.just("create"), entries),
    st.tuples(st.just("edit"), st.integers(0, 30), entries),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("sync"), st.lists(entries, min_size=1, max_size=3), st.integers(0, 30)),
    st.tuples(
        st.just("session"),
        st.sampled_from(PLACES),
        st.sampled_from(["ice", "heat"]),
        st.none() | st.integers(5, 30),
    ),
    st.tuples(st.just("profile"), st.booleans()),
    st.tuples(st.just("time"), st.integers(1, 24 * 9)),
)


def _id(patient: Patient, index: int, n: int = 0) -> UUID:
    """Ids in the order the steps wrote them, the same for the patient and the twin: the id
    breaks ties between entries logged at the same instant (episodes.entry_sort_key), so
    random ids would order the twins' ties differently."""
    return UUID(int=(index << 80) | (n << 64) | patient.pk)


def _data(item: dict[str, Any], now: datetime) -> dict[str, Any]:
    site, side = item["place"]
    data = {k: v for k, v in item.items() if k not in {"place", "hours_ago"}}
    if data["gone"] and (data["severity"] or data["swelling"] != "none"):
        data["gone"] = False
    return {
        **data,
        "site": site,
        "side": side,
        "recorded_at": now - timedelta(hours=item["hours_ago"]),
    }


def _stored(patient: Patient) -> tuple[Any, ...]:
    row = PatientAssessment.objects.get(patient=patient)
    return row.level, row.open_episodes, row.next_change_at


def _alerts(patient: Patient) -> list[tuple[str, str, str, str]]:
    return sorted(
        Alert.objects.filter(patient=patient).values_list("rule", "level", "status", "episode_key")
    )


def _logs(patient: Patient) -> list[PainLog]:
    return list(PainLog.objects.filter(patient=patient).order_by("recorded_at", "created_at"))


def _apply(patient: Patient, step: tuple, now: datetime, index: int) -> bool:
    """Apply ``step`` through the write path; False when it had nothing to act on."""
    kind = step[0]
    logs = _logs(patient)
    if kind in {"edit", "delete"} and not logs:
        return False
    if kind == "create":
        api.pain_log_create(
            patient=patient, data={**_data(step[1], now), "id": _id(patient, index)}
        )
    elif kind == "edit":
        api.pain_log_update(log=logs[step[1] % len(logs)], data=_data(step[2], now))
    elif kind == "delete":
        api.pain_log_delete(log=logs[step[1] % len(logs)])
    elif kind == "sync":
        defaults = {f.name: f.get_default() for f in PainLog._meta.concrete_fields}
        items = [{**{n: defaults[n] for n in SYNC_FIELDS}, **_data(item, now)} for item in step[1]]
        ids = [log.pk for log in logs]
        # The first item corrects a stored entry when there is one; the others are new.
        items[0]["id"] = ids[step[2] % len(ids)] if ids else None
        for n, item in enumerate(items):
            if item.get("id") is None:
                item["id"] = _id(patient, index, n)
        api.pain_logs_sync(patient=patient, items=items)
    elif kind == "session":
        site, side = step[1]
        api.treatment_create(
            patient=patient,
            data={
                "id": _id(patient, index),
                "kind": step[2],
                "site": site,
                "side": side,
                "started_at": now - timedelta(minutes=20),
                "minutes": step[3],
            },
        )
    elif kind == "profile":
        api.patient_update(patient=patient, data={"has_diabetes": step[1]})
    return True


@settings(
    max_examples=int(os.environ.get("INCREMENTAL_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(journal=st.lists(steps, min_size=1, max_size=int(os.environ.get("INCREMENTAL_STEPS", "12"))))
def test_incremental_is_the_full_reassessment(journal: list[tuple]) -> None:
    patient, twin = PatientFactory(), PatientFactory()
    now = START
    for index, step in enumerate(journal):
        if step[0] == "time":
            now += timedelta(hours=step[1])
        with time_machine.travel(now, tick=False):
            written = step[0] != "time" and _apply(patient, step, now, index)
            if step[0] == "time":
                patients_reassess_due(patient_ids=[patient.pk], now=now)
            else:
                _apply(twin, step, now, index)
            with transaction.atomic():
                patient_reassess(patient=patient_lock(twin.pk), now=now)
        if not PatientAssessment.objects.filter(patient=patient).exists():
            continue
        assert _stored(patient) == _stored(twin), (index, step)
        assert _alerts(patient) == _alerts(twin), (index, step)
        if written:
            # The parts are as of the last write (the sweep leaves them alone): a running
            # session's minutes in a reason move on between writes (next_change_at leaves
            # them out, by design).
            patient.refresh_from_db()
            row = PatientAssessment.objects.get(patient=patient)
            state = state_load(row.state)
            assert state is not None
            parts = combine((p.assessment for p in state.parts), now)
            full = assess(patient_facts(patient=patient, now=now))
            assert parts.findings == full.findings, (index, step)
            assert parts.open_episodes == full.open_episodes
    assert (
        Treatment.objects.filter(patient=patient).count()
        == Treatment.objects.filter(patient=twin).count()
    )

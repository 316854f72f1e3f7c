"""Incremental assessment, pure: the parts of a journal combine into its assessment, and a
part read again from its ``scan_from`` after later writes and time gives the whole read's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.triage.test_properties import ZONES, Journal, build, journals
from triage.domain import PatientFacts
from triage.engine import Assessment, assess, combine
from triage.rules import LOOKBACK
from triage.state import (
    STATE_VERSION,
    State,
    Touched,
    parts_assess,
    parts_redo,
    plan,
    profile_fingerprint,
    state_dump,
    state_load,
)

TODAY = date(2024, 6, 15)
SETTINGS = settings(max_examples=150, deadline=None)


def same(a: Assessment) -> tuple[Any, ...]:
    return (a.level, a.findings, a.open_episodes, a.next_change_at)


def _cut(facts: PatientFacts) -> datetime:
    return (facts.now - LOOKBACK).astimezone(UTC)


@SETTINGS
@given(journal=journals, tz=st.sampled_from(ZONES))
def test_the_parts_combine_into_the_whole(journal: Journal, tz: Any) -> None:
    facts = build(journal, tz, TODAY)
    parts = parts_assess(facts, _cut(facts))
    assert same(combine((p.assessment for p in parts), facts.now)) == same(assess(facts))


def _redo(state: State, facts: PatientFacts, touched: Touched) -> Assessment:
    """What the service does, from the whole journal's facts: read again what the plan asks."""
    cut = _cut(facts)
    todo = plan(state, touched, facts.profile, facts.now, cut)
    assert todo is not None
    return combine((p.assessment for p in parts_redo(todo, facts, cut)), facts.now)


@SETTINGS
@given(
    before=journals,
    later=journals,
    days=st.integers(0, 12),
    tz=st.sampled_from(ZONES),
)
def test_a_part_read_from_scan_from_after_writes_and_time_is_the_whole_read(
    before: Journal, later: Journal, days: int, tz: Any
) -> None:
    """``before`` is assessed ``days`` before "today"; ``later`` is written since then."""
    first = build(before, tz, TODAY - timedelta(days=days))
    facts0 = first
    parts = parts_assess(facts0, _cut(facts0))
    state = State(STATE_VERSION, profile_fingerprint(facts0.profile), parts)
    assert state_load(state_dump(state)) == state
    added = build(replace(later, profile=before.profile), tz, TODAY)
    # Written since the first assessment, some of them back-dated before it.
    fresh, sessions = added.entries, added.treatments
    fresh = tuple(replace(e, id=e.id.__class__(int=e.id.int + 50_000)) for e in fresh)
    sessions = tuple(replace(t, id=t.id.__class__(int=t.id.int + 50_000)) for t in sessions)
    now = added.now
    facts = PatientFacts(facts0.profile, now, facts0.entries + fresh, facts0.treatments + sessions)
    touched: dict[tuple[str, str], datetime] = {}
    for e in fresh:
        place = (e.site, e.side)
        touched[place] = min(touched.get(place, e.recorded_at), e.recorded_at)
    result = _redo(
        state,
        facts,
        Touched(entries=touched, sessions=frozenset((t.site, t.side) for t in sessions)),
    )
    assert same(result) == same(assess(facts))

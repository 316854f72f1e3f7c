"""Treatment insight on synthetic journals with a known effect, and the time edge cases.

Pure tests over triage's frozen dataclasses (no database), plus one API test.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from outcomes import insights
from outcomes.insights import day_changes, site_insights
from tests.factories import PainLogFactory, TreatmentFactory
from triage.domain import Entry, Treatment

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def entry(at: datetime, severity: int, site="ankle_outer", side="right", swelling="none"):
    return Entry(uuid.uuid4(), at, site, side, severity, swelling)


def session(at: datetime, kind: str, site="ankle_outer", side="right", minutes=15):
    return Treatment(uuid.uuid4(), kind, site, side, at, minutes)


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = LONDON) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def journal(seed: int, effects: dict[str, int], blocks: int = 60):
    """Independent two-day blocks (day, next day, a day with nothing logged): on the first day
    the patient logs 6 and uses ice, heat or nothing; the next day's worst is 6 + the
    treatment's effect + noise in {-1, 0, 1}. The true difference against "nothing" is then
    exactly effects[kind] - effects["neither"]."""
    rng = random.Random(seed)
    entries, sessions = [], []
    start = date(2026, 7, 1)
    for block in range(blocks):
        day = start + timedelta(days=3 * block)
        kind = rng.choice(["ice", "heat", "neither"])
        entries.append(entry(local(day, 9), 6))
        if kind != "neither":
            sessions.append(session(local(day, 19), kind))
        entries.append(
            entry(local(day + timedelta(days=1), 9), 6 + effects[kind] + rng.choice([-1, 0, 1]))
        )
    return entries, sessions


def insight(entries, sessions, tz=LONDON, **extra):
    defaults = {"ice_heat_not_advised": False, "red_flag_places": set()}
    return site_insights(
        entries=entries, treatments=sessions, tz=tz, now=NOW, **{**defaults, **extra}
    )


def test_a_known_effect_is_found_and_put_in_words():
    entries, sessions = journal(0, {"ice": -2, "heat": 0, "neither": 0})
    (found,) = insight(entries, sessions)
    ice, heat = found.comparisons
    assert ice.enough_data and heat.enough_data
    assert ice.ci_low <= -2 <= ice.ci_high and ice.ci_high < 0
    assert heat.ci_low <= 0 <= heat.ci_high
    assert "on your right outer ankle" in ice.summary and "points lower" in ice.summary
    assert "no clear pattern" in heat.summary
    assert f"{ice.treated_days} days with ice, {ice.untreated_days} without" in ice.summary


def test_the_interval_covers_the_true_effect_about_95_times_in_100():
    # A 95 % interval misses now and then by design; over 100 synthetic journals it must
    # cover the true difference (-2 for ice, 0 for heat) close to 95 times (the plain
    # percentile bootstrap managed 91 and 87 here, which is why it is not used); below 90
    # the method would be wrong.
    covered = {"ice": 0, "heat": 0}
    for seed in range(100):
        entries, sessions = journal(seed, {"ice": -2, "heat": 0, "neither": 0})
        groups = day_changes(entries, sessions, LONDON)[("ankle_outer", "right")]
        for kind, truth in (("ice", -2), ("heat", 0)):
            _, low, high = insights.bootstrap_difference(
                groups[kind], groups["neither"], resamples=1000
            )
            covered[kind] += low <= truth <= high
    assert covered["ice"] >= 90 and covered["heat"] >= 90, covered


def test_a_journal_with_no_effect_gives_intervals_across_zero():
    entries, sessions = journal(11, {"ice": 0, "heat": 0, "neither": 0})
    (found,) = insight(entries, sessions)
    for comparison in found.comparisons:
        assert comparison.ci_low <= 0 <= comparison.ci_high


def test_the_same_journal_reads_the_same_interval():
    entries, sessions = journal(3, {"ice": -2, "heat": 0, "neither": 0})
    assert insight(entries, sessions) == insight(list(reversed(entries)), sessions)


def test_below_the_minimum_no_number_but_how_many_more_days():
    entries, sessions = journal(5, {"ice": -2, "heat": 0, "neither": 0}, blocks=9)
    (found,) = insight(entries, sessions)
    for comparison in found.comparisons:
        assert not comparison.enough_data
        assert comparison.difference is comparison.ci_low is comparison.ci_high is None
        short = max(0, insights.MIN_DAYS - comparison.treated_days) + max(
            0, insights.MIN_DAYS - comparison.untreated_days
        )
        assert comparison.days_needed == short > 0
        assert comparison.summary.startswith("Not enough days yet")
        assert f"{short} more" in comparison.summary


def test_a_single_site_gives_one_insight_and_untreated_sites_none():
    entries, sessions = journal(1, {"ice": -2, "heat": 0, "neither": 0})
    other = [entry(local(date(2026, 7, d), 10), 4, site="arch", side="left") for d in range(1, 20)]
    found = insight(entries + other, sessions)
    assert [(f.site, f.side, f.place) for f in found] == [
        ("ankle_outer", "right", "your right outer ankle")
    ]


def test_a_session_past_midnight_counts_for_the_evening_it_started():
    day = date(2026, 11, 10)
    entries = [entry(local(day, 20), 6), entry(local(day + timedelta(days=1), 20), 3)]
    sessions = [session(local(day, 23, 50), "ice", minutes=30)]  # ends 00:20 the next day
    groups = day_changes(entries, sessions, LONDON)[("ankle_outer", "right")]
    assert groups == {"ice": [-3.0], "heat": [], "neither": []}


@pytest.mark.parametrize("change_day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_a_dst_day_is_still_one_day(change_day):
    # Entries at 00:30 local: on the night the clocks change, 23 or 25 hours apart.
    days = [change_day - timedelta(days=1), change_day, change_day + timedelta(days=1)]
    entries = [entry(local(d, 0, 30), s) for d, s in zip(days, [5, 7, 4], strict=True)]
    groups = day_changes(entries, [session(local(days[0], 1), "heat")], LONDON)
    assert groups[("ankle_outer", "right")] == {"ice": [], "heat": [2.0], "neither": [-3.0]}


def test_a_patient_who_moved_zone_is_read_in_their_current_zone():
    # Logged in London at 23:30 and 08:00: two days there. Read after a move to Tokyo (+9),
    # 23:30 London is 08:30 the next day: both entries fall on one Tokyo day, no pair.
    entries = [
        entry(local(date(2026, 11, 10), 23, 30), 6),
        entry(local(date(2026, 11, 11), 8, 0), 2),
    ]
    sessions = [session(local(date(2026, 11, 10), 22, 0), "ice")]
    london = day_changes(entries, sessions, LONDON)[("ankle_outer", "right")]
    tokyo = day_changes(entries, sessions, ZoneInfo("Asia/Tokyo"))[("ankle_outer", "right")]
    assert london["ice"] == [-4.0]
    assert tokyo == {"ice": [], "heat": [], "neither": []}


def test_a_day_with_ice_and_heat_is_left_out():
    day = date(2026, 11, 10)
    entries = [entry(local(day, 9), 6), entry(local(day + timedelta(days=1), 9), 2)]
    sessions = [session(local(day, 10), "ice"), session(local(day, 18), "heat")]
    assert day_changes(entries, sessions, LONDON)[("ankle_outer", "right")] == {
        "ice": [],
        "heat": [],
        "neither": [],
    }


def test_heat_that_looks_good_never_overrides_the_swelling_rule_or_a_red_flag():
    entries, sessions = journal(2, {"ice": 0, "heat": -3, "neither": 0})
    entries.append(entry(NOW - timedelta(days=1), 5, swelling="moderate"))
    (found,) = insight(
        entries,
        sessions,
        ice_heat_not_advised=True,
        red_flag_places={("ankle_outer", "right")},
    )
    heat = found.comparisons[1]
    assert heat.enough_data and heat.ci_high < 0
    assert insights.HEAT_SWELLING in found.safety_notes
    assert insights.RED_FLAG in found.safety_notes and insights.NOT_ADVISED in found.safety_notes
    for comparison in found.comparisons:
        assert "should use" not in comparison.summary and "try " not in comparison.summary


@pytest.mark.django_db
def test_the_insights_endpoint(api, patient, midday):
    start = datetime.now(UTC) - timedelta(days=100)
    for block in range(30):
        day = start + timedelta(days=3 * block)
        kind = ("ice", None)[block % 2]
        PainLogFactory(patient=patient, recorded_at=day, severity=6)
        if kind:
            TreatmentFactory(patient=patient, kind=kind, started_at=day + timedelta(hours=1))
        PainLogFactory(
            patient=patient, recorded_at=day + timedelta(days=1), severity=4 if kind else 6
        )
    body = api.get("/api/v1/insights/").json()
    assert body["min_days"] == insights.MIN_DAYS and body["caveat"] == insights.CAVEAT
    (site,) = body["results"]
    ice, heat = site["comparisons"]
    assert (ice["treated_days"], ice["untreated_days"]) == (15, 15)
    assert ice["difference"] == -2.0 and ice["ci_low"] == ice["ci_high"] == -2.0
    assert heat["enough_data"] is False and heat["difference"] is None

"""Property tests: red flags never lower the level; order and time zones never matter."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.domain import Entry, Level, PatientFacts, Profile, Treatment
from triage.engine import Assessment, assess
from triage.episodes import local_date

SITES = ("achilles", "ankle_outer", "calf")
SIDES = ("left", "right")
ZONES = tuple(
    ZoneInfo(name)
    for name in ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "UTC")
)

# Local dates on which clocks change in 2024: a journal ending within a month of one straddles
# the switch.
DST_SWITCHES = (
    date(2024, 3, 10),  # New York, spring forward
    date(2024, 3, 31),  # London, spring forward
    date(2024, 4, 7),  # Sydney, fall back
    date(2024, 10, 6),  # Sydney, spring forward
    date(2024, 10, 27),  # London, fall back
    date(2024, 11, 3),  # New York, fall back
)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


@dataclass(frozen=True)
class LocalEntry:
    """An entry described by local wall-clock time relative to "today", zone-free."""

    days_ago: int
    hour: int
    minute: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class LocalSession:
    days_ago: int
    hour: int
    minute: int
    fields: dict[str, Any]


# Flags are rare, as in life, so that most journals have quiet days and episodes that end.
rarely = st.sampled_from((False, False, False, False, True))

# Hours 6-22 only: DST switches happen in the small hours, so no generated wall-clock time is
# skipped or repeated and same-day durations are the same in every zone.
local_entries = st.builds(
    LocalEntry,
    days_ago=st.integers(0, 40),
    hour=st.integers(6, 22),
    minute=st.integers(0, 59),
    fields=st.fixed_dictionaries(
        {
            "site": st.sampled_from(SITES),
            "side": st.sampled_from(SIDES),
            "severity": st.integers(0, 10) | st.just(0),
            "swelling": st.sampled_from(["none", "none", "mild", "moderate", "severe"]),
            "sudden_onset": rarely,
            "redness_or_warmth": rarely,
            "fever": rarely,
            "temperature_c": st.none() | st.floats(36.0, 40.0).map(lambda t: round(t, 1)),
            "can_bear_weight": rarely.map(lambda flag: not flag),
            "numbness_or_tingling": rarely,
            "heard_pop": rarely,
            "back_or_leg_pain": rarely,
        }
    ),
)

local_sessions = st.builds(
    LocalSession,
    days_ago=st.integers(0, 9),
    hour=st.integers(6, 21),
    minute=st.integers(0, 59),
    fields=st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["ice", "heat"]),
            "site": st.sampled_from(SITES),
            "side": st.sampled_from(SIDES),
            "minutes": st.none() | st.integers(1, 40),
            "skin_reaction": rarely,
        }
    ),
)

profiles = st.fixed_dictionaries(
    {
        "has_diabetes": st.booleans(),
        "has_circulation_problems": st.booleans(),
        "has_reduced_sensation": st.booleans(),
    }
)


@dataclass(frozen=True)
class Journal:
    entries: tuple[LocalEntry, ...]
    sessions: tuple[LocalSession, ...]
    profile: dict[str, bool]
    now_hour: int
    now_minute: int


journals = st.builds(
    Journal,
    entries=st.lists(local_entries, max_size=25).map(tuple),
    sessions=st.lists(local_sessions, max_size=6).map(tuple),
    profile=profiles,
    # Late evening, so that every generated time today is in the past.
    now_hour=st.just(23),
    now_minute=st.integers(0, 59),
)


def _wall(today: date, days_ago: int, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    day = today - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def build(journal: Journal, tz: ZoneInfo, today: date) -> PatientFacts:
    """The journal lived in zone ``tz`` with "today" on local date ``today``."""
    entries = tuple(
        Entry(
            id=UUID(int=i + 1),
            recorded_at=_wall(today, e.days_ago, e.hour, e.minute, tz),
            **e.fields,
        )
        for i, e in enumerate(journal.entries)
    )
    treatments = tuple(
        Treatment(
            id=UUID(int=10_000 + i),
            started_at=_wall(today, s.days_ago, s.hour, s.minute, tz),
            **s.fields,
        )
        for i, s in enumerate(journal.sessions)
    )
    return PatientFacts(
        profile=Profile(timezone=tz, **journal.profile),
        now=_wall(today, 0, journal.now_hour, journal.now_minute, tz),
        entries=entries,
        treatments=treatments,
    )


def zone_free(result: Assessment, today: date) -> tuple[Any, ...]:
    """An assessment with calendar dates made relative to today (reasons quote dates)."""
    return (
        result.level,
        tuple(
            (
                f.rule,
                f.level,
                f.message,
                f.source,
                f.entries,
                f.site,
                f.side,
                None if f.episode_start is None else (today - f.episode_start).days,
            )
            for f in result.findings
        ),
    )


dates = st.dates(date(2023, 1, 1), date(2025, 12, 31))


# --- Red flags never lower the level -----------------------------------------------------------

RED_FLAGS: dict[str, dict[str, Any]] = {
    "fever": {"fever": True},
    "temperature 38.5": {"temperature_c": 38.5},
    "redness or warmth": {"redness_or_warmth": True},
    "cannot bear weight": {"can_bear_weight": False},
    "pop": {"heard_pop": True},
    "pop at the Achilles": {"heard_pop": True, "site": "achilles"},
    "numbness": {"numbness_or_tingling": True},
    "severe swelling": {"swelling": "severe"},
    "sudden onset with swelling": {"sudden_onset": True, "swelling": "moderate"},
    "back or leg pain": {"back_or_leg_pain": True},
}
# Not here: raising an *earlier* day's pain score. That can rightly lower the level, since a
# fall from a higher peak is improvement (9, 5 is getting better; 5, 5 is not).


SWELLING_GRADES = ("none", "mild", "moderate", "severe")


def _worsen(entry: Entry, changes: dict[str, Any]) -> Entry:
    """Apply a red flag without improving anything else (never lowers the swelling grade)."""
    changes = dict(changes)
    if "swelling" in changes:
        changes["swelling"] = max(entry.swelling, changes["swelling"], key=SWELLING_GRADES.index)
    return replace(entry, **changes)


@PROPERTY_SETTINGS
@given(
    journal=journals,
    tz=st.sampled_from(ZONES),
    today=dates,
    flag=st.sampled_from(sorted(RED_FLAGS)),
    data=st.data(),
)
def test_adding_a_red_flag_never_lowers_the_level(
    journal: Journal, tz: ZoneInfo, today: date, flag: str, data: st.DataObject
) -> None:
    facts = build(journal, tz, today)
    if not facts.entries:
        facts = replace(facts, entries=(Entry(UUID(int=1), facts.now, "achilles", "left", 0),))
    index = data.draw(st.integers(0, len(facts.entries) - 1), label="entry")
    changes = dict(RED_FLAGS[flag])
    target = facts.entries[index]
    if "site" in changes:
        # Move the whole site/side stream, not one entry, so the flag is the only change.
        changes.pop("site")
        moved = tuple(
            replace(e, site="achilles") if (e.site, e.side) == (target.site, target.side) else e
            for e in facts.entries
            if e is target or (e.site, e.side) != ("achilles", target.side)
        )
        facts = replace(facts, entries=moved)
        target = next(e for e in facts.entries if e.id == target.id)
    flagged = tuple(_worsen(e, changes) if e.id == target.id else e for e in facts.entries)
    before = assess(facts).level
    after = assess(replace(facts, entries=flagged)).level
    assert after >= before


@PROPERTY_SETTINGS
@given(journal=journals, tz=st.sampled_from(ZONES), today=dates, data=st.data())
def test_a_red_flag_today_is_never_self_care(
    journal: Journal, tz: ZoneInfo, today: date, data: st.DataObject
) -> None:
    facts = build(journal, tz, today)
    flag = data.draw(st.sampled_from(["fever", "redness or warmth", "cannot bear weight"]))
    red = Entry(UUID(int=99_999), facts.now, "ankle_outer", "left", 0, **RED_FLAGS[flag])
    assert assess(replace(facts, entries=(*facts.entries, red))).level >= Level.CONSULT_24H


# --- Order does not matter -------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(journal=journals, tz=st.sampled_from(ZONES), today=dates, data=st.data())
def test_order_of_entries_and_treatments_does_not_matter(
    journal: Journal, tz: ZoneInfo, today: date, data: st.DataObject
) -> None:
    facts = build(journal, tz, today)
    shuffled = replace(
        facts,
        entries=tuple(data.draw(st.permutations(facts.entries), label="entries")),
        treatments=tuple(data.draw(st.permutations(facts.treatments), label="treatments")),
    )
    assert assess(shuffled) == assess(facts)


# --- Time zones and DST ----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(
    journal=journals,
    zones=st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES)),
    switch=st.sampled_from(DST_SWITCHES),
    shifts=st.tuples(st.integers(-3, 40), st.integers(-3, 40)),
)
def test_same_local_journal_gives_the_same_result_in_any_zone_across_dst(
    journal: Journal,
    zones: tuple[ZoneInfo, ZoneInfo],
    switch: date,
    shifts: tuple[int, int],
) -> None:
    # The same wall-clock journal, lived in two zones and with "today" placed so that the
    # journal (up to 40 days long) straddles a DST switch, or not: day counts are local, so
    # the result must not change.
    (tz_a, tz_b), (shift_a, shift_b) = zones, shifts
    today_a = switch + timedelta(days=shift_a)
    today_b = switch + timedelta(days=shift_b)
    a = assess(build(journal, tz_a, today_a))
    b = assess(build(journal, tz_b, today_b))
    assert zone_free(a, today_a) == zone_free(b, today_b)


@PROPERTY_SETTINGS
@given(journal=journals, tz=st.sampled_from(ZONES), today=dates, other=st.sampled_from(ZONES))
def test_only_the_profile_zone_matters_not_how_timestamps_are_written(
    journal: Journal, tz: ZoneInfo, today: date, other: ZoneInfo
) -> None:
    facts = build(journal, tz, today)
    rewritten = replace(
        facts,
        now=facts.now.astimezone(UTC),
        entries=tuple(
            replace(e, recorded_at=e.recorded_at.astimezone(other)) for e in facts.entries
        ),
        treatments=tuple(
            replace(t, started_at=t.started_at.astimezone(other)) for t in facts.treatments
        ),
    )
    expected = assess(facts)
    result = assess(rewritten)
    assert (result.level, result.findings) == (expected.level, expected.findings)


@PROPERTY_SETTINGS
@given(
    days=st.integers(0, 5),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    switch=st.sampled_from(DST_SWITCHES),
    tz=st.sampled_from(ZONES),
)
def test_local_day_counts_ignore_the_hours_dst_adds_or_removes(
    days: int, hour: int, minute: int, switch: date, tz: ZoneInfo
) -> None:
    start = datetime(switch.year, switch.month, switch.day, hour, minute, tzinfo=tz) - timedelta(
        days=2
    )
    end = start + timedelta(days=days)  # same wall-clock time, `days` local days later
    assert (local_date(end, tz) - local_date(start, tz)).days == days


def test_a_flag_that_joins_two_episodes_cannot_hide_a_plateau() -> None:
    # The case the trend windows' bound (<= RECOVERY_GAP_DAYS) exists for: a fever on a
    # pain-free day bridges an old, worse episode and today's plateau. Were improvement judged
    # against the old peak, the bridge would turn "not improving" into "improving".
    tz = ZoneInfo("Europe/London")
    today = date(2024, 6, 15)

    def at(days_ago: int, severity: int, n: int, **flags: Any) -> Entry:
        return Entry(
            UUID(int=n), _wall(today, days_ago, 9, 0, tz), "ankle_outer", "left", severity, **flags
        )

    old = [at(19, 9, 1), at(18, 9, 2)]
    plateau = [at(d, 5, 10 + d) for d in range(4, -1, -1)]
    facts = PatientFacts(
        profile=Profile(timezone=tz),
        now=_wall(today, 0, 20, 0, tz),
        entries=(*old, at(11, 0, 3), *plateau),
    )
    bridged = replace(facts, entries=(*old, at(11, 0, 3, fever=True), *plateau))
    assert [f.rule for f in assess(facts).findings] == ["persistent_pain"]
    assert [f.rule for f in assess(bridged).findings] == ["persistent_pain"]


# --- Only the patient ends an episode quickly ------------------------------------------------


@PROPERTY_SETTINGS
@given(
    journal=journals,
    tz=st.sampled_from(ZONES),
    today=dates,
    site=st.sampled_from(SITES),
    side=st.sampled_from(SIDES),
)
def test_gone_today_ends_the_episode_at_that_site(
    journal: Journal, tz: ZoneInfo, today: date, site: str, side: str
) -> None:
    facts = build(journal, tz, today)
    # Entries logged earlier today are today's state too (they count until the day is over).
    earlier = tuple(
        e
        for e in facts.entries
        if (e.site, e.side) != (site, side) or local_date(e.recorded_at, tz) < today
    )
    gone = Entry(UUID(int=99_998), facts.now, site, side, 0, gone=True)
    result = assess(replace(facts, entries=(*earlier, gone)))
    symptom_rules = {f.rule for f in result.findings if f.episode_start is not None}
    assert not [
        f
        for f in result.findings
        if (f.site, f.side) == (site, side)
        and f.rule in symptom_rules
        and not f.rule.startswith(("ice_", "heat_"))
    ]


@PROPERTY_SETTINGS
@given(
    journal=journals,
    tz=st.sampled_from(ZONES),
    today=dates,
    site=st.sampled_from(SITES),
    side=st.sampled_from(SIDES),
)
def test_a_quiet_reading_now_changes_nothing_today(
    journal: Journal, tz: ZoneInfo, today: date, site: str, side: str
) -> None:
    # Pain that comes and goes is logged as 0 in its quiet hours: whether the patient logs
    # one then or not, today's advice and the alerts it cites are the same.
    facts = build(journal, tz, today)
    quiet = Entry(UUID(int=99_997), facts.now, site, side, 0)
    before = assess(facts)
    after = assess(replace(facts, entries=(*facts.entries, quiet)))
    assert _decision(after)[:2] == _decision(before)[:2]
    assert {(e.site, e.side, e.start) for e in after.open_episodes} == {
        (e.site, e.side, e.start) for e in before.open_episodes
    }


# --- The next-change instant: until then, time alone changes nothing ------------------------


def _decision(result: Assessment) -> tuple[Any, ...]:
    """What a stored assessment and its alerts depend on (reason texts quote running minutes
    and dates, so they are left out)."""
    return (
        result.level,
        tuple(
            (f.rule, f.level, f.site, f.side, f.episode_start, f.entries) for f in result.findings
        ),
        result.open_episodes,
    )


@PROPERTY_SETTINGS
@given(
    journal=journals,
    tz=st.sampled_from(ZONES),
    today=dates,
    fraction=st.floats(0, 1, exclude_max=True),
)
def test_nothing_changes_with_time_alone_before_the_next_change_instant(
    journal: Journal, tz: ZoneInfo, today: date, fraction: float
) -> None:
    facts = build(journal, tz, today)
    result = assess(facts)
    until = result.next_change_at
    if until is None:
        later = facts.now + timedelta(days=400)
    else:
        assert until > facts.now
        # timedelta * float rounds to the microsecond: keep strictly before ``until``.
        later = min(facts.now + (until - facts.now) * fraction, until - timedelta(microseconds=1))
    assert _decision(assess(replace(facts, now=later))) == _decision(result)


@PROPERTY_SETTINGS
@given(journal=journals, tz=st.sampled_from(ZONES), today=dates)
def test_an_open_episode_always_has_a_next_change(
    journal: Journal, tz: ZoneInfo, today: date
) -> None:
    result = assess(build(journal, tz, today))
    if result.open_episodes:
        assert result.next_change_at is not None

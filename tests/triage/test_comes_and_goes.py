"""Pain that comes and goes, swelling that stays: journals replayed entry by entry, with the
advice the patient would see after each one. No database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from triage.domain import Entry, Level
from triage.engine import assess

from .builders import entry, facts

SELF, CONSULT = Level.SELF_CARE, Level.CONSULT


def _replay(entries: list[Entry]) -> list[Level]:
    """The level after each entry, assessed a minute after it was logged."""
    ordered = sorted(entries, key=lambda e: e.recorded_at)
    return [
        assess(facts(ordered[: i + 1], now=e.recorded_at + timedelta(minutes=1))).level
        for i, e in enumerate(ordered)
    ]


def _evenings(days: int, pain: int, *, mornings: int = 0, **kw) -> list[Entry]:
    """Pain logged every evening, and ``mornings`` (usually 0) every morning, for ``days``."""
    out: list[Entry] = []
    for d in range(-days + 1, 1):
        out += [entry(d, mornings, hour=8, **kw), entry(d, pain, hour=20, **kw)]
    return out


def _quiet(first: int, last: int, **kw) -> list[Entry]:
    return [entry(d, 0, hour=h, **kw) for d in range(first, last + 1) for h in (8, 20)]


@dataclass(frozen=True)
class Journal:
    name: str
    entries: list[Entry]
    levels: list[Level]  # after each entry, in time order


def _levels(*runs: tuple[Level, int]) -> list[Level]:
    return [level for level, n in runs for _ in range(n)]


JOURNALS = [
    Journal(
        "pain every evening, 0 every morning: consult from day 3, never flips back",
        _evenings(6, 5),
        # Day 1 and 2 (4 entries) and day 3's morning 0: not yet persistent.
        _levels((SELF, 5), (CONSULT, 7)),
    ),
    Journal(
        "pain after every walk (every other day), 0 in between",
        [entry(d, 4 if d % 2 == 0 else 0, hour=18) for d in range(-8, 1)],
        # Pain two local days after it began: persistent from the second walk.
        _levels((SELF, 2), (CONSULT, 7)),
    ),
    Journal(
        "a week of pain, a single quiet day, then pain again: stays consult",
        [
            *[entry(d, 5, hour=20) for d in range(-8, -1)],
            entry(-1, 0, hour=9),
            entry(-1, 0, hour=20),
            entry(0, 5, hour=20),
        ],
        _levels((SELF, 2), (CONSULT, 8)),
    ),
    Journal(
        "a week of pain, then quiet days: consult on both quiet days, then it has ended",
        [*[entry(d, 5, hour=20) for d in range(-9, -2)], *_quiet(-2, -1), entry(0, 0, hour=8)],
        _levels((SELF, 2), (CONSULT, 9), (SELF, 1)),
    ),
    Journal(
        "a week of pain, then the patient taps 'Gone': self-care at once",
        [*[entry(d, 5, hour=20) for d in range(-7, 0)], entry(0, 0, hour=19, gone=True)],
        _levels((SELF, 2), (CONSULT, 5), (SELF, 1)),
    ),
    Journal(
        "'Gone', then the pain is back within a week: the same episode, consult again",
        [
            *[entry(d, 5, hour=20) for d in range(-9, -4)],
            entry(-4, 0, hour=21, gone=True),
            entry(0, 5, hour=20),
        ],
        _levels((SELF, 2), (CONSULT, 3), (SELF, 1), (CONSULT, 1)),
    ),
    Journal(
        "pain this morning, 'Gone' tonight: today's pain counts today",
        [
            *[entry(d, 5, hour=20) for d in range(-3, 0)],
            entry(0, 5, hour=8),
            entry(0, 0, hour=21, gone=True),
        ],
        _levels((SELF, 2), (CONSULT, 3)),
    ),
    Journal(
        "moderate swelling every day for ten days, no pain: consult from the fourth day",
        [entry(d, 0, hour=19, swelling="moderate") for d in range(-9, 1)],
        _levels((SELF, 3), (CONSULT, 7)),
    ),
    Journal(
        "a sprain whose swelling goes down: self-care throughout",
        [
            entry(d, pain, hour=19, swelling=swelling)
            for d, pain, swelling in [
                (-6, 5, "moderate"),
                (-5, 4, "moderate"),
                (-4, 3, "mild"),
                (-3, 2, "mild"),
                (-2, 1, "mild"),
                (-1, 0, "none"),
                (0, 0, "none"),
            ]
        ],
        _levels((SELF, 7)),
    ),
    Journal(
        "swelling in the evening, none in the morning, for a week: no flip",
        [
            e
            for d in range(-6, 1)
            for e in (entry(d, 0, hour=8), entry(d, 0, hour=20, swelling="mild"))
        ],
        _levels((SELF, 7), (CONSULT, 7)),
    ),
]


@pytest.mark.parametrize("journal", JOURNALS, ids=lambda j: j.name)
def test_advice_after_each_entry(journal: Journal) -> None:
    assert _replay(journal.entries) == journal.levels


@pytest.mark.parametrize("hour", [7, 12, 23])
def test_the_advice_does_not_depend_on_the_hour_of_a_quiet_reading(hour: int) -> None:
    pain = _evenings(5, 6)[1::2]  # evenings only
    without = assess(facts(pain, now=pain[-1].recorded_at + timedelta(hours=12)))
    quiet = entry(1, 0, hour=hour)
    now = max(quiet.recorded_at, pain[-1].recorded_at) + timedelta(minutes=1)
    with_quiet = assess(facts([*pain, quiet], now=now))
    assert [f.rule for f in with_quiet.findings] == [f.rule for f in without.findings]
    assert with_quiet.level == without.level == CONSULT


def test_a_quiet_episode_ends_at_midnight_after_its_second_quiet_day() -> None:
    journal = [*[entry(d, 5, hour=20) for d in range(-6, -1)], *_quiet(-1, 0)]
    evening = assess(facts(journal, now=journal[-1].recorded_at + timedelta(minutes=1)))
    assert evening.level == CONSULT
    assert evening.next_change_at is not None
    after = replace(facts(journal), now=evening.next_change_at)
    assert assess(after).level == SELF

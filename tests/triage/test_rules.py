"""Table-driven tests of every rule: each threshold just under and just over. No database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from triage import rules as r
from triage.domain import Level, PatientFacts
from triage.engine import assess
from triage.episodes import RECOVERY_GAP_DAYS, SILENT_GAP_DAYS, local_date, split_episodes

from .builders import LONDON, NEW_YORK, NOW, TOKYO, at, daily, entry, facts, session


@dataclass(frozen=True)
class Case:
    name: str
    facts: PatientFacts
    fires: bool
    message_has: tuple[str, ...] = field(default_factory=tuple)
    source: r.Source | None = None


NY_NOW = datetime(2024, 6, 15, 12, 0, tzinfo=NEW_YORK)
TOKYO_NOW = datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO)

CASES: dict[str, list[Case]] = {
    "persistent_pain": [
        Case("one day apart: not yet", facts(daily([5, 5])), fires=False),
        Case("two local days apart: fires", facts(daily([5, 5, 5])), fires=True),
        Case("two days apart, middle day unlogged", facts([entry(-2, 5), entry(0, 5)]), True),
        Case("drop of one point is not improvement", facts(daily([5, 5, 4])), fires=True),
        Case("drop of two points is improvement", facts(daily([5, 4, 3])), fires=False),
        Case("steady improvement", facts(daily([7, 6, 5, 4, 3, 2, 1])), fires=False),
        Case(
            "latest day 'gone': episode ended",
            facts([*daily([5, 5, 5], end=-1), entry(0, 0, gone=True)]),
            fires=False,
        ),
        Case("one quiet reading today is not an end", facts(daily([5, 5, 5, 0])), fires=True),
        Case(
            "two quiet days, the second still today: not over yet",
            facts(daily([5, 5, 5, 0, 0])),
            fires=True,
        ),
        Case(
            "two quiet days, the second over: episode ended",
            facts(daily([5, 5, 5, 0, 0], end=-1)),
            fires=False,
        ),
        Case(
            "two quiet days that are not consecutive: still open",
            facts([*daily([5, 5, 5], end=-4), entry(-2, 0), entry(0, 0)]),
            fires=True,
        ),
        Case(
            "drop then plateau is not improvement",
            facts(daily([7, 6, 5, 5, 5, 5])),
            fires=True,
        ),
        Case(
            "slow steady improvement",
            facts(daily([7, 7, 6, 6, 5, 5, 4, 4])),
            fires=False,
        ),
        Case(
            "worst day just inside the improvement window",
            facts([entry(-r.IMPROVEMENT_WINDOW_DAYS, 6), entry(-1, 5), entry(0, 4)]),
            fires=False,
        ),
        Case(
            "worst day just outside the improvement window",
            facts([entry(-r.IMPROVEMENT_WINDOW_DAYS - 1, 6), entry(-1, 5), entry(0, 4)]),
            fires=True,
        ),
        Case(
            "sparse logging: compared with the last logged day",
            facts([entry(-5, 6), entry(0, 4)]),
            fires=False,
        ),
        Case(
            "plateau after an old peak: the peak is outside the trend window",
            facts([entry(-10, 9), *daily([6] * 8)]),
            fires=True,
        ),
        Case(
            "other side does not continue the episode",
            facts([entry(-2, 5, side="right"), entry(0, 5)]),
            fires=False,
        ),
        Case(
            f"silent gap of {SILENT_GAP_DAYS} days keeps the episode",
            facts([entry(-SILENT_GAP_DAYS, 5), entry(0, 5)]),
            fires=True,
        ),
        Case(
            f"silent gap of {SILENT_GAP_DAYS + 1} days starts a new episode",
            facts([entry(-SILENT_GAP_DAYS - 1, 5), entry(0, 5)]),
            fires=False,
        ),
        Case(
            f"'gone' in between, pain back after {RECOVERY_GAP_DAYS} days: same episode",
            facts([entry(-RECOVERY_GAP_DAYS, 5), entry(-1, 0, gone=True), entry(0, 5)]),
            fires=True,
        ),
        Case(
            f"'gone' in between, pain back after {RECOVERY_GAP_DAYS + 1} days: new episode",
            facts([entry(-RECOVERY_GAP_DAYS - 1, 5), entry(-1, 0, gone=True), entry(0, 5)]),
            fires=False,
        ),
        Case(
            f"two quiet days in between, pain back after {RECOVERY_GAP_DAYS + 1} days: new",
            facts([entry(-RECOVERY_GAP_DAYS - 1, 5), *daily([0, 0], end=-1), entry(0, 5)]),
            fires=False,
        ),
        Case(
            f"one quiet reading in between, pain back after {RECOVERY_GAP_DAYS + 1} days: same",
            facts([entry(-RECOVERY_GAP_DAYS - 1, 5), entry(-1, 0), entry(0, 5)]),
            fires=True,
        ),
        Case(
            "New York: 34 hours span 2 local days (but 1 UTC day): fires",
            facts([entry(-2, 5, hour=22, now=NY_NOW), entry(0, 5, hour=8, now=NY_NOW)], now=NY_NOW),
            fires=True,
        ),
        Case(
            "Tokyo: 46 hours span 1 local day (but 2 UTC days): not yet",
            facts(
                [entry(-1, 5, hour=1, now=TOKYO_NOW), entry(0, 5, hour=23, now=TOKYO_NOW)],
                now=TOKYO_NOW.replace(hour=23, minute=30),
            ),
            fires=False,
        ),
    ],
    "persistent_swelling": [
        Case(
            "moderate swelling every day for ten days, no pain",
            facts(daily([0] * 10, swelling="moderate")),
            fires=True,
            message_has=("not going down",),
            source=r.P_SWOLLEN,
        ),
        Case(
            f"swollen {r.PERSISTENT_SWELLING_DAYS} days after the first swollen day",
            facts(daily([0] * (r.PERSISTENT_SWELLING_DAYS + 1), swelling="mild")),
            fires=True,
        ),
        Case(
            f"only {r.PERSISTENT_SWELLING_DAYS - 1} days after: not yet",
            facts(daily([0] * r.PERSISTENT_SWELLING_DAYS, swelling="mild")),
            fires=False,
        ),
        Case(
            "a sprain whose swelling goes down",
            facts(
                [
                    entry(-4, 5, swelling="moderate"),
                    entry(-3, 4, swelling="moderate"),
                    entry(-2, 3, swelling="mild"),
                    entry(-1, 2, swelling="mild"),
                    entry(0, 1, swelling="mild"),
                ]
            ),
            fires=False,
        ),
        Case(
            "down one grade, then flat once the worse days leave the window",
            facts(
                [
                    *daily([0, 0], end=-5, swelling="moderate"),
                    *daily([0] * 5, swelling="mild"),
                ]
            ),
            fires=True,
        ),
        Case(
            "getting worse counts",
            facts(
                [
                    *daily([0, 0], end=-2, swelling="mild"),
                    *daily([0, 0], swelling="moderate"),
                ]
            ),
            fires=True,
        ),
        Case(
            "swollen on half the logged days is not most",
            facts(
                [
                    entry(-3, 2, swelling="mild"),
                    entry(-2, 2),
                    entry(-1, 2),
                    entry(0, 2, swelling="mild"),
                ]
            ),
            fires=False,
        ),
        Case(
            "every other day logged, swollen each time",
            facts([entry(-d, 0, swelling="mild") for d in (4, 2, 0)]),
            fires=True,
        ),
        Case(
            "swelling in the evenings, none logged in the mornings",
            facts(
                [
                    e
                    for d in range(-3, 1)
                    for e in (entry(d, 0, hour=8), entry(d, 2, hour=11, swelling="moderate"))
                ]
                + [entry(1, 0, hour=8, now=NOW.replace(hour=7))],
                now=NOW + timedelta(days=1, hours=-4),
            ),
            fires=True,
        ),
        Case(
            "swelling gone for two logged days: over",
            facts(
                [
                    *daily([2] * 5, end=-3, swelling="moderate"),
                    *daily([2, 2, 2]),
                ]
            ),
            fires=False,
        ),
        Case(
            "one swelling-free reading is not the end of it",
            facts([*daily([2] * 5, end=-1, swelling="moderate"), entry(0, 2)]),
            fires=True,
        ),
    ],
    "sudden_onset": [
        Case(
            "sudden pain with swelling",
            facts([entry(0, 4, sudden_onset=True, swelling="mild")]),
            fires=True,
        ),
        Case(
            "sudden pain without swelling",
            facts([entry(0, 4, sudden_onset=True)]),
            fires=False,
        ),
        Case(
            "sudden swelling without pain",
            facts([entry(0, 0, sudden_onset=True, swelling="mild")]),
            fires=False,
        ),
        Case(
            "onset yesterday still counts",
            facts([entry(-1, 4, sudden_onset=True, swelling="mild"), entry(0, 4)]),
            fires=True,
        ),
        Case(
            "onset two days ago no longer counts",
            facts([entry(-2, 4, sudden_onset=True, swelling="mild"), entry(0, 1)]),
            fires=False,
        ),
        Case(
            "onset two days ago, pain-free since: it ages with pain, not with quiet days",
            facts(
                [
                    entry(-2, 4, sudden_onset=True, swelling="mild"),
                    entry(-1, 0, swelling="mild"),
                    entry(0, 0, hour=8),
                ]
            ),
            fires=True,
        ),
    ],
    "infection_signs": [
        Case("38.0 °C is a fever", facts([entry(0, 2, temperature_c=38.0)]), fires=True),
        Case("37.9 °C is not", facts([entry(0, 2, temperature_c=37.9)]), fires=False),
        Case("fever flag", facts([entry(0, 2, fever=True)]), fires=True),
        Case("redness or warmth", facts([entry(0, 2, redness_or_warmth=True)]), fires=True),
        Case("fever with pain 0 still counts", facts([entry(0, 0, fever=True)]), fires=True),
        Case(
            "redness yesterday, clean today",
            facts([entry(-1, 3, redness_or_warmth=True), entry(0, 2)]),
            fires=False,
        ),
        Case(
            "redness yesterday, today pain-free with back pain: a day without pain hides nothing",
            facts([entry(-1, 3, redness_or_warmth=True), entry(0, 0, back_or_leg_pain=True)]),
            fires=True,
        ),
        Case(
            "redness three days ago, two pain-free days without it since: over",
            facts(
                [
                    entry(-3, 3, redness_or_warmth=True),
                    *daily([0, 0], end=-1, back_or_leg_pain=True),
                ]
            ),
            fires=False,
        ),
        Case(
            "red flag earlier today is not hidden by a later entry today",
            facts([entry(0, 3, hour=8, fever=True), entry(0, 2, hour=9)]),
            fires=True,
        ),
        Case(
            "last known state is a fever, five days ago",
            facts([entry(-5, 3, fever=True)]),
            fires=True,
        ),
        Case(
            f"fever {SILENT_GAP_DAYS} days ago, nothing since: silence is not recovery",
            facts([entry(-SILENT_GAP_DAYS, 3, fever=True)]),
            fires=True,
        ),
        Case(
            f"fever {SILENT_GAP_DAYS + 1} days ago, nothing since: episode ended",
            facts([entry(-SILENT_GAP_DAYS - 1, 3, fever=True)]),
            fires=False,
        ),
        Case(
            "fever ten days ago, then two symptom-free days: episode ended",
            facts([entry(-10, 3, fever=True), entry(-9, 0), entry(-8, 0)]),
            fires=False,
        ),
        Case(
            "fever ten days ago, then 'gone': episode ended",
            facts([entry(-10, 3, fever=True), entry(-9, 0, gone=True)]),
            fires=False,
        ),
        Case(
            "fever ten days ago, one quiet reading since: not an end",
            facts([entry(-10, 3, fever=True), entry(-9, 0)]),
            fires=True,
        ),
        Case(
            "fever this morning, 'gone' tonight: still counts today",
            facts([entry(0, 3, hour=8, fever=True), entry(0, 0, hour=11, gone=True)]),
            fires=True,
        ),
        Case(
            "fever yesterday morning, 'gone' last night: over today",
            facts([entry(-1, 3, hour=8, fever=True), entry(-1, 0, hour=21, gone=True)]),
            fires=False,
        ),
        Case(
            "'gone' on an entry with a fever is ignored",
            facts([entry(0, 0, fever=True, gone=True)]),
            fires=True,
        ),
    ],
    "cannot_bear_weight": [
        Case("cannot bear weight", facts([entry(0, 5, can_bear_weight=False)]), fires=True),
        Case("can bear weight", facts([entry(0, 5)]), fires=False),
        Case(
            "with severe swelling: cites the extreme-swelling passage",
            facts([entry(0, 5, can_bear_weight=False, swelling="severe")]),
            fires=True,
            source=r.P_EXTREME_SWELLING,
        ),
        Case(
            "could not yesterday, can today",
            facts([entry(-1, 5, can_bear_weight=False), entry(0, 4)]),
            fires=False,
        ),
    ],
    "severe_pain": [
        Case("6 is not severe", facts([entry(0, 6)]), fires=False),
        Case("7 is severe", facts([entry(0, 7)]), fires=True),
        Case("severe yesterday, 4 today", facts([entry(-1, 8), entry(0, 4)]), fires=False),
    ],
    "severe_swelling": [
        Case("moderate", facts([entry(0, 3, swelling="moderate")]), fires=False),
        Case("severe", facts([entry(0, 3, swelling="severe")]), fires=True),
    ],
    "achilles_rupture": [
        Case("pop at the Achilles", facts([entry(0, 5, site="achilles", heard_pop=True)]), True),
        Case("pop at the calf", facts([entry(0, 5, site="calf", heard_pop=True)]), True),
        Case(
            "pop at the outer ankle",
            facts([entry(0, 5, site="ankle_outer", heard_pop=True)]),
            fires=False,
        ),
        Case(
            f"pop {r.ACHILLES_POP_DAYS - 1} days ago, aching since",
            facts(
                [
                    entry(-r.ACHILLES_POP_DAYS + 1, 6, site="achilles", heard_pop=True),
                    *daily([3] * (r.ACHILLES_POP_DAYS - 1), site="achilles"),
                ]
            ),
            fires=True,
        ),
        Case(
            f"pop {r.ACHILLES_POP_DAYS} days ago, aching since",
            facts(
                [
                    entry(-r.ACHILLES_POP_DAYS, 6, site="achilles", heard_pop=True),
                    *daily([3] * r.ACHILLES_POP_DAYS, site="achilles"),
                ]
            ),
            fires=False,
        ),
        Case(
            "pop yesterday, 'gone' today",
            facts(
                [
                    entry(-1, 6, site="achilles", heard_pop=True),
                    entry(0, 0, site="achilles", gone=True),
                ]
            ),
            fires=False,
        ),
        Case(
            "pop yesterday, a quiet reading today: still counts",
            facts([entry(-1, 6, site="achilles", heard_pop=True), entry(0, 0, site="achilles")]),
            fires=True,
        ),
    ],
    "nerve_symptoms": [
        Case(
            "numbness",
            facts([entry(0, 2, numbness_or_tingling=True)]),
            fires=True,
            message_has=("Numbness",),
            source=r.P_NERVE,
        ),
        Case(
            "numbness with back or leg pain points to the spine",
            facts([entry(0, 2, numbness_or_tingling=True, back_or_leg_pain=True)]),
            fires=True,
            message_has=("spine",),
            source=r.P_SPINE,
        ),
        Case(
            "numbness with diabetes mentions diabetes",
            facts([entry(0, 2, numbness_or_tingling=True)], has_diabetes=True),
            fires=True,
            message_has=("Diabetes",),
        ),
        Case("no numbness", facts([entry(0, 2)]), fires=False),
    ],
    "worsening_pain": [
        Case("rise of 2 in a day", facts(daily([3, 5])), fires=True),
        Case("rise of 1", facts(daily([3, 4])), fires=False),
        Case(
            "mildest day just inside the trend window",
            facts([entry(-r.WORSENING_WINDOW_DAYS, 2), entry(-3, 4), entry(0, 4)]),
            fires=True,
        ),
        Case(
            "mildest day just outside the trend window",
            facts([entry(-r.WORSENING_WINDOW_DAYS - 1, 2), entry(-3, 4), entry(0, 4)]),
            fires=False,
        ),
    ],
    "chronic_pain": [
        Case(
            f"{r.CHRONIC_PAIN_DAYS} days of weekly pain: not yet",
            facts([entry(-r.CHRONIC_PAIN_DAYS, 3)] + [entry(-d, 3) for d in range(84, -1, -7)]),
            fires=False,
        ),
        Case(
            f"{r.CHRONIC_PAIN_DAYS + 1} days of weekly pain",
            facts([entry(-r.CHRONIC_PAIN_DAYS - 1, 3)] + [entry(-d, 3) for d in range(84, -1, -7)]),
            fires=True,
        ),
        Case(
            "'gone' then three weeks split the episodes",
            facts([entry(-100, 3), entry(-80, 3), entry(-79, 0, gone=True), *daily([3] * 60)]),
            fires=False,
        ),
        Case(
            "two quiet days then three weeks split the episodes",
            facts([entry(-100, 3), entry(-80, 3), *daily([0, 0], end=-78), *daily([3] * 60)]),
            fires=False,
        ),
        Case(
            "one quiet reading then three weeks do not",
            facts([entry(-100, 3), entry(-80, 3), entry(-79, 0), *daily([3] * 60)]),
            fires=True,
        ),
        Case(
            "three silent weeks in between do not split the episode",
            facts([entry(-100, 3), entry(-80, 3), *daily([3] * 60)]),
            fires=True,
        ),
    ],
    "diabetes_foot_symptoms": [
        Case("mild pain with diabetes", facts([entry(0, 1)], has_diabetes=True), fires=True),
        Case("mild pain without diabetes", facts([entry(0, 1)]), fires=False),
        Case("no symptoms with diabetes", facts([entry(0, 0)], has_diabetes=True), fires=False),
    ],
    "possible_back_source": [
        Case("back or leg pain", facts([entry(0, 2, back_or_leg_pain=True)]), fires=True),
        Case(
            "with numbness: nerve_symptoms instead",
            facts([entry(0, 2, back_or_leg_pain=True, numbness_or_tingling=True)]),
            fires=False,
        ),
    ],
    "ice_heat_too_long": [
        Case("15 minutes", facts(treatments=[session(0, 15)]), fires=False),
        Case("16 minutes", facts(treatments=[session(0, 16)]), fires=True),
        Case(
            "still running after 16 minutes",
            facts(treatments=[session(0, None, hour=11, minute=44)]),
            fires=True,
            message_has=("stop it now",),
        ),
        Case(
            "still running after 15 minutes",
            facts(treatments=[session(0, None, hour=11, minute=45)]),
            fires=False,
        ),
        Case(
            "long session 6 local days ago",
            facts(treatments=[session(-r.TREATMENT_ADVICE_DAYS + 1, 30)]),
            fires=True,
        ),
        Case(
            "long session 7 local days ago",
            facts(treatments=[session(-r.TREATMENT_ADVICE_DAYS, 30)]),
            fires=False,
        ),
    ],
    "ice_heat_too_often": [
        Case(
            "1 h 59 min between the end of one and the start of the next",
            facts(treatments=[session(0, 15, hour=8), session(0, 10, hour=10, minute=14)]),
            fires=True,
        ),
        Case(
            "2 h between",
            facts(treatments=[session(0, 15, hour=8), session(0, 10, hour=10, minute=15)]),
            fires=False,
        ),
        Case(
            "close together but on different sides",
            facts(treatments=[session(0, 15, hour=8), session(0, 10, hour=9, side="right")]),
            fires=False,
        ),
        Case(
            "close together across local midnight",
            facts(treatments=[session(-1, 15, hour=23), session(0, 10, hour=0, minute=30)]),
            fires=True,
        ),
    ],
    "ice_heat_not_advised": [
        Case("diabetes", facts(treatments=[session(0)], has_diabetes=True), fires=True),
        Case(
            "circulation problems",
            facts(treatments=[session(0, kind="heat")], has_circulation_problems=True),
            fires=True,
        ),
        Case(
            "reduced sensation",
            facts(treatments=[session(0)], has_reduced_sensation=True),
            fires=True,
        ),
        Case("no condition", facts(treatments=[session(0)]), fires=False),
        Case("condition but no session", facts([entry(0, 2)], has_diabetes=True), fires=False),
    ],
    "ice_heat_skin_reaction": [
        Case("skin reaction", facts(treatments=[session(0, skin_reaction=True)]), fires=True),
        Case("no skin reaction", facts(treatments=[session(0)]), fires=False),
    ],
    "heat_with_swelling": [
        Case(
            "heat on a swollen day",
            facts([entry(0, 3, swelling="mild")], [session(0, kind="heat")]),
            fires=True,
        ),
        Case(
            "ice on a swollen day",
            facts([entry(0, 3, swelling="mild")], [session(0, kind="ice")]),
            fires=False,
        ),
        Case(
            "heat on another day",
            facts([entry(-1, 3, swelling="mild")], [session(0, kind="heat")]),
            fires=False,
        ),
    ],
}

TABLE = [
    pytest.param(rule_id, case, id=f"{rule_id}: {case.name}")
    for rule_id, cases in CASES.items()
    for case in cases
]


def test_every_rule_has_cases() -> None:
    assert set(CASES) == {rule.id for rule in r.RULES}
    for rule_id, cases in CASES.items():
        assert any(c.fires for c in cases), rule_id
        assert any(not c.fires for c in cases), rule_id


@pytest.mark.parametrize(("rule_id", "case"), TABLE)
def test_rule(rule_id: str, case: Case) -> None:
    rule = r.RULES_BY_ID[rule_id]
    findings = rule.evaluate(case.facts)
    assert bool(findings) == case.fires, [f.reason for f in findings]
    for finding in findings:
        assert finding.rule == rule_id
        assert finding.level == rule.level
        assert finding.entries
        assert finding.message and finding.reason
        for text in case.message_has:
            assert text in finding.message
        if case.source is not None:
            assert finding.source == case.source
        ids = {e.id for e in case.facts.entries} | {t.id for t in case.facts.treatments}
        assert set(finding.entries) <= ids


def test_findings_carry_site_side_and_episode_start() -> None:
    [finding] = r.RULES_BY_ID["severe_pain"].evaluate(
        facts([entry(-1, 3, site="arch", side="right"), entry(0, 8, site="arch", side="right")])
    )
    assert (finding.site, finding.side) == ("arch", "right")
    assert finding.episode_start == local_date(at(-1), LONDON)


def test_one_finding_per_site_side_episode() -> None:
    findings = r.RULES_BY_ID["severe_pain"].evaluate(
        facts([entry(0, 8), entry(0, 9, side="right"), entry(0, 7, site="arch")])
    )
    assert [(f.site, f.side) for f in findings] == [
        ("ankle_outer", "left"),
        ("ankle_outer", "right"),
        ("arch", "left"),
    ]


def test_patient_wide_finding_has_no_site() -> None:
    [finding] = r.RULES_BY_ID["ice_heat_not_advised"].evaluate(
        facts(treatments=[session(0)], has_diabetes=True)
    )
    assert (finding.site, finding.side, finding.episode_start) == (None, None, None)


def test_reason_states_the_threshold_numbers() -> None:
    [finding] = r.RULES_BY_ID["infection_signs"].evaluate(facts([entry(0, 2, temperature_c=38.4)]))
    assert "38.4" in finding.reason and "38.0" in finding.reason
    [finding] = r.RULES_BY_ID["persistent_pain"].evaluate(facts(daily([5, 5, 5])))
    assert "5/10" in finding.reason and str(r.IMPROVEMENT_MIN_DROP) in finding.reason


def test_local_day_uses_the_patients_zone() -> None:
    late_evening = datetime(2024, 6, 14, 23, 30, tzinfo=NEW_YORK)  # 03:30 UTC on the 15th
    assert local_date(late_evening, NEW_YORK).day == 14
    assert local_date(late_evening, LONDON).day == 15


def test_local_date_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2024, 6, 14, 12, 0), LONDON)


def test_episode_split_and_symptom_free_entries() -> None:
    entries = [entry(-20, 4), entry(-19, 0, gone=True), entry(-10, 0), entry(-2, 3), entry(0, 0)]
    today = local_date(NOW, LONDON)
    first, second = split_episodes(entries, LONDON)
    # The "gone" the next day belongs to the episode and ends it; the quiet entry 9 days
    # later belongs to none.
    assert [e.severity for e in first.entries] == [4, 0]
    assert not first.is_active(today - timedelta(days=19))
    assert [e.severity for e in second.entries] == [3, 0]
    # A plain 0 today is a quiet reading: the episode goes on, read as on its painful day.
    assert second.is_active(today)
    assert second.state_day == today - timedelta(days=2)
    # Without the "gone", one quiet reading ends nothing: it is all one episode.
    plain = [replace(e, gone=False) for e in entries]
    [whole] = split_episodes(plain, LONDON)
    assert [e.severity for e in whole.entries] == [4, 0, 0, 3, 0]


def test_a_quiet_run_ends_the_episode_when_its_second_day_is_over() -> None:
    [episode] = split_episodes([*daily([5, 5], end=-2), *daily([0, 0])], LONDON)
    today = local_date(NOW, LONDON)
    assert episode.ends_after == today
    assert episode.is_active(today) and not episode.is_active(today + timedelta(days=1))
    result = assess(facts([*daily([5, 5, 5], end=-2), *daily([0, 0])]))
    assert result.next_change_at == r._day_starts(today + timedelta(days=1), LONDON)


def test_no_rule_reaches_emergency() -> None:
    # Nothing in the seeds says "go now"; see docs/triage-rules.md. Change this test together
    # with a sourced rule, not on its own.
    assert all(rule.level < Level.EMERGENCY for rule in r.RULES)


# --- Sparse logging: a gap is not a recovery -----------------------------------------------


@dataclass(frozen=True)
class Sparse:
    name: str
    facts: PatientFacts
    rules: frozenset[str]  # every rule the whole assessment finds
    level: Level
    reason_has: tuple[str, ...] = ()


def _every(step: int, span: int, severity: int = 3, **kw) -> list:
    """Pain every ``step`` days over ``span`` days, the last entry today."""
    return [entry(-d, severity, **kw) for d in range(span, -1, -step)]


NOT_GONE = frozenset({"persistent_pain"})
LASTING = frozenset({"persistent_pain", "chronic_pain"})

SPARSE: list[Sparse] = [
    Sparse("weekly, four weeks", facts(_every(7, 28)), NOT_GONE, Level.CONSULT, ("28 local",)),
    Sparse("weekly, four months", facts(_every(7, 119)), LASTING, Level.CONSULT, ("119 local",)),
    Sparse("fortnightly, four months", facts(_every(14, 112)), LASTING, Level.CONSULT),
    Sparse("fortnightly, two months", facts(_every(14, 56)), NOT_GONE, Level.CONSULT),
    # Calendar months: 31-day gaps, the longest a monthly habit makes.
    Sparse("monthly, four months", facts(_every(31, 124)), LASTING, Level.CONSULT),
    Sparse(
        "monthly, but each a little better",
        facts([entry(-31, 7), entry(0, 4)]),
        frozenset(),
        Level.SELF_CARE,
    ),
    Sparse(
        "weekly pain, then 'gone' today: ended",
        facts([*_every(7, 119)[:-1], entry(0, 0, gone=True)]),
        frozenset(),
        Level.SELF_CARE,
    ),
    Sparse(
        "weekly pain, then a quiet reading today: not an end",
        facts([*_every(7, 119)[:-1], entry(0, 0)]),
        LASTING,
        Level.CONSULT,
    ),
    Sparse(
        "'gone' after a silent gap, pain again later: a new episode",
        facts([*daily([5, 5, 5], end=-28), entry(-8, 0, gone=True), entry(0, 5)]),
        frozenset(),
        Level.SELF_CARE,
    ),
    Sparse(
        "one quiet reading after a silent gap, pain again later: one episode",
        facts([*daily([5, 5, 5], end=-28), entry(-8, 0), entry(0, 5)]),
        NOT_GONE,
        Level.CONSULT,
    ),
    Sparse(
        "the same without the pain-free entry: one episode",
        facts([*daily([5, 5, 5], end=-28), entry(0, 5)]),
        NOT_GONE,
        Level.CONSULT,
        ("30 local",),
    ),
    Sparse(
        f"long silence ({SILENT_GAP_DAYS + 1} days) after a finished episode, pain today",
        facts([*daily([6] * 20, end=-SILENT_GAP_DAYS - 1), entry(0, 5)]),
        frozenset(),
        Level.SELF_CARE,
    ),
    Sparse(
        f"red flags then {SILENT_GAP_DAYS + 1} silent days: does not escalate today",
        facts([entry(-SILENT_GAP_DAYS - 1, 9, fever=True, can_bear_weight=False)]),
        frozenset(),
        Level.SELF_CARE,
    ),
    Sparse(
        "red flag then three silent weeks: still the latest known state",
        facts([entry(-21, 4, fever=True)]),
        frozenset({"infection_signs"}),
        Level.CONSULT_24H,
    ),
]


def _sparse_id(case: Sparse) -> str:
    return case.name


@pytest.mark.parametrize("case", SPARSE, ids=_sparse_id)
def test_sparse_logging(case: Sparse) -> None:
    result = assess(case.facts)
    assert {f.rule for f in result.findings} == case.rules, [f.reason for f in result.findings]
    assert result.level == case.level
    for text in case.reason_has:
        assert any(text in f.reason for f in result.findings), text


def test_sparse_episode_runs_from_its_first_to_its_latest_painful_day() -> None:
    [episode] = split_episodes(_every(14, 112), LONDON)
    assert (episode.latest_day - episode.start).days == 112
    assert episode.is_active(local_date(NOW, LONDON))
    assert episode.ends_after == local_date(NOW, LONDON) + timedelta(days=SILENT_GAP_DAYS)


def test_reasons_name_sites_in_words_not_codes() -> None:
    result = assess(facts([entry(0, 8, site="heel_bottom", side="right")]))
    [finding] = result.findings
    assert "the bottom of the right heel" in finding.reason
    assert "heel_bottom" not in finding.reason
    [finding] = r.RULES_BY_ID["ice_heat_too_long"].evaluate(
        facts(treatments=[session(0, 30, site="ankle_outer", side="left")])
    )
    assert "the left outer ankle" in finding.reason and "ankle_outer" not in finding.reason


def test_every_catalogue_site_has_a_phrase() -> None:
    from journal.site_words import SITE_PHRASES, site_phrase
    from journal.sites import Site

    assert set(SITE_PHRASES) == {site.value for site in Site}
    assert site_phrase("heel_bottom", "right", whose="your") == "the bottom of your right heel"

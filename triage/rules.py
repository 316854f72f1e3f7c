"""The triage rules: pure functions from PatientFacts to findings.

Every rule cites the seed text it rests on (a file in the clinical seed set and a verbatim
passage from it). Where a rule needs a number the seeds do not give, the number is a named
constant below with a comment saying so, and the clinician-facing reason repeats it.

Time model (see triage.episodes): symptom rules read an episode's current state (its last
symptomatic local day, with what earlier pain-free days reported that is not over); ``now``
decides only whether the episode is still going on and whether a symptom is over. Treatment
rules look at the sessions of the last TREATMENT_ADVICE_DAYS local days.

No rule reaches Level.EMERGENCY: nothing in the seeds says "go now". The level exists so the
scale is complete and a future, sourced rule can use it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from journal.site_words import site_phrase
from triage.domain import Entry, Level, PatientFacts, Treatment
from triage.episodes import (
    FEVER_TEMPERATURE_C,
    QUIET_DAYS,
    RECOVERY_GAP_DAYS,
    SILENT_GAP_DAYS,
    SWELLING_GRADES,
    SWELLING_NONE,
    Episode,
    active_episodes,
    has_fever,
    is_symptomatic,
    local_date,
    treatment_sort_key,
    utc,
)

# --------------------------------------------------------------------------------------------
# Product-decision constants. Each says where the number comes from.
# --------------------------------------------------------------------------------------------

# 0-10 scale; the seeds say "severe" without a number. 7+ is the conventional "severe" band of
# a numeric rating scale.
SEVERE_PAIN_MIN = 7

# 001 says "doesnt go away after two to three days". We take the lower end (pain still there
# two local days after it began, i.e. on the third calendar day) because the improvement check
# below already spares patients who are getting better.
PERSISTENT_PAIN_DAYS = 2

# 001 also says "no improvement during the course of the first few days". "Improvement" is
# read as a clear downward trend over the last few days: the latest day's worst pain is at
# least IMPROVEMENT_MIN_DROP points below the worst day of the IMPROVEMENT_WINDOW_DAYS before
# it (if none of those days was logged, the last logged day before it). One point is within
# the noise of a self-reported score; two is not. Four days lets a slow but steady recovery
# (half a point a day: 7, 7, 6, 6, 5, 5, 4, 4) count, while a drop from last week's peak
# followed by days of plateau (7, 6, 5, 5, 5, 5) does not.
IMPROVEMENT_MIN_DROP = 2
IMPROVEMENT_WINDOW_DAYS = 4

# "Getting worse over days" (001): the latest day's worst pain is at least WORSENING_MIN_RISE
# points above the mildest day of the WORSENING_WINDOW_DAYS before it. Same noise argument.
WORSENING_MIN_RISE = 2
WORSENING_WINDOW_DAYS = 7

# Neither window may exceed RECOVERY_GAP_DAYS: two episodes that a symptom-free entry kept
# apart are more than that many days apart, so a red flag on that entry, which joins them,
# can only add evidence (longer pain), never bring an old peak into a trend window; adding a
# symptom never lowers the level. (Episodes that silence joins are one episode either way.)

# 001: "lasts longer than a few months". A few months = 90 days between the first and the
# latest painful local day of one episode.
CHRONIC_PAIN_DAYS = 90

# 001: "Pain and swelling come on suddenly". The sudden-onset flag counts on the day it was
# logged and the next local day; from the third day the persistent-pain rule (no improvement)
# takes over, so the hand-over leaves no gap.
SUDDEN_ONSET_DAYS = 2

# 001: a rupture "may need surgical repair within days of the injury". A pop counts for two
# weeks after it was logged; past that, early repair is no longer what is at stake and the
# pain rules take over.
ACHILLES_POP_DAYS = 14

# Sites where a pop suggests the Achilles tendon. 000 places the signs of a tear "in the back
# of the ankle or calf", so a pop logged at the calf counts too.
ACHILLES_SITES = frozenset({"achilles", "calf"})

# 001: "you have a lot of swelling". The journal scale is none/mild/moderate/severe; only the
# top grade is read as "a lot", so that a receding moderate swelling does not alarm.
SEVERE_SWELLING = "severe"

# 003: "schedule a doctor's appointment if your foot is swollen, hurting for a few days";
# 001: after a minor injury, "in a few days, pain and swelling disappear". Swelling that
# stays is what these are about, a receding one is not. Read as: swelling of at least
# PERSISTENT_SWELLING_MIN on the last swollen day, on most (more than half) of the logged
# days of the SWELLING_WINDOW_DAYS before it and that day, the first of them at least
# PERSISTENT_SWELLING_DAYS earlier ("a few" = three: it spans four calendar days), and not
# going down (no day in that window graded worse). Every grade counts, down to mild: mild
# swelling that neither goes nor shrinks is still a swollen foot. The window is the pain
# improvement window (IMPROVEMENT_WINDOW_DAYS), so the two rules read "the first few days"
# alike; a one-grade fall is a real drop on a four-grade scale (pain needs two points).
# "Most days", of the days logged: silence is not evidence either way.
PERSISTENT_SWELLING_MIN = "mild"
PERSISTENT_SWELLING_DAYS = 3
SWELLING_WINDOW_DAYS = IMPROVEMENT_WINDOW_DAYS

# From the seed (001: "for up to 15 minutes"), not a product decision.
ICE_HEAT_MAX_MINUTES = 15

# 001: "leave a few hours between treatments". A few hours = 2 hours from the end of one
# session to the start of the next on the same site and side.
ICE_HEAT_MIN_GAP = timedelta(hours=2)

# Ice/heat advice is about recent habits: sessions in the last 7 local days (today included).
TREATMENT_ADVICE_DAYS = 7

# How much history a caller must pass in: enough to see a CHRONIC_PAIN_DAYS episode from its
# start, plus one silent gap so its boundary is visible, plus a day of time-zone slack
# (callers usually cut in UTC, rules count local days).
LOOKBACK = timedelta(days=CHRONIC_PAIN_DAYS + SILENT_GAP_DAYS + 2)

assert max(IMPROVEMENT_WINDOW_DAYS, WORSENING_WINDOW_DAYS, SWELLING_WINDOW_DAYS) <= (
    RECOVERY_GAP_DAYS
)
assert PERSISTENT_SWELLING_DAYS <= SWELLING_WINDOW_DAYS
assert SILENT_GAP_DAYS >= RECOVERY_GAP_DAYS

# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    file: str  # seed file name, e.g. "001_397942f7636e3461.txt"
    passage: str  # verbatim passage from that file


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # stable id, e.g. "persistent_pain"
    level: Level
    message: str  # patient-facing, plain words: what it means + what to do
    reason: str  # clinician-facing, with the numbers that triggered it
    source: Source
    entries: tuple[UUID, ...]  # ids of the entries (or treatments) that triggered it
    site: str | None  # the site/side it concerns; None when patient-wide
    side: str | None
    # Alert de-dup key. Symptom rules: local day of the episode's first entry. Treatment
    # rules: local day of the earliest triggering session. None when patient-wide.
    episode_start: date | None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level  # the level every finding of this rule has
    title: str  # short human title for docs/admin
    trigger: str  # one-sentence description of the trigger for docs
    source: Source
    evaluate: Callable[[PatientFacts], list[Finding]]
    see_also: tuple[Source, ...] = ()  # further passages the rule or its messages draw on
    # Reads across sites and sides (or the profile with every place's sessions): assessed
    # over the whole journal, not per place (triage.state).
    patient_wide: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """A number or reading the seeds do not pin down, chosen by the product."""

    name: str  # the constant's name
    value: str
    why: str
    source: Source | None  # the passage it interprets, if any


# --------------------------------------------------------------------------------------------
# Seed passages. Verbatim from the seed files, except that curly apostrophes are written
# straight (ruff flags them as ambiguous); the seed-text test normalises quotes the same way.
# --------------------------------------------------------------------------------------------

S000 = "000_d20827fbf55dbb91.txt"
S001 = "001_397942f7636e3461.txt"
S002 = "002_c60c65b0a4fa0ac0.txt"
S003 = "003_5e744e9afdc7e325.txt"
S004 = "004_6ab7bdb2382f0dd4.txt"

P_NOT_GOING_AWAY = Source(
    S001, "Ankle pain is severe or doesnt go away after two to three days of at-home treatment."
)
P_NO_IMPROVEMENT = Source(
    S001,
    "Another general rule is to seek medication attention if theres been no improvement "
    "during the course of the first few days.",
)
P_FEW_DAYS = Source(
    S001,
    "If the pain is severe, you have a lot of swelling or the pain doesnt go away after a few "
    "days, see your provider.",
)
P_MINOR_INJURY = Source(
    S001,
    "If this is the case, in a few days, pain and swelling disappear, and you will feel better.",
)
P_SUDDEN = Source(S001, "Pain and swelling come on suddenly.")
P_MONTHS_TO_RECOVER = Source(
    S001,
    "Though some could take a few months to fully recover, you probably wont need to seek "
    "treatment from a healthcare professional.",
)
P_EVERY_FEW_MONTHS = Source(
    S001,
    "youre getting posterior impingement every few months, youre going to have a hard time "
    "making it into a ballet company",
)
P_INFECTION = Source(
    S001,
    "The area is red or warm to the touch, or you have a fever, which could be a sign of "
    "infection.",
)
P_BONE_INFECTION = Source(
    S001,
    "Besides a tender ankle joint, other signs of an infected bone include warmth and swelling.",
)
P_WEIGHT = Source(S001, "You cant put weight on your ankle.")
P_EXTREME_SWELLING = Source(
    S001,
    "Those who experience extreme swelling or bruising, along with the inability to put weight "
    "or pressure on the area without significant pain, should consult a doctor.",
)
P_ACHILLES_REPAIR = Source(
    S001, "An Achilles tendon rupture may need surgical repair within days of the injury."
)
P_ACHILLES_POP = Source(S000, "You may hear a popping or snapping sound when the injury occurs.")
P_ACHILLES_SIGNS = Source(
    S000,
    "Signs of an Achilles tear include the pain in the back of the ankle or calf, which usually "
    "feels like a kick and will subside to an ache",
)
P_NERVE = Source(
    S003,
    "You should schedule a doctor's appointment if your foot is swollen, hurting for a few "
    "days, or experiencing tingling, numbness, or a burning sensation.",
)
# The same sentence read for swelling: a foot "swollen ... for a few days".
P_SWOLLEN = P_NERVE
P_SPINE = Source(
    S003,
    "If you also have pain or numbness in your leg in addition to the foot, it's likely the "
    "pain is coming from the lower back region of the spine.",
)
P_BACK_DOCTOR = Source(
    S003,
    "If you think the origin of your pain is in the lower back, you should consult with a back "
    "doctor",
)
P_PINCHED_NERVE = Source(
    S002,
    "If you have a pinched (“trapped”) nerve in your lower back, it may cause painful feet, "
    "usually with discomfort elsewhere in the affected leg.",
)
P_DIABETES = Source(
    S004,
    "Nerve discomfort in the foot can also be caused by nerve damage caused by systemic "
    "illnesses like diabetes or multiple sclerosis.",
)
P_LONG_TERM = Source(
    S001,
    "Pain that seems to be getting worse, does not improve, or lasts longer than a few months "
    "could be due to structural changes in the foot or ankle, or an underlying condition.",
)
P_WORSENING_BACK_OF_FOOT = Source(
    S001,
    "However, if back of foot pain is worsening and you cant move around freely, it is "
    "essential to see your doctor.",
)
P_ICE_MINUTES = Source(S001, "you should generally apply heat or ice for up to 15 minutes.")
P_ICE_GAP = Source(S001, "You should also leave a few hours between treatments.")
P_ICE_SKIN = Source(
    S001,
    "You should stop treating the area with ice or heat and seek advice from a medical "
    "professional if you notice an increase in redness, discolouration or blistering of the "
    "skin.",
)
P_ICE_CIRCULATION = Source(
    S001,
    "If you have any issues with circulation or sensation, you shouldn't use ice or heat as a "
    "treatment for ankle pain.",
)
P_ICE_BARRIER = Source(
    S001, "Never place ice or heat directly on your skin. Use a barrier, like a towel"
)
P_HEAT_SWELLING = Source(
    S001,
    "You can try heat to help your pain levels if there's no swelling and your symptoms are not "
    "related to a recent injury.",
)
P_SELF_CARE = Source(
    S001,
    "Most ankle injuries get better with treatments you can do at home, such as elevating your "
    "foot and getting plenty of rest.",
)

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Hit:
    """What a check returns; the registry adds the rule's id, level and default source."""

    message: str
    reason: str
    entries: tuple[UUID, ...]
    site: str | None = None
    side: str | None = None
    episode_start: date | None = None
    source: Source | None = None  # overrides the rule's source for this finding


_Check = Callable[[PatientFacts], Iterable[_Hit]]


T = TypeVar("T")

_last = threading.local()


def _memo(facts: PatientFacts, name: str, compute: Callable[[], T]) -> T:
    """Compute something about ``facts`` once per assessment, not once per rule.

    A per-thread cache for the one facts object being assessed, keyed by its identity: the
    engine runs every rule on one (immutable) facts object in a row, and splitting a journal
    into episodes, once per rule, was most of an assessment's time. Holding the object keeps
    its id from being reused, so a hit is always the same facts.
    """
    held = getattr(_last, "held", None)
    if held is None or held[0] is not facts:
        held = (facts, {})
        _last.held = held
    cache: dict[str, Any] = held[1]
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def _episodes(facts: PatientFacts) -> tuple[Episode, ...]:
    return _memo(
        facts,
        "episodes",
        lambda: active_episodes(facts.entries, facts.profile.timezone, facts.now),
    )


open_episodes = _episodes


def _ids(items: Iterable[Entry | Treatment]) -> tuple[UUID, ...]:
    seen: dict[UUID, None] = {}
    for item in items:
        seen.setdefault(item.id, None)
    return tuple(seen)


def _where(ep: Episode) -> str:
    """The site in the words the patient sees ("the front of the left ankle"), not codes."""
    return site_phrase(ep.site, ep.side)


def _hit(
    ep: Episode,
    message: str,
    reason: str,
    entries: Iterable[Entry],
    source: Source | None = None,
) -> _Hit:
    return _Hit(
        message=message,
        reason=reason,
        entries=_ids(entries),
        site=ep.site,
        side=ep.side,
        episode_start=ep.start,
        source=source,
    )


def _current_with(ep: Episode, pred: Callable[[Entry], bool]) -> list[Entry]:
    return [e for e in ep.current if pred(e)]


@dataclass(frozen=True, slots=True)
class _Trend:
    first_pain_day: date
    latest_day: date
    latest: int  # worst severity on the latest day
    recent: tuple[int, ...]  # worst severity of the earlier days the improvement check uses
    week: tuple[int, ...]  # worst severity of each earlier day within WORSENING_WINDOW_DAYS

    @property
    def improving(self) -> bool:
        return bool(self.recent) and self.latest <= max(self.recent) - IMPROVEMENT_MIN_DROP

    @property
    def worsening(self) -> bool:
        return bool(self.week) and self.latest - min(self.week) >= WORSENING_MIN_RISE

    @property
    def days_in_pain(self) -> int:
        return (self.latest_day - self.first_pain_day).days


def _trend(ep: Episode) -> _Trend | None:
    """The episode's pain trend, or None when its latest day is pain-free."""
    daily = ep.daily_severity()
    latest_day, latest = daily[-1]
    if latest <= 0:
        return None
    first_pain_day = min(d for d, s in daily if s > 0)
    earlier = daily[:-1]
    recent = tuple(s for d, s in earlier if (latest_day - d).days <= IMPROVEMENT_WINDOW_DAYS)
    if not recent and earlier:
        # Sparse logging: compare with the last day the patient did log (within the episode,
        # so at most SILENT_GAP_DAYS back).
        recent = (earlier[-1][1],)
    week = tuple(s for d, s in earlier if (latest_day - d).days <= WORSENING_WINDOW_DAYS)
    return _Trend(first_pain_day, latest_day, latest, recent, week)


def _trends(facts: PatientFacts) -> tuple[tuple[Episode, _Trend | None], ...]:
    """Each active episode with its trend, worked out once per assessment for three rules."""
    return _memo(facts, "trends", lambda: tuple((ep, _trend(ep)) for ep in _episodes(facts)))


def _trend_entries(ep: Episode, trend: _Trend) -> list[Entry]:
    since = trend.latest_day - timedelta(days=WORSENING_WINDOW_DAYS)
    return [
        e
        for e, d in zip(ep.entries, ep.days, strict=True)
        if e.severity > 0 and (d == trend.first_pain_day or d >= since)
    ]


# --------------------------------------------------------------------------------------------
# Symptom rules
# --------------------------------------------------------------------------------------------


def _pain_reference(ep: Episode, day: date) -> date:
    """The day a flag logged on ``day`` is aged against: the last painful day, when later.

    The pain rules take over from the flag rules as pain goes on (SUDDEN_ONSET_DAYS,
    ACHILLES_POP_DAYS), so a flag ages with the pain logged after it, not with days that
    report no pain: those neither let it expire nor (if quiet) say anything new.
    """
    painful = ep.last_painful_day
    return day if painful is None or painful < day else painful


def _achilles_rupture(facts: PatientFacts) -> Iterable[_Hit]:
    for ep in _episodes(facts):
        if ep.site not in ACHILLES_SITES:
            continue
        pops = [
            e
            for e, d in zip(ep.entries, ep.days, strict=True)
            if e.heard_pop and (_pain_reference(ep, d) - d).days < ACHILLES_POP_DAYS
        ]
        if pops:
            yield _hit(
                ep,
                "A pop or snap at the back of the ankle or heel can mean the Achilles tendon "
                "has torn. A torn tendon may need repair within days, so see a doctor within "
                "24 hours. Until then, rest and avoid pushing off or standing on tiptoe.",
                f"Pop/snap reported at {_where(ep)} within the last {ACHILLES_POP_DAYS} local "
                f"days of the episode (product window for 'within days of the injury'); "
                f"suspected Achilles rupture. Latest severity "
                f"{max(e.severity for e in ep.current)}/10.",
                pops,
            )


def _infection_signs(facts: PatientFacts) -> Iterable[_Hit]:
    for ep in _episodes(facts):
        hits = _current_with(ep, lambda e: e.redness_or_warmth or has_fever(e))
        if not hits:
            continue
        signs = []
        if any(e.redness_or_warmth for e in hits):
            signs.append("redness/warmth of the area")
        if any(e.fever for e in hits):
            signs.append("fever reported")
        temps = [e.temperature_c for e in hits if e.temperature_c is not None]
        if temps and max(temps) >= FEVER_TEMPERATURE_C:
            signs.append(
                f"temperature {max(temps):.1f} °C (fever cut-off {FEVER_TEMPERATURE_C} °C)"
            )
        yield _hit(
            ep,
            "Redness, warmth or a fever can be a sign of infection. See a doctor within 24 hours.",
            f"Possible infection at {_where(ep)} on {ep.state_day}: {', '.join(signs)}.",
            hits,
        )


def _cannot_bear_weight(facts: PatientFacts) -> Iterable[_Hit]:
    for ep in _episodes(facts):
        hits = _current_with(ep, lambda e: not e.can_bear_weight)
        if not hits:
            continue
        extra = ""
        source = None
        if any(e.swelling == SEVERE_SWELLING for e in ep.current):
            extra = " with severe swelling the same day"
            source = P_EXTREME_SWELLING
        yield _hit(
            ep,
            "Not being able to put weight on your foot or ankle needs a doctor's check. See a "
            "doctor within 24 hours, and keep weight off it until then.",
            f"Unable to bear weight at {_where(ep)} on {ep.state_day}{extra}.",
            hits,
            source=source,
        )


def _severe_pain(facts: PatientFacts) -> Iterable[_Hit]:
    for ep in _episodes(facts):
        hits = _current_with(ep, lambda e: e.severity >= SEVERE_PAIN_MIN)
        if hits:
            yield _hit(
                ep,
                "You rated your pain as severe. Book an appointment with a doctor to find out "
                "what is causing it.",
                f"Severity {max(e.severity for e in hits)}/10 at {_where(ep)} on "
                f"{ep.state_day} (severe = {SEVERE_PAIN_MIN}+ on 0-10, product decision).",
                hits,
            )


def _severe_swelling(facts: PatientFacts) -> Iterable[_Hit]:
    for ep in _episodes(facts):
        hits = _current_with(ep, lambda e: e.swelling == SEVERE_SWELLING)
        if hits:
            yield _hit(
                ep,
                "A lot of swelling should be checked by a doctor. Book an appointment, and "
                "rest with your foot raised until then.",
                f"Swelling graded '{SEVERE_SWELLING}' at {_where(ep)} on {ep.state_day} "
                f"(only the top grade is read as 'a lot of swelling', product decision).",
                hits,
            )


def _persistent_swelling(facts: PatientFacts) -> Iterable[_Hit]:
    lowest = SWELLING_GRADES.index(PERSISTENT_SWELLING_MIN)
    for ep in _episodes(facts):
        window = ep.daily_swelling(SWELLING_WINDOW_DAYS)
        if not window:
            continue
        last_day, grade = window[-1]
        swollen = [d for d, g in window if g >= lowest]
        earlier = [g for d, g in window[:-1]]
        if (
            grade < lowest
            or 2 * len(swollen) <= len(window)
            or (last_day - min(swollen)).days < PERSISTENT_SWELLING_DAYS
            or (earlier and grade < max(earlier))
        ):
            continue
        first = min(swollen)
        yield _hit(
            ep,
            "Your foot has stayed swollen for a few days and the swelling is not going down. "
            "Book an appointment with a doctor to have it checked, and rest with your foot "
            "raised until then.",
            f"Swelling at {_where(ep)} from {first} to {last_day}, "
            f"'{SWELLING_GRADES[grade]}' on the last day, on {len(swollen)} of {len(window)} "
            f"logged days and not going down (persistent = {PERSISTENT_SWELLING_MIN} or more "
            f"on most logged days, the first {PERSISTENT_SWELLING_DAYS}+ local days before, "
            f"no fall within {SWELLING_WINDOW_DAYS} days; product decisions).",
            [
                e
                for e, d in zip(ep.entries, ep.days, strict=True)
                if first <= d <= last_day and e.swelling != SWELLING_NONE
            ],
        )


def _sudden_onset(facts: PatientFacts) -> Iterable[_Hit]:
    for ep in _episodes(facts):
        hits = [
            e
            for e, d in zip(ep.entries, ep.days, strict=True)
            if e.sudden_onset
            and e.severity > 0
            and e.swelling != SWELLING_NONE
            and (_pain_reference(ep, d) - d).days < SUDDEN_ONSET_DAYS
        ]
        if hits:
            yield _hit(
                ep,
                "Pain and swelling that came on suddenly should be checked. Book an "
                "appointment with a doctor, and rest with your foot raised until then.",
                f"Sudden onset of pain with swelling at {_where(ep)}, logged "
                f"{local_date(hits[0].recorded_at, facts.profile.timezone)} (counts for "
                f"{SUDDEN_ONSET_DAYS} local days, product decision).",
                hits,
            )


def _persistent_pain(facts: PatientFacts) -> Iterable[_Hit]:
    for ep, trend in _trends(facts):
        if trend is None or trend.days_in_pain < PERSISTENT_PAIN_DAYS or trend.improving:
            continue
        peak = max(trend.recent) if trend.recent else trend.latest
        yield _hit(
            ep,
            "Your pain has not eased after a few days of home care. Book an appointment with "
            "a doctor to have it checked.",
            f"Pain at {_where(ep)} since {trend.first_pain_day}, still {trend.latest}/10 on "
            f"{trend.latest_day} ({trend.days_in_pain} local days; threshold "
            f"{PERSISTENT_PAIN_DAYS}). No clear improvement: worst of the previous "
            f"{IMPROVEMENT_WINDOW_DAYS} days {peak}/10, improvement needs a drop of "
            f"{IMPROVEMENT_MIN_DROP}+ points (product decisions).",
            _trend_entries(ep, trend),
        )


def _worsening_pain(facts: PatientFacts) -> Iterable[_Hit]:
    for ep, trend in _trends(facts):
        if trend is None or not trend.worsening:
            continue
        yield _hit(
            ep,
            "Your pain has been getting worse over the last few days. Book an appointment with "
            "a doctor.",
            f"Pain at {_where(ep)} rose to {trend.latest}/10 on {trend.latest_day} from "
            f"{min(trend.week)}/10 within the previous {WORSENING_WINDOW_DAYS} days (worsening = "
            f"a rise of {WORSENING_MIN_RISE}+ points, product decision).",
            _trend_entries(ep, trend),
        )


def _chronic_pain(facts: PatientFacts) -> Iterable[_Hit]:
    for ep, trend in _trends(facts):
        if trend is None or trend.days_in_pain <= CHRONIC_PAIN_DAYS:
            continue
        first = [e for e, d in zip(ep.entries, ep.days, strict=True) if d == trend.first_pain_day]
        yield _hit(
            ep,
            "Your pain has lasted more than three months. Pain that lasts this long can have "
            "a cause that is worth finding. Book an appointment with a doctor.",
            f"Pain at {_where(ep)} since {trend.first_pain_day}: {trend.days_in_pain} local "
            f"days to {trend.latest_day} ('a few months' = more than {CHRONIC_PAIN_DAYS} days, "
            f"product decision).",
            [e for e in first if e.severity > 0] + _current_with(ep, lambda e: e.severity > 0),
        )


def _nerve_symptoms(facts: PatientFacts) -> Iterable[_Hit]:
    diabetes = facts.profile.has_diabetes
    for ep in _episodes(facts):
        hits = _current_with(ep, lambda e: e.numbness_or_tingling)
        if not hits:
            continue
        back = _current_with(ep, lambda e: e.back_or_leg_pain)
        message = (
            "Numbness, tingling or burning in your foot should be checked. Book an "
            "appointment with a doctor."
        )
        notes = []
        source = None
        if back:
            message += (
                " Because you also have pain in your back or leg, the cause may be a nerve "
                "in your lower back (the spine): tell the doctor about it."
            )
            notes.append("with back/leg pain: consider a lumbar nerve-root source")
            source = P_SPINE
        if diabetes:
            message += " Diabetes can damage the nerves in the feet, so mention it too."
            notes.append("patient has diabetes: consider diabetic neuropathy")
        yield _hit(
            ep,
            message,
            f"Numbness/tingling/burning at {_where(ep)} on {ep.state_day}"
            + (f"; {'; '.join(notes)}" if notes else "")
            + ".",
            hits + back,
            source=source,
        )


def _diabetes_foot_symptoms(facts: PatientFacts) -> Iterable[_Hit]:
    if not facts.profile.has_diabetes:
        return
    for ep in _episodes(facts):
        hits = _current_with(ep, is_symptomatic)
        yield _hit(
            ep,
            "Because you have diabetes, foot problems deserve a doctor's look sooner: "
            "diabetes can damage the nerves in the feet, so pain is not always a reliable "
            "warning. Book an appointment rather than waiting to see if it settles.",
            f"Diabetic patient with current symptoms at {_where(ep)} on {ep.state_day} "
            f"(worst severity {max(e.severity for e in ep.current)}/10). Product decision: any "
            f"current foot symptom in diabetes is at least 'consult', without waiting for the "
            f"{PERSISTENT_PAIN_DAYS}-day persistence rule.",
            hits,
        )


def _possible_back_source(facts: PatientFacts) -> Iterable[_Hit]:
    for ep in _episodes(facts):
        if _current_with(ep, lambda e: e.numbness_or_tingling):
            continue  # nerve_symptoms already points to the spine, at a higher level
        hits = _current_with(ep, lambda e: e.back_or_leg_pain)
        if hits:
            yield _hit(
                ep,
                "Foot pain that comes with back or leg pain can start from a nerve in the "
                "lower back. If it carries on, tell your doctor about both; a back specialist "
                "may be the right person to see.",
                f"Back or leg pain reported with foot symptoms at {_where(ep)} on "
                f"{ep.state_day}; possible referred/radicular pain. Kept at self-care: the "
                f"seed's advice to see a back doctor is conditional on the origin being the "
                f"back, which the journal cannot establish; persistence rules still escalate.",
                hits,
            )


# --------------------------------------------------------------------------------------------
# Ice and heat rules
# --------------------------------------------------------------------------------------------


def _recent_sessions(facts: PatientFacts) -> list[Treatment]:
    return _memo(facts, "recent_sessions", lambda: _sessions_within_window(facts))


def _sessions_within_window(facts: PatientFacts) -> list[Treatment]:
    today = local_date(facts.now, facts.profile.timezone)
    recent = [
        t
        for t in facts.treatments
        if (today - local_date(t.started_at, facts.profile.timezone)).days < TREATMENT_ADVICE_DAYS
    ]
    return sorted(recent, key=treatment_sort_key)


def _by_place(sessions: Iterable[Treatment]) -> list[tuple[tuple[str, str], list[Treatment]]]:
    groups: dict[tuple[str, str], list[Treatment]] = defaultdict(list)
    for t in sessions:
        groups[(t.site, t.side)].append(t)
    return sorted(groups.items())


def _treatment_hit(
    facts: PatientFacts,
    place: tuple[str, str] | None,
    sessions: Sequence[Treatment],
    *,
    message: str,
    reason: str,
) -> _Hit:
    if place is None:
        return _Hit(message=message, reason=reason, entries=_ids(sessions))
    return _Hit(
        message=message,
        reason=reason,
        entries=_ids(sessions),
        site=place[0],
        side=place[1],
        episode_start=local_date(sessions[0].started_at, facts.profile.timezone),
    )


def _minutes_so_far(facts: PatientFacts, t: Treatment) -> float:
    if t.minutes is not None:
        return t.minutes
    return (utc(facts.now) - utc(t.started_at)).total_seconds() / 60


def _ice_heat_skin_reaction(facts: PatientFacts) -> Iterable[_Hit]:
    for place, sessions in _by_place(_recent_sessions(facts)):
        hits = [t for t in sessions if t.skin_reaction]
        if hits:
            yield _treatment_hit(
                facts,
                place,
                hits,
                message=(
                    "Stop using ice or heat on this area. Redness, discolouration or blisters "
                    "on the skin after ice or heat should be looked at: book an appointment "
                    "with a doctor or nurse."
                ),
                reason=(
                    f"Skin reaction after {len(hits)} {'/'.join(sorted({t.kind for t in hits}))} "
                    f"session(s) at {site_phrase(*place)} in the last {TREATMENT_ADVICE_DAYS} "
                    f"local days."
                ),
            )


def _ice_heat_not_advised(facts: PatientFacts) -> Iterable[_Hit]:
    profile = facts.profile
    conditions = [
        name
        for name, present in (
            ("diabetes", profile.has_diabetes),
            ("circulation problems", profile.has_circulation_problems),
            ("reduced sensation", profile.has_reduced_sensation),
        )
        if present
    ]
    sessions = _recent_sessions(facts)
    if conditions and sessions:
        yield _treatment_hit(
            facts,
            None,
            sessions,
            message=(
                "With diabetes, or problems with circulation or feeling in your feet, ice and "
                "heat can hurt your skin without you noticing. It is safer not to use them: "
                "ask your doctor or nurse what to use instead."
            ),
            reason=(
                f"{len(sessions)} ice/heat session(s) in the last {TREATMENT_ADVICE_DAYS} local "
                f"days despite {', '.join(conditions)}. Diabetes is treated as a sensation "
                f"problem (seed 004: diabetic nerve damage), product decision."
            ),
        )


def _ice_heat_too_long(facts: PatientFacts) -> Iterable[_Hit]:
    for place, sessions in _by_place(_recent_sessions(facts)):
        hits = [t for t in sessions if _minutes_so_far(facts, t) > ICE_HEAT_MAX_MINUTES]
        if hits:
            longest = max(_minutes_so_far(facts, t) for t in hits)
            running = any(t.minutes is None for t in hits)
            yield _treatment_hit(
                facts,
                place,
                hits,
                message=(
                    f"Keep each ice or heat session to {ICE_HEAT_MAX_MINUTES} minutes at most, "
                    "with a towel between it and your skin."
                    + (" If a session is still going, stop it now." if running else "")
                ),
                reason=(
                    f"{len(hits)} session(s) at {site_phrase(*place)} over "
                    f"{ICE_HEAT_MAX_MINUTES} min (longest {longest:.0f} min"
                    + (", still running" if running else "")
                    + ")."
                ),
            )


def _ice_heat_too_often(facts: PatientFacts) -> Iterable[_Hit]:
    for place, sessions in _by_place(_recent_sessions(facts)):
        hits: list[Treatment] = []
        shortest: timedelta | None = None
        for before, after in pairwise(sessions):
            # A session still running has no end yet; its start is the safe stand-in.
            ended = utc(before.started_at) + timedelta(minutes=before.minutes or 0)
            gap = utc(after.started_at) - ended
            if gap < ICE_HEAT_MIN_GAP:
                hits += [before, after]
                shortest = gap if shortest is None else min(shortest, gap)
        if hits and shortest is not None:
            yield _treatment_hit(
                facts,
                place,
                hits,
                message=(
                    "Leave a few hours (at least 2) between ice or heat sessions on the same "
                    "spot, so the skin can recover."
                ),
                reason=(
                    f"Sessions at {site_phrase(*place)} less than "
                    f"{ICE_HEAT_MIN_GAP.total_seconds() / 3600:g} h apart (shortest gap "
                    f"{shortest.total_seconds() / 60:.0f} min, end to start; 'a few hours' = "
                    f"{ICE_HEAT_MIN_GAP.total_seconds() / 3600:g} h, product decision)."
                ),
            )


def _heat_with_swelling(facts: PatientFacts) -> Iterable[_Hit]:
    tz = facts.profile.timezone
    heat = [t for t in _recent_sessions(facts) if t.kind == "heat"]
    if not heat:  # the usual case: no need to date every swollen entry
        return
    swollen_days = {
        (e.site, e.side, local_date(e.recorded_at, tz))
        for e in facts.entries
        if e.swelling != SWELLING_NONE
    }
    for place, sessions in _by_place(heat):
        hits = [
            t
            for t in sessions
            if t.kind == "heat" and (*place, local_date(t.started_at, tz)) in swollen_days
        ]
        if hits:
            yield _treatment_hit(
                facts,
                place,
                hits,
                message=(
                    "Heat is best avoided while the area is swollen. Use ice instead, wrapped "
                    "in a towel."
                ),
                reason=(
                    f"{len(hits)} heat session(s) at {site_phrase(*place)} on a local day the "
                    f"patient logged swelling there."
                ),
            )


# --------------------------------------------------------------------------------------------
# When time alone can change the answer
# --------------------------------------------------------------------------------------------


def next_change_at(facts: PatientFacts, findings: Iterable[Finding]) -> datetime | None:
    """The first instant after ``facts.now`` at which the same facts could assess differently,
    or None if time alone can never change them. ``findings`` are the facts' findings now.

    Every use of ``now`` in the rules is one of four: an episode is active until its
    ``ends_after`` day is over; pain or swelling is read as over once its quiet run's last
    day is over; a session counts for treatment advice for
    TREATMENT_ADVICE_DAYS local days; a session still running becomes "too long" once it
    passes ICE_HEAT_MAX_MINUTES. Anything else reads only the facts. A session leaving the
    window matters only if a finding cites it (the window drops the oldest sessions, so no
    pair of sessions that is fine now can become "too close" by it). Early is harmless (a
    re-assessment finds the same answer and the next instant); late would delay an alert, so
    a new time dependency in a rule must be added here (a property test checks the two agree).
    """
    tz = facts.profile.timezone
    now = utc(facts.now)
    today = local_date(facts.now, tz)
    cited = {entry_id for f in findings for entry_id in f.entries}
    candidates = [_day_starts(ep.ends_after + timedelta(days=1), tz) for ep in _episodes(facts)]
    # A symptom is read as over once its quiet run's last day is over.
    candidates += [
        _day_starts(quiet + timedelta(days=1), tz)
        for ep in _episodes(facts)
        for quiet in (symptom.quiet_until for symptom in ep.symptoms)
        if quiet is not None
    ]
    for session in facts.treatments:
        if session.id in cited:
            day = local_date(session.started_at, tz)
            if (today - day).days < TREATMENT_ADVICE_DAYS:
                candidates.append(_day_starts(day + timedelta(days=TREATMENT_ADVICE_DAYS), tz))
        if session.minutes is None:
            # "Longer than" 15 minutes: true from just after the 15th minute.
            over = utc(session.started_at) + timedelta(minutes=ICE_HEAT_MAX_MINUTES, seconds=1)
            candidates.append(over)
    return min((c for c in candidates if c > now), default=None)


def _day_starts(day: date, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) whose local date in ``tz`` is ``day``.

    Midnight, unless a clock change skips it (then the instant the day begins, which fold=0
    already gives for a skipped wall time).
    """
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


def _rule(
    *,
    id: str,
    level: Level,
    title: str,
    trigger: str,
    source: Source,
    check: _Check,
    see_also: tuple[Source, ...] = (),
    patient_wide: bool = False,
) -> Rule:
    def evaluate(facts: PatientFacts) -> list[Finding]:
        return [
            Finding(
                rule=id,
                level=level,
                message=hit.message,
                reason=hit.reason,
                source=hit.source or source,
                entries=hit.entries,
                site=hit.site,
                side=hit.side,
                episode_start=hit.episode_start,
            )
            for hit in check(facts)
        ]

    evaluate.__name__ = f"evaluate_{id}"
    return Rule(
        id=id,
        level=level,
        title=title,
        trigger=trigger,
        source=source,
        evaluate=evaluate,
        see_also=see_also,
        patient_wide=patient_wide,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        id="achilles_rupture",
        level=Level.CONSULT_24H,
        title="Possible Achilles tendon rupture",
        trigger=(
            f"A pop or snap logged at the back of the ankle/heel or calf "
            f"({', '.join(sorted(ACHILLES_SITES))}) within {ACHILLES_POP_DAYS} local days of "
            f"the episode's last painful day."
        ),
        source=P_ACHILLES_REPAIR,
        see_also=(P_ACHILLES_POP, P_ACHILLES_SIGNS),
        check=_achilles_rupture,
    ),
    _rule(
        id="infection_signs",
        level=Level.CONSULT_24H,
        title="Signs of infection",
        trigger=(
            f"Redness or warmth of the area, a fever, or a temperature of "
            f"{FEVER_TEMPERATURE_C} °C or more in the episode's current state."
        ),
        source=P_INFECTION,
        see_also=(P_BONE_INFECTION,),
        check=_infection_signs,
    ),
    _rule(
        id="cannot_bear_weight",
        level=Level.CONSULT_24H,
        title="Cannot bear weight",
        trigger=(
            "The patient cannot put weight on the foot or ankle in the episode's current state."
        ),
        source=P_WEIGHT,
        see_also=(P_EXTREME_SWELLING,),
        check=_cannot_bear_weight,
    ),
    _rule(
        id="severe_pain",
        level=Level.CONSULT,
        title="Severe pain",
        trigger=f"Pain of {SEVERE_PAIN_MIN}/10 or more in the episode's current state.",
        source=P_FEW_DAYS,
        see_also=(P_NOT_GOING_AWAY,),
        check=_severe_pain,
    ),
    _rule(
        id="severe_swelling",
        level=Level.CONSULT,
        title="A lot of swelling",
        trigger=f"Swelling graded '{SEVERE_SWELLING}' in the episode's current state.",
        source=P_FEW_DAYS,
        see_also=(P_EXTREME_SWELLING,),
        check=_severe_swelling,
    ),
    _rule(
        id="persistent_swelling",
        level=Level.CONSULT,
        title="Swelling that is not going down",
        trigger=(
            f"Swelling graded '{PERSISTENT_SWELLING_MIN}' or more on the last swollen day, on "
            f"more than half of the logged days of the {SWELLING_WINDOW_DAYS} local days "
            f"before it and that day, the first at least {PERSISTENT_SWELLING_DAYS} local days "
            f"earlier, and no day of that window graded worse than the last."
        ),
        source=P_SWOLLEN,
        see_also=(P_MINOR_INJURY, P_FEW_DAYS),
        check=_persistent_swelling,
    ),
    _rule(
        id="sudden_onset",
        level=Level.CONSULT,
        title="Sudden pain and swelling",
        trigger=(
            f"An entry flagged 'came on suddenly' with both pain and swelling, on the episode's "
            f"latest day or within {SUDDEN_ONSET_DAYS - 1} local day(s) before it."
        ),
        source=P_SUDDEN,
        check=_sudden_onset,
    ),
    _rule(
        id="persistent_pain",
        level=Level.CONSULT,
        title="Pain not going away",
        trigger=(
            f"Pain still present {PERSISTENT_PAIN_DAYS}+ local days after it began at the same "
            f"site and side, without a drop of {IMPROVEMENT_MIN_DROP}+ points from the worst "
            f"day of the previous {IMPROVEMENT_WINDOW_DAYS} days."
        ),
        source=P_NOT_GOING_AWAY,
        see_also=(P_NO_IMPROVEMENT, P_FEW_DAYS, P_NERVE),
        check=_persistent_pain,
    ),
    _rule(
        id="worsening_pain",
        level=Level.CONSULT,
        title="Pain getting worse",
        trigger=(
            f"The latest day's pain is {WORSENING_MIN_RISE}+ points above the mildest day of the "
            f"previous {WORSENING_WINDOW_DAYS} days of the episode."
        ),
        source=P_LONG_TERM,
        see_also=(P_WORSENING_BACK_OF_FOOT,),
        check=_worsening_pain,
    ),
    _rule(
        id="chronic_pain",
        level=Level.CONSULT,
        title="Pain lasting months",
        trigger=(
            f"Pain still present more than {CHRONIC_PAIN_DAYS} local days after the episode's "
            f"first painful day."
        ),
        source=P_LONG_TERM,
        check=_chronic_pain,
    ),
    _rule(
        id="nerve_symptoms",
        level=Level.CONSULT,
        title="Numbness, tingling or burning",
        trigger=(
            "Numbness, tingling or burning in the episode's current state; with back or leg pain "
            "the message points to the spine, with diabetes it mentions diabetic nerve damage."
        ),
        source=P_NERVE,
        see_also=(P_SPINE, P_DIABETES),
        check=_nerve_symptoms,
    ),
    _rule(
        id="diabetes_foot_symptoms",
        level=Level.CONSULT,
        title="Foot symptoms with diabetes",
        trigger=(
            "A patient with diabetes has any current symptom (pain or any flag) in an active "
            "episode."
        ),
        source=P_DIABETES,
        see_also=(P_ICE_CIRCULATION,),
        check=_diabetes_foot_symptoms,
    ),
    _rule(
        id="ice_heat_skin_reaction",
        level=Level.CONSULT,
        title="Skin reaction to ice or heat",
        trigger=(
            f"An ice or heat session in the last {TREATMENT_ADVICE_DAYS} local days was followed "
            f"by redness, discolouration or blistering."
        ),
        source=P_ICE_SKIN,
        check=_ice_heat_skin_reaction,
    ),
    _rule(
        id="possible_back_source",
        level=Level.SELF_CARE,
        title="Foot pain with back or leg pain",
        trigger=(
            "Back or leg pain in the episode's current state, without numbness or tingling (which "
            "nerve_symptoms handles)."
        ),
        source=P_SPINE,
        see_also=(P_PINCHED_NERVE, P_BACK_DOCTOR),
        check=_possible_back_source,
    ),
    _rule(
        id="ice_heat_not_advised",
        level=Level.SELF_CARE,
        title="Ice or heat with diabetes, circulation or sensation problems",
        trigger=(
            f"Any ice or heat session in the last {TREATMENT_ADVICE_DAYS} local days by a "
            f"patient with diabetes, circulation problems or reduced sensation."
        ),
        source=P_ICE_CIRCULATION,
        see_also=(P_DIABETES,),
        check=_ice_heat_not_advised,
        # One finding over every place's recent sessions.
        patient_wide=True,
    ),
    _rule(
        id="ice_heat_too_long",
        level=Level.SELF_CARE,
        title="Ice or heat session too long",
        trigger=(
            f"A session in the last {TREATMENT_ADVICE_DAYS} local days longer than "
            f"{ICE_HEAT_MAX_MINUTES} minutes, or still running after {ICE_HEAT_MAX_MINUTES}."
        ),
        source=P_ICE_MINUTES,
        see_also=(P_ICE_BARRIER,),
        check=_ice_heat_too_long,
    ),
    _rule(
        id="ice_heat_too_often",
        level=Level.SELF_CARE,
        title="Ice or heat sessions too close together",
        trigger=(
            f"Two sessions on the same site and side less than "
            f"{ICE_HEAT_MIN_GAP.total_seconds() / 3600:g} hours apart (end of one to start of "
            f"the next) in the last {TREATMENT_ADVICE_DAYS} local days."
        ),
        source=P_ICE_GAP,
        check=_ice_heat_too_often,
    ),
    _rule(
        id="heat_with_swelling",
        level=Level.SELF_CARE,
        title="Heat on a swollen area",
        trigger=(
            "A heat session on a local day when the patient logged swelling at the same site "
            "and side."
        ),
        source=P_HEAT_SWELLING,
        check=_heat_with_swelling,
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

DECISIONS: tuple[Decision, ...] = (
    Decision(
        "SILENT_GAP_DAYS",
        f"{SILENT_GAP_DAYS} local days",
        "Silence is not recovery: with nothing logged at a site since its last symptom, the "
        "episode stays open (and may escalate) this long, and a symptom within it continues "
        "the same episode, so weekly, fortnightly or monthly entries of the same pain add up "
        f"to one episode whose length runs from its first to its latest painful day. Soft "
        f"tissue injuries 'could take a few months to fully recover', so a silent month is "
        f"no sign of recovery; trouble that returns 'every few months' is a new bout, so a "
        f"silence of months ends the episode. Half of the {CHRONIC_PAIN_DAYS} days of 'a few "
        f"months': monthly logging keeps its episode, and lasting pain is never inferred from "
        f"two reports with one long silence between them.",
        P_MONTHS_TO_RECOVER,
    ),
    Decision(
        "gone",
        "ends the episode",
        "The patient's 'Gone' (the follow-up's one-tap answer, or the log form's 'it has "
        "gone') ends the episode at once; when a symptom was logged at the site earlier the "
        "same day, at the end of that day (a red flag logged today always counts today). A "
        "plain 0 does not: pain that comes and goes is logged as 0 when it is quiet, and is "
        "not 'gone' (see QUIET_DAYS).",
        P_NOT_GOING_AWAY,
    ),
    Decision(
        "QUIET_DAYS",
        f"{QUIET_DAYS} consecutive local days",
        f"A plain 0 ends an episode only when every entry at the site on {QUIET_DAYS} "
        "consecutive local days is symptom-free, at the end of the second day; until then "
        "the rules read the episode as on its last symptomatic day, so the advice does not "
        "change with the hour a patient happens to log. Each symptom within an open "
        f"episode is read as gone the same way: absent on {QUIET_DAYS} consecutive logged "
        "days (or superseded by a later day with pain, a full reading). The seed judges "
        "pain over days ('doesnt go away after two to three days'), "
        "not by its last reading; two whole days is the lower end, as for "
        "PERSISTENT_PAIN_DAYS, and longer than pain that returns every evening or after "
        "every walk can stay quiet. Patients who log less often end an episode with 'Gone' "
        "(the follow-up question offers it) or by SILENT_GAP_DAYS.",
        P_NOT_GOING_AWAY,
    ),
    Decision(
        "RECOVERY_GAP_DAYS",
        f"{RECOVERY_GAP_DAYS} local days",
        "Once an episode has ended ('Gone', or QUIET_DAYS quiet days), a symptom within this "
        "many days of its last one continues the episode (a good spell is not a cure); after "
        "that it starts a new one. Ended episodes never escalate, so an old red flag does "
        "not escalate today.",
        P_MINOR_INJURY,
    ),
    Decision(
        "SEVERE_PAIN_MIN",
        f"{SEVERE_PAIN_MIN}/10",
        "'Severe' is not numbered in the seeds; 7-10 is the usual severe band of a 0-10 scale.",
        P_FEW_DAYS,
    ),
    Decision(
        "PERSISTENT_PAIN_DAYS",
        f"{PERSISTENT_PAIN_DAYS} local days",
        "The lower end of 'two to three days': pain on the first day and still there two "
        "local days later (the third calendar day).",
        P_NOT_GOING_AWAY,
    ),
    Decision(
        "IMPROVEMENT_MIN_DROP",
        f"{IMPROVEMENT_MIN_DROP} points",
        "Pain that has dropped this much below the worst of the last "
        "IMPROVEMENT_WINDOW_DAYS counts as improving, so a patient who is getting better is "
        "not told to see a doctor for pain that has 'not gone away' (one point is noise on a "
        "self-reported score).",
        P_NO_IMPROVEMENT,
    ),
    Decision(
        "IMPROVEMENT_WINDOW_DAYS",
        f"{IMPROVEMENT_WINDOW_DAYS} local days",
        "'The first few days': improvement is judged against the previous 4 local days (or, "
        "if none was logged, the last logged day). Half a point a day (7, 7, 6, 6, 5, 5, 4, 4) "
        "is improvement; a drop followed by a plateau (7, 6, 5, 5, 5, 5) is not.",
        P_NO_IMPROVEMENT,
    ),
    Decision(
        "WORSENING_MIN_RISE",
        f"{WORSENING_MIN_RISE} points",
        "Pain this much above the mildest day of the last WORSENING_WINDOW_DAYS counts as "
        "getting worse.",
        P_LONG_TERM,
    ),
    Decision(
        "WORSENING_WINDOW_DAYS",
        f"{WORSENING_WINDOW_DAYS} local days",
        "'Over days': a rise is looked for within the previous week. Neither trend window is "
        "longer than RECOVERY_GAP_DAYS, so joining two episodes can never hide a trend.",
        P_LONG_TERM,
    ),
    Decision(
        "CHRONIC_PAIN_DAYS",
        f"more than {CHRONIC_PAIN_DAYS} local days",
        "'A few months' of pain within one episode.",
        P_LONG_TERM,
    ),
    Decision(
        "SUDDEN_ONSET_DAYS",
        f"{SUDDEN_ONSET_DAYS} local days",
        "A sudden-onset entry counts on its day and the next; from the third day "
        "persistent_pain takes over if the pain is not improving. Days are counted to the "
        "last painful day (pain-free days do not age it: the hand-over needs pain).",
        P_SUDDEN,
    ),
    Decision(
        "ACHILLES_POP_DAYS",
        f"{ACHILLES_POP_DAYS} local days",
        "How long a pop keeps the 24-hour referral, for 'within days of the injury', "
        "counted to the last painful day (as SUDDEN_ONSET_DAYS).",
        P_ACHILLES_REPAIR,
    ),
    Decision(
        "ACHILLES_SITES",
        ", ".join(sorted(ACHILLES_SITES)),
        "Site codes where a pop suggests the Achilles tendon: the seed places the signs at "
        "the back of the ankle or the calf.",
        P_ACHILLES_SIGNS,
    ),
    Decision(
        "FEVER_TEMPERATURE_C",
        f"{FEVER_TEMPERATURE_C} °C",
        "The seeds say 'fever' without a number; 38.0 °C is the usual clinical cut-off. The "
        "patient's own fever flag also counts.",
        P_INFECTION,
    ),
    Decision(
        "SEVERE_SWELLING",
        f"'{SEVERE_SWELLING}'",
        "Only the top grade of none/mild/moderate/severe is 'a lot of swelling', at once. "
        "Swelling of any grade that stays is persistent_swelling's (seed 003), so a "
        "receding sprain does not alarm and a swelling that is not going down does.",
        P_FEW_DAYS,
    ),
    Decision(
        "PERSISTENT_SWELLING_MIN",
        f"'{PERSISTENT_SWELLING_MIN}'",
        "Any grade of swelling counts toward 'your foot is swollen': mild swelling that "
        "neither goes nor shrinks is still a swollen foot.",
        P_SWOLLEN,
    ),
    Decision(
        "PERSISTENT_SWELLING_DAYS",
        f"{PERSISTENT_SWELLING_DAYS} local days",
        "'For a few days' = three: the first swollen day of the window at least three local "
        "days before the last one (four calendar days), on more than half of the days "
        "logged in between (silence is not evidence either way). Seed 001 expects the "
        "swelling of a minor injury to 'disappear' 'in a few days'.",
        P_MINOR_INJURY,
    ),
    Decision(
        "SWELLING_WINDOW_DAYS",
        f"{SWELLING_WINDOW_DAYS} local days",
        "'Not going down': no day of the last swollen day's previous "
        f"{SWELLING_WINDOW_DAYS} local days (the pain improvement window, so both read 'the "
        "first few days' alike) was graded worse than it. A one-grade fall is a real drop on "
        "a four-grade scale, so a sprain whose swelling goes down (moderate, moderate, mild, "
        "mild, none) never escalates, while one that plateaus after a fall does once the "
        "worse days have left the window, as pain that plateaus does.",
        P_SWOLLEN,
    ),
    Decision(
        "ICE_HEAT_MIN_GAP",
        f"{ICE_HEAT_MIN_GAP.total_seconds() / 3600:g} hours",
        "'A few hours' between sessions, measured from the end of one to the start of the "
        "next on the same site and side.",
        P_ICE_GAP,
    ),
    Decision(
        "TREATMENT_ADVICE_DAYS",
        f"{TREATMENT_ADVICE_DAYS} local days",
        "Ice/heat advice looks at the sessions of the last week (today included).",
        None,
    ),
    Decision(
        "diabetes",
        "at least consult",
        "The seeds say only that diabetes can damage the nerves of the foot. We read that as: "
        "pain is a weaker warning in diabetes, so any current foot symptom is 'consult' "
        "without waiting for persistence, numbness messages mention diabetes, and diabetes "
        "counts as a sensation problem for ice and heat. Not a seed threshold: a product "
        "safety decision.",
        P_DIABETES,
    ),
)


def all_sources() -> tuple[Source, ...]:
    """Every seed passage this module cites, for the check that each really is in its file."""
    return tuple(dict.fromkeys(v for v in globals().values() if isinstance(v, Source)))

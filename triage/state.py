"""Incremental assessment: an assessment kept in parts, so a write re-reads one place.

Every rule but the patient-wide ones (``Rule.patient_wide``) reads one site and side: its
episodes, its sessions, its swollen days. So an assessment splits into one part per place
(site, side) plus one patient-wide part ("*"), and ``engine.combine`` of the parts is the
assessment of the whole journal. Each part keeps ``scan_from``: the instant from which its
place's entries and sessions must be read to assess it again exactly (see ``scan_from``).

Pure: no Django, no clock.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from triage import domain, engine, episodes, rules
from triage.domain import Entry, Level, PatientFacts, Profile
from triage.engine import Assessment, OpenEpisode, assess
from triage.episodes import SILENT_GAP_DAYS, local_date, split_episodes
from triage.rules import RULES, TREATMENT_ADVICE_DAYS, Finding, Source

Place = tuple[str, str]
WIDE = "*"  # the patient-wide part's key

PLACE_RULES = tuple(rule for rule in RULES if not rule.patient_wide)
WIDE_RULES = tuple(rule for rule in RULES if rule.patient_wide)


def _source_hash() -> str:
    # A change to any module the stored parts were computed by invalidates them all.
    text = "".join(
        inspect.getsource(module) for module in (domain, episodes, rules, engine)
    ) + inspect.getsource(inspect.getmodule(_source_hash))  # type: ignore[arg-type]
    return hashlib.sha256(text.encode()).hexdigest()[:16]


STATE_VERSION = _source_hash()


@dataclass(frozen=True, slots=True)
class Part:
    """One place's share of an assessment (or the patient-wide share, ``place`` None)."""

    place: Place | None
    assessment: Assessment
    scan_from: datetime  # read this place's rows from here to assess it again
    cut: datetime  # the journal's cut (facts._since) when it was read
    # When time alone can change this part, including what ``next_change_at`` leaves out
    # (a running session's minutes in a finding's reason): the part is redone from then.
    due_at: datetime | None
    # Whether the place had sessions from where they were read: a place with none then, and
    # none written there since (Touched.sessions), has none, so a write there need not ask.
    has_sessions: bool
    # The part as it was loaded (state_load): a part kept by a write is stored again as it
    # was, instead of turning its citations (hundreds of ids) to strings again.
    raw: Mapping | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class State:
    version: str
    profile: str  # fingerprint of the profile the parts were assessed with
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Touched:
    """What a write changed: per place, the earliest instant of an entry written, moved or
    removed there; and the places whose sessions changed."""

    entries: Mapping[Place, datetime] = field(default_factory=dict)
    sessions: frozenset[Place] = frozenset()


@dataclass(frozen=True, slots=True)
class Plan:
    """Which places to read again and from when; ``wide``: the patient-wide part too."""

    places: dict[Place, datetime]
    wide: bool
    keep: tuple[Part, ...]  # the stored parts still good
    sessions: frozenset[Place]  # the places among ``places`` whose sessions must be read too


def profile_fingerprint(profile: Profile) -> str:
    return json.dumps(
        [
            profile.timezone.key,
            profile.has_diabetes,
            profile.has_circulation_problems,
            profile.has_reduced_sensation,
            profile.date_of_birth.isoformat() if profile.date_of_birth else None,
        ]
    )


def _day_start(day: date, profile: Profile) -> datetime:
    return datetime.combine(day, time.min, tzinfo=profile.timezone).astimezone(UTC)


def window_start(profile: Profile, now: datetime) -> datetime:
    """Sessions count for TREATMENT_ADVICE_DAYS local days and a heat session reads its
    day's swelling; one day more for zones whose dates step back at a clock change."""
    today = local_date(now, profile.timezone)
    return _day_start(today - timedelta(days=TREATMENT_ADVICE_DAYS + 1), profile)


def scan_from(entries: Iterable[Entry], profile: Profile, now: datetime) -> datetime:
    """Where a place's journal must be read from to assess it again, at ``now`` or later and
    after any write at or after the instant returned.

    Episodes split the same from any of their first entries (an earlier episode closed
    before that entry stays closed for any later one). An episode whose last symptomatic
    day is more than SILENT_GAP_DAYS before the window's first day lies wholly before the
    window (no entry joins an episode later than that), so no entry at or after the window
    can join it, and it can never be active again: it can be left unread. The earliest
    other episode is where reading starts; the session window at the latest.
    """
    start = window_start(profile, now)
    first_day = local_date(start, profile.timezone)
    for ep in split_episodes(entries, profile.timezone):
        if ep.state_day + timedelta(days=SILENT_GAP_DAYS) >= first_day:
            first = min(e.recorded_at.astimezone(UTC) for e in ep.entries)
            start = min(start, first)
    return start


def place_facts(facts: PatientFacts, place: Place) -> PatientFacts:
    return PatientFacts(
        profile=facts.profile,
        now=facts.now,
        entries=tuple(e for e in facts.entries if (e.site, e.side) == place),
        treatments=tuple(t for t in facts.treatments if (t.site, t.side) == place),
    )


def places_of(facts: PatientFacts) -> set[Place]:
    return {(e.site, e.side) for e in facts.entries} | {(t.site, t.side) for t in facts.treatments}


def _due_at(facts: PatientFacts, assessment: Assessment) -> datetime | None:
    cited = {i for f in assessment.findings for i in f.entries}
    if any(t.minutes is None and t.id in cited for t in facts.treatments):
        return facts.now  # a running session's minutes so far are in the reason
    return assessment.next_change_at


def part_assess(facts: PatientFacts, place: Place | None, cut: datetime) -> Part:
    """Assess one place of ``facts`` (already only that place's rows), or with ``place``
    None the patient-wide rules over every session."""
    if place is None:
        wide = PatientFacts(facts.profile, facts.now, (), facts.treatments)
        assessment = assess(wide, WIDE_RULES)
        start = window_start(facts.profile, facts.now)
        due = _due_at(wide, assessment)
        return Part(None, assessment, start, cut, due, bool(facts.treatments))
    assessment = assess(facts, PLACE_RULES)
    start = scan_from(facts.entries, facts.profile, facts.now)
    return Part(place, assessment, start, cut, _due_at(facts, assessment), bool(facts.treatments))


def parts_assess(facts: PatientFacts, cut: datetime) -> tuple[Part, ...]:
    """Every part of a whole journal's facts."""
    parts = [part_assess(place_facts(facts, p), p, cut) for p in sorted(places_of(facts))]
    return (*parts, part_assess(facts, None, cut))


def parts_redo(todo: Plan, facts: PatientFacts, cut: datetime) -> tuple[Part, ...]:
    """The parts ``todo`` keeps and the ones it asks for, assessed again from ``facts`` (at
    least the rows the plan reads; rows before a place's instant are left out)."""
    redone = []
    for place, since in sorted(todo.places.items()):
        read = PatientFacts(
            facts.profile,
            facts.now,
            tuple(e for e in facts.entries if (e.site, e.side) == place and e.recorded_at >= since),
            tuple(
                t
                for t in facts.treatments
                if (t.site, t.side) == place and t.started_at >= since and place in todo.sessions
            ),
        )
        if read.entries or read.treatments:  # a place with nothing left has no part
            redone.append(part_assess(read, place, cut))
    if todo.wide:
        start = window_start(facts.profile, facts.now)
        recent = tuple(t for t in facts.treatments if t.started_at >= start)
        redone.append(part_assess(PatientFacts(facts.profile, facts.now, (), recent), None, cut))
    return (*todo.keep, *redone)


def plan(
    state: State | None, touched: Touched | None, profile: Profile, now: datetime, cut: datetime
) -> Plan | None:
    """What to read again at ``now`` (with the journal cut at ``cut``); None: everything."""
    if (
        state is None
        or touched is None
        or state.version != STATE_VERSION
        or state.profile != profile_fingerprint(profile)
    ):
        return None
    places: dict[Place, datetime] = {}
    sessions: set[Place] = set(touched.sessions)
    keep: list[Part] = []
    wide = bool(touched.sessions)
    stored = {part.place: part for part in state.parts}
    for place, part in stored.items():
        if place is None:
            if part.due_at is not None and part.due_at <= now:
                wide = True
            elif not wide:
                keep.append(part)
            continue
        earliest = touched.entries.get(place)
        if cut < part.cut or cut > part.scan_from or (earliest and earliest < part.scan_from):
            # Cut moved back (an older alert's episode), or past the place's first needed
            # entry, or a write before it: read the place as a whole read would.
            places[place] = cut
            sessions.add(place)
        elif earliest or place in touched.sessions or (part.due_at and part.due_at <= now):
            places[place] = part.scan_from
            if part.has_sessions:
                sessions.add(place)
        else:
            keep.append(part)
    for place in [*touched.entries, *touched.sessions]:
        if place not in stored:
            places[place] = cut
            sessions.add(place)
    if wide:
        keep = [part for part in keep if part.place is not None]
    return Plan(
        places=places,
        wide=wide or None not in stored,
        keep=tuple(keep),
        sessions=frozenset(sessions),
    )


# --- JSON ------------------------------------------------------------------------------------


def _finding_dump(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "level": int(f.level),
        "message": f.message,
        "reason": f.reason,
        "source": [f.source.file, f.source.passage],
        "entries": [str(i) for i in f.entries],
        "site": f.site,
        "side": f.side,
        "episode_start": f.episode_start.isoformat() if f.episode_start else None,
    }


def _finding_load(d: dict, ids: dict[str, UUID]) -> Finding:
    return Finding(
        rule=d["rule"],
        level=Level(d["level"]),
        message=d["message"],
        reason=d["reason"],
        source=Source(*d["source"]),
        # Findings of one episode cite mostly the same entries: each id is parsed once.
        entries=tuple(ids.get(i) or ids.setdefault(i, UUID(i)) for i in d["entries"]),
        site=d["site"],
        side=d["side"],
        episode_start=date.fromisoformat(d["episode_start"]) if d["episode_start"] else None,
    )


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def state_dump(state: State) -> dict:
    return {
        "version": state.version,
        "profile": state.profile,
        "parts": [part.raw if part.raw is not None else _part_dump(part) for part in state.parts],
    }


def _part_dump(part: Part) -> dict:
    return {
        "place": list(part.place) if part.place else WIDE,
        "findings": [_finding_dump(f) for f in part.assessment.findings],
        "episodes": [
            [ep.site, ep.side, ep.start.isoformat(), ep.latest_day.isoformat()]
            for ep in part.assessment.open_episodes
        ],
        "assessed_at": _instant(part.assessment.assessed_at),
        "next_change_at": _instant(part.assessment.next_change_at),
        "scan_from": _instant(part.scan_from),
        "cut": _instant(part.cut),
        "due_at": _instant(part.due_at),
        "has_sessions": part.has_sessions,
    }


def state_load(data: Mapping | None) -> State | None:
    if not data or data.get("version") != STATE_VERSION:
        return None
    parts = []
    ids: dict[str, UUID] = {}
    for d in data["parts"]:
        findings = tuple(_finding_load(f, ids) for f in d["findings"])
        assessment = Assessment(
            level=max((f.level for f in findings), default=Level.SELF_CARE),
            findings=findings,
            assessed_at=_from_instant(d["assessed_at"]),  # type: ignore[arg-type]
            open_episodes=tuple(
                OpenEpisode(site, side, date.fromisoformat(a), date.fromisoformat(b))
                for site, side, a, b in d["episodes"]
            ),
            next_change_at=_from_instant(d["next_change_at"]),
        )
        place = None if d["place"] == WIDE else (d["place"][0], d["place"][1])
        parts.append(
            Part(
                place,
                assessment,
                _from_instant(d["scan_from"]),  # type: ignore[arg-type]
                _from_instant(d["cut"]),  # type: ignore[arg-type]
                _from_instant(d["due_at"]),
                d["has_sessions"],
                raw=d,
            )
        )
    return State(data["version"], data["profile"], tuple(parts))

"""Run every rule over a patient's facts and combine the findings into one assessment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from triage.domain import Level, PatientFacts
from triage.episodes import entry_sort_key, treatment_sort_key
from triage.rules import RULES, Finding, Rule, next_change_at, open_episodes

DISCLAIMER = (
    "This is not a diagnosis. It is a guide to how soon to see a doctor, based only on what "
    "you have logged. If you are worried, or your symptoms change, contact a doctor. In an "
    "emergency, call your local emergency number."
)

_RULE_ORDER = {rule.id: index for index, rule in enumerate(RULES)}


@dataclass(frozen=True, slots=True)
class OpenEpisode:
    """An episode still open at the assessment's ``now``: what follow-up questions are about."""

    site: str
    side: str
    start: date  # local day of its first entry
    latest_day: date  # local day of its latest entry: the last time the site was logged


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level  # the highest finding level, SELF_CARE when there is none
    findings: tuple[Finding, ...]  # most urgent first, then in registry order
    assessed_at: datetime  # the ``now`` the facts were assessed at
    open_episodes: tuple[OpenEpisode, ...] = ()  # sorted by (site, side, start)
    # The first instant at which time alone could change this assessment (None: never).
    next_change_at: datetime | None = None


def _finding_key(f: Finding) -> tuple[int, int, str, str, date, tuple[int, ...]]:
    return (
        -f.level,
        _RULE_ORDER[f.rule],
        f.site or "",
        f.side or "",
        f.episode_start or date.min,
        tuple(i.int for i in f.entries),
    )


def assess(facts: PatientFacts, rules: Sequence[Rule] = RULES) -> Assessment:
    """Assess ``facts`` as of ``facts.now``.

    Deterministic: the same facts give the same assessment whatever order the entries and
    treatments come in. Rules are not guarded against exceptions on purpose: a rule that
    fails silently could hide a red flag, so a failure must surface.
    """
    if facts.now.tzinfo is None or facts.now.utcoffset() is None:
        raise ValueError("PatientFacts.now must be an aware datetime")
    # Sort once up front so every rule sees one canonical order.
    canonical = PatientFacts(
        profile=facts.profile,
        now=facts.now,
        entries=tuple(sorted(facts.entries, key=entry_sort_key)),
        treatments=tuple(sorted(facts.treatments, key=treatment_sort_key)),
    )
    findings = sorted(
        (finding for rule in rules for finding in rule.evaluate(canonical)), key=_finding_key
    )
    level = max((f.level for f in findings), default=Level.SELF_CARE)
    episodes = tuple(
        OpenEpisode(site=ep.site, side=ep.side, start=ep.start, latest_day=ep.latest_day)
        for ep in open_episodes(canonical)
    )
    return Assessment(
        level=Level(level),
        findings=tuple(findings),
        assessed_at=facts.now,
        open_episodes=episodes,
        next_change_at=next_change_at(canonical, findings),
    )


def combine(parts: Iterable[Assessment], now: datetime) -> Assessment:
    """Merge assessments of disjoint parts of one journal (triage.state) into the one
    ``assess`` gives for the whole: the same finding order, the highest level, the episodes
    in (site, side, start) order and the earliest next change."""
    parts = list(parts)
    findings = sorted((f for part in parts for f in part.findings), key=_finding_key)
    level = max((f.level for f in findings), default=Level.SELF_CARE)
    episodes = sorted(
        (ep for part in parts for ep in part.open_episodes),
        key=lambda ep: (ep.site, ep.side, ep.start),
    )
    changes = [part.next_change_at for part in parts if part.next_change_at is not None]
    return Assessment(
        level=Level(level),
        findings=tuple(findings),
        assessed_at=now,
        open_episodes=tuple(episodes),
        next_change_at=min(changes, default=None),
    )

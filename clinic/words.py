"""Words, not codes, for everything a person reads in the workspace and its exports."""

from __future__ import annotations

from journal.sites import Side, Site
from triage.domain import Level
from triage.models import LEVEL_LABELS
from triage.rules import RULES_BY_ID


def site_words(site: str | None, side: str | None = None) -> str:
    """ "Right outer ankle", "Left back of ankle and heel (Achilles)"; "" for none."""
    if not site:
        return ""
    label = str(Site(site).label) if site in Site.values else site
    if side and side in Side.values:
        return f"{Side(side).label} {label[0].lower()}{label[1:]}"
    return label


def level_words(level: str | Level | None) -> str:
    if level is None or level == "":
        return ""
    level = level if isinstance(level, Level) else Level.from_code(level)
    return LEVEL_LABELS[level]


def rule_words(rule: str) -> str:
    found = RULES_BY_ID.get(rule)
    return found.title if found else rule.replace("_", " ").capitalize()


TREND_WORDS = {
    "worse": "Worse",
    "better": "Better",
    "same": "About the same",
    None: "Not enough entries",
}

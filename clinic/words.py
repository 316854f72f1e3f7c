"""Words, not codes, for everything a person reads in the workspace and its exports."""

from __future__ import annotations

from journal.site_words import site_phrase
from journal.sites import Side, Site
from triage.domain import Level
from triage.models import LEVEL_LABELS
from triage.rules import RULES_BY_ID


def site_words(site: str | None, side: str | None = None) -> str:
    """ "Right outer ankle", "Bottom of the left heel"; "" for none.

    With a side, the same phrase the patient's messages use (journal.site_words), so a
    clinician and a patient read one name for one place; a label with the side glued in
    front would read "Right bottom of heel"."""
    if not site:
        return ""
    if side and side in Side.values:
        phrase = site_phrase(site, side, whose="the").removeprefix("the ")
        return phrase[0].upper() + phrase[1:]
    return str(Site(site).label) if site in Site.values else site


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

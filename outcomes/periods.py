"""Which questionnaire is due, as pure functions of the patient's local day and episodes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# A PGIC is offered for an episode that ended at most this long ago: later, "since this spell
# of pain began" is too far back to recall well (product decision).
PGIC_OFFER_DAYS = 28

# The daily reminder asks for the weekly questionnaire instead on this local weekday (ISO:
# 7 = Sunday), if the week's PEG is still unanswered: the last day of the Monday-Sunday week
# it answers for, when "the past week" is the week the patient just lived (product decision).
WEEKLY_PROMPT_ISOWEEKDAY = 7


@dataclass(frozen=True, slots=True)
class Due:
    instrument: str
    period: str
    site: str = ""
    side: str = ""
    episode_start: date | None = None
    episode_end: date | None = None


def week_period(day: date) -> str:
    """The ISO week of a local day, e.g. "2026-W49": Monday to Sunday in the patient's zone."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_prompt_day(day: date) -> bool:
    return day.isoweekday() == WEEKLY_PROMPT_ISOWEEKDAY


def episode_period(site: str, side: str, start: date) -> str:
    return f"{site}:{side}:{start.isoformat()}"


@dataclass(frozen=True, slots=True)
class EndedEpisode:
    site: str
    side: str
    start: date
    end: date  # the last local day of the episode


def due(
    *,
    today: date,
    answered: set[tuple[str, str]],
    ended: list[EndedEpisode],
    weekly: list[str],
    at_episode_end: list[str],
) -> list[Due]:
    """What to ask today: each weekly instrument once per local ISO week, and each end-of-
    episode instrument once per episode that ended within PGIC_OFFER_DAYS."""
    found = [
        Due(code, week_period(today))
        for code in weekly
        if (code, week_period(today)) not in answered
    ]
    for episode in sorted(ended, key=lambda e: (e.end, e.site, e.side)):
        if today - episode.end > timedelta(days=PGIC_OFFER_DAYS):
            continue
        period = episode_period(episode.site, episode.side, episode.start)
        found.extend(
            Due(code, period, episode.site, episode.side, episode.start, episode.end)
            for code in at_episode_end
            if (code, period) not in answered
        )
    return found

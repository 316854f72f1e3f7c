"""The 7-day trend on the patients list: pure, from each local day's worst severity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TREND_DAYS = 7
# The fitted line must move at least this many points over the week to count as a change:
# a one-point wobble between days is noise in a 0-10 self-report.
TREND_MIN_CHANGE = 1.5
TREND_MIN_DAYS = 3


def daily_worst(
    entries: Iterable[tuple[datetime, int]], *, tz: ZoneInfo, today: date
) -> dict[date, int]:
    first = today - timedelta(days=TREND_DAYS - 1)
    worst: dict[date, int] = {}
    for recorded_at, severity in entries:
        day = recorded_at.astimezone(tz).date()
        if first <= day <= today:
            worst[day] = max(severity, worst.get(day, 0))
    return worst


def trend(worst: dict[date, int]) -> str | None:
    """ "worse", "better" or "same" from the least-squares slope of daily worst severity over
    the days that have entries; None with fewer than TREND_MIN_DAYS such days."""
    if len(worst) < TREND_MIN_DAYS:
        return None
    origin = min(worst)
    xs = [(day - origin).days for day in worst]
    ys = list(worst.values())
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    change = slope * (TREND_DAYS - 1)
    if change >= TREND_MIN_CHANGE:
        return "worse"
    if change <= -TREND_MIN_CHANGE:
        return "better"
    return "same"

"""When is a patient's next daily reminder? Pure functions; DST traps handled here only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


def local_wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``tz``, as an aware UTC instant.

    On the night clocks go back an hour repeats: the first occurrence is used (fold=0), so a
    20:00 reminder never fires twice. On the night they go forward an hour is missing: a
    time inside the gap moves forward by the gap (02:30 becomes 03:30), as a wall clock would.
    """
    naive = datetime.combine(day, at)
    candidate = naive.replace(tzinfo=tz, fold=0)
    round_trip = candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:  # inside a spring-forward gap
        gap = candidate.replace(fold=1).utcoffset() - candidate.replace(fold=0).utcoffset()  # type: ignore[operator]
        candidate = (naive + abs(gap)).replace(tzinfo=tz)
    return candidate.astimezone(UTC)


def next_reminder_at(*, tz: ZoneInfo, at: time, after: datetime) -> datetime:
    """The first reminder instant strictly after ``after``."""
    today = after.astimezone(tz).date()
    for offset in range(3):
        moment = local_wall_time(today + timedelta(days=offset), at, tz)
        if moment > after:
            return moment
    raise AssertionError("unreachable: a wall time recurs within three days")

"""Reminder times across daylight-saving changes: pure, no database."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from notify.schedule import local_wall_time, next_reminder_at

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        (LONDON, date(2026, 3, 28), datetime(2026, 3, 28, 20, 0, tzinfo=UTC)),  # GMT
        (LONDON, date(2026, 3, 29), datetime(2026, 3, 29, 19, 0, tzinfo=UTC)),  # BST starts
        (LONDON, date(2026, 10, 25), datetime(2026, 10, 25, 20, 0, tzinfo=UTC)),  # BST ends
        (NEW_YORK, date(2026, 3, 8), datetime(2026, 3, 9, 0, 0, tzinfo=UTC)),  # EDT starts
        (NEW_YORK, date(2026, 11, 1), datetime(2026, 11, 2, 1, 0, tzinfo=UTC)),  # EDT ends
    ],
)
def test_twenty_hundred_local_on_dst_days(tz, day, expected_utc):
    assert local_wall_time(day, time(20, 0), tz) == expected_utc


def test_time_in_the_spring_gap_moves_forward():
    # 02:30 does not exist in New York on 2026-03-08; the wall clock reads 03:30 an hour later.
    assert local_wall_time(date(2026, 3, 8), time(2, 30), NEW_YORK) == datetime(
        2026, 3, 8, 7, 30, tzinfo=UTC
    )


def test_repeated_hour_in_autumn_fires_once_at_the_first():
    first = local_wall_time(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert next_reminder_at(tz=NEW_YORK, at=time(1, 30), after=first) == datetime(
        2026, 11, 2, 6, 30, tzinfo=UTC
    )


def test_next_is_strictly_after():
    at = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)  # 20:00 BST
    assert next_reminder_at(tz=LONDON, at=time(20), after=at) == datetime(
        2026, 6, 2, 19, 0, tzinfo=UTC
    )
    assert next_reminder_at(tz=LONDON, at=time(20), after=at.replace(minute=0, hour=18)) == at

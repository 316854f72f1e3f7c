from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.trend import daily_worst, trend

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 20)


def _worst(values):
    return {
        TODAY - timedelta(days=len(values) - 1 - i): v
        for i, v in enumerate(values)
        if v is not None
    }


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([2, 3, 4, 5, 6, 7, 8], "worse"),
        ([8, 7, 6, 5, 4, 3, 2], "better"),
        ([4, 5, 4, 5, 4, 5, 4], "same"),
        ([3, None, None, None, None, None, 5], None),  # two days is not a trend
        ([3, None, 4, None, 6, None, None], "worse"),
    ],
)
def test_trend_from_daily_worst(values, expected):
    assert trend(_worst(values)) == expected


def test_daily_worst_uses_the_patients_local_day_and_the_last_seven_days():
    late = datetime(2026, 11, 19, 23, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 in London in winter
    entries = [
        (late, 4),
        (late - timedelta(hours=1), 7),
        (datetime(2026, 11, 12, 12, tzinfo=LONDON), 9),  # eight days ago: outside
    ]
    assert daily_worst(entries, tz=LONDON, today=TODAY) == {date(2026, 11, 19): 7}

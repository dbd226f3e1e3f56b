"""Reading AMAZON.DATE and AMAZON.DURATION values, and moving treatment dates into the past."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from laser_recovery.dates import Vague, days_ago, read_date, treatment_date

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-03", date(2026, 10, 3)),
        ("PRESENT_REF", TODAY),
        ("XXXX-10-03", date(2026, 10, 3)),
        ("2026-W47", Vague.WEEK),
        ("2026-W47-WE", Vague.WEEKEND),
        ("2026-11", Vague.MONTH),
        ("XXXX-11", Vague.MONTH),
        ("2026-SP", Vague.SEASON),
        ("2026-WI", Vague.SEASON),
        ("2026", Vague.YEAR),
        ("201X", Vague.DECADE),
        ("2026-02-30", Vague.UNKNOWN),
        ("", Vague.UNKNOWN),
        ("next tuesday", Vague.UNKNOWN),
        ("<script>", Vague.UNKNOWN),
    ],
)
def test_read_date(value, expected):
    assert read_date(value, TODAY) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-11-10", date(2026, 11, 10)),  # "November tenth", yearless
        ("2026-11-24", TODAY),
        ("2026-11-25", date(2026, 11, 18)),  # "Wednesday": last week's
        ("2026-11-30", date(2026, 11, 23)),  # "Monday", said on a Tuesday
        ("2026-12-01", date(2025, 12, 1)),  # a week or more ahead: a year
        ("2026-11-23", date(2026, 11, 23)),
        ("2028-02-29", date(2027, 2, 28)),
        ("2026-W47", Vague.WEEK),
    ],
)
def test_treatment_dates_are_in_the_past(value, expected):
    assert treatment_date(value, TODAY) == expected


NOW = datetime(2026, 11, 24, 0, 30, tzinfo=ZoneInfo("Pacific/Auckland"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P2W", date(2026, 11, 10)),
        ("P3D", date(2026, 11, 21)),
        ("P1M", date(2026, 10, 24)),
        ("P1Y", date(2025, 11, 24)),
        ("PT1H", date(2026, 11, 23)),  # an hour before 00:30 local is yesterday
        ("P1W2D", date(2026, 11, 15)),
        ("P?W", None),
        ("P99999Y", None),
        ("P", None),
        ("two weeks", None),
    ],
)
def test_days_ago(value, expected):
    assert days_ago(value, NOW) == expected

"""Reading AMAZON.DATE and AMAZON.DURATION values, and moving treatment dates into the past."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from laser_recovery.dates import (
    LocalDay,
    Move,
    TreatmentDay,
    Unclear,
    days_ago,
    read_date,
    treatment_date,
    within,
)

TODAY = date(2026, 11, 24)
KNOWN = LocalDay(TODAY, TODAY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-03", date(2026, 10, 3)),
        ("PRESENT_REF", TODAY),
        ("XXXX-10-03", date(2026, 10, 3)),
        ("2026-W47", Unclear.WEEK),
        ("2026-W47-WE", Unclear.WEEKEND),
        ("2026-11", Unclear.MONTH),
        ("XXXX-11", Unclear.MONTH),
        ("2026-SP", Unclear.SEASON),
        ("2026-WI", Unclear.SEASON),
        ("2026", Unclear.YEAR),
        ("201X", Unclear.DECADE),
        ("2026-02-30", Unclear.UNKNOWN),
        ("", Unclear.UNKNOWN),
        ("next tuesday", Unclear.UNKNOWN),
        ("<script>", Unclear.UNKNOWN),
    ],
)
def test_read_date(value, expected):
    assert read_date(value, TODAY) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24", TreatmentDay(TODAY)),
        ("2026-11-23", TreatmentDay(date(2026, 11, 23))),
        ("2026-11-25", TreatmentDay(date(2026, 11, 18), Move.WEEK)),  # "Wednesday": last week's
        ("2026-11-30", TreatmentDay(date(2026, 11, 23), Move.WEEK)),  # "Monday", said on a Tuesday
        ("2026-12-01", TreatmentDay(date(2026, 11, 24), Move.WEEK)),  # a week ahead: a weekday said on its day
        ("2026-12-02", TreatmentDay(date(2025, 12, 2), Move.YEAR)),  # more than a week ahead: a year
        ("2027-11-10", TreatmentDay(date(2026, 11, 10), Move.YEAR)),  # "November tenth", yearless
        ("2027-11-24", TreatmentDay(TODAY, Move.YEAR)),  # exactly a year ahead: today
        ("2027-11-25", Unclear.AHEAD),  # more than a year ahead: no treatment had yet
        ("2030-01-01", Unclear.AHEAD),
        ("2028-02-29", TreatmentDay(date(2024, 2, 29), Move.YEAR)),  # "February 29th": the last one
        ("2032-02-29", Unclear.AHEAD),
        ("2026-W47", Unclear.WEEK),
    ],
)
def test_treatment_dates_are_in_the_past_and_say_when_they_were_moved(value, expected):
    assert treatment_date(value, KNOWN) == expected


def test_a_leap_day_ahead_moves_to_the_last_leap_day_never_to_february_28th():
    today = LocalDay(date(2027, 3, 10), date(2027, 3, 10))
    assert treatment_date("2028-02-29", today) == TreatmentDay(date(2024, 2, 29), Move.YEAR)
    assert treatment_date("2024-02-29", today) == TreatmentDay(date(2024, 2, 29))


@pytest.mark.parametrize(
    ("today", "value", "expected"),
    [
        (KNOWN, "2104-02-29", Unclear.AHEAD),  # 2100 is no leap year: the last leap day before is in 2096
        (LocalDay(date(2100, 3, 1), date(2100, 3, 1)), "2104-02-29", TreatmentDay(date(2096, 2, 29), Move.YEAR)),
        (KNOWN, "2204-02-29", Unclear.AHEAD),
    ],
)
def test_a_leap_day_eight_years_after_the_last_across_a_century(today, value, expected):
    # Found reading a `make mutate` survivor: the last leap day was looked for four years back only.
    assert treatment_date(value, today) == expected


@pytest.mark.parametrize(
    ("utc", "earliest", "latest"),
    [
        ("2026-11-24T00:30:00", date(2026, 11, 23), date(2026, 11, 24)),
        ("2026-11-24T11:59:00", date(2026, 11, 23), date(2026, 11, 25)),
        ("2026-11-24T12:00:00", date(2026, 11, 24), date(2026, 11, 25)),
        ("2026-11-24T09:59:00", date(2026, 11, 23), date(2026, 11, 24)),
        ("2026-11-24T10:00:00", date(2026, 11, 23), date(2026, 11, 25)),
    ],
)
def test_an_unknown_zone_spans_every_date_on_earth(utc, earliest, latest):
    instant = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert LocalDay.at(instant, None) == LocalDay(earliest, latest)
    assert not LocalDay.at(instant, None).known
    assert LocalDay.at(instant, ZoneInfo("Europe/London")).known


def test_with_an_unknown_zone_tomorrow_in_utc_is_still_today_somewhere():
    # 11:00 UTC on the 24th is already the 25th in Kiribati: "today" said there is no future date.
    today = LocalDay.at(datetime(2026, 11, 24, 11, tzinfo=UTC), None)
    assert treatment_date("2026-11-25", today) == TreatmentDay(date(2026, 11, 25))
    assert treatment_date("2026-11-26", today) == TreatmentDay(date(2026, 11, 19), Move.WEEK)


NOW = datetime(2026, 11, 24, 0, 30, tzinfo=ZoneInfo("Pacific/Auckland"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P2W", date(2026, 11, 10)),
        ("P3D", date(2026, 11, 21)),
        ("P1M", Unclear.ROUGH),  # "about a month ago": not a day to count a recovery from
        ("P1Y", Unclear.ROUGH),
        ("P1M2D", Unclear.ROUGH),
        ("PT1H", date(2026, 11, 23)),  # an hour before 00:30 local is yesterday
        ("P1W2D", date(2026, 11, 15)),
        ("P?W", Unclear.UNKNOWN),
        ("P99999Y", Unclear.ROUGH),
        ("P999999999W", Unclear.UNKNOWN),
        ("P", Unclear.UNKNOWN),
        ("two weeks", Unclear.UNKNOWN),
    ],
)
def test_days_ago(value, expected):
    assert days_ago(value, NOW, NOW.tzinfo) == expected


def test_days_ago_with_an_unknown_zone_counts_on_the_clock_furthest_ahead():
    instant = datetime(2026, 11, 24, 11, tzinfo=UTC)  # 01:00 on the 25th in UTC+14
    assert days_ago("P1D", instant, None) == date(2026, 11, 24)
    assert days_ago("P1D", instant, ZoneInfo("America/Los_Angeles")) == date(2026, 11, 23)


# -- boundaries found by `make mutate` -------------------------------------------------------


def test_a_remembered_zone_reads_the_patients_words_in_it_and_counts_from_the_earliest_date():
    instant = datetime(2026, 11, 24, 11, tzinfo=UTC)  # 03:00 on the 24th in Los Angeles; the 25th in Kiribati
    remembered = LocalDay.remembered(instant, ZoneInfo("America/Los_Angeles"))
    assert remembered == LocalDay(date(2026, 11, 23), date(2026, 11, 24))


@pytest.mark.parametrize(("value", "expected"), [("1900-01-01", date(1900, 1, 1)), ("1899-12-31", Unclear.UNKNOWN)])
def test_the_oldest_day_read_is_in_1900(value, expected):
    assert read_date(value, TODAY) == expected


def test_a_leap_day_said_on_the_last_leap_day_is_that_day():
    leap_day = LocalDay(date(2024, 2, 29), date(2024, 2, 29))
    assert treatment_date("2028-02-29", leap_day) == TreatmentDay(date(2024, 2, 29), Move.YEAR)


@pytest.mark.parametrize(
    ("said", "span", "expected"),
    [
        # "the weekend before last" (November 14th and 15th), then a day of it, as Alexa resolves it alone.
        # A day outside the span is picked within it, and marked so: Alexa resolves "Tuesday"
        # and "November 2nd" alike, so which the patient said is not known (checked before a yes).
        (date(2026, 11, 28), "2026-W46-WE", TreatmentDay(date(2026, 11, 14), Move.PICKED)),  # "Saturday"
        (date(2026, 11, 29), "2026-W46-WE", TreatmentDay(date(2026, 11, 15), Move.PICKED)),  # "Sunday"
        (date(2026, 11, 27), "2026-W46-WE", Unclear.WEEKEND),  # "Friday" is no day of a weekend
        (date(2026, 12, 1), "2026-W48", TreatmentDay(TODAY, Move.PICKED)),  # "Tuesday" of this week: today
        (date(2026, 11, 26), "2026-W49", Unclear.AHEAD),  # "Thursday" of next week
        (date(2026, 12, 3), "2025-10", TreatmentDay(date(2025, 10, 3), Move.PICKED)),  # "the third" of October 2025
        (date(2026, 12, 3), "XXXX-10", TreatmentDay(date(2026, 10, 3), Move.PICKED)),  # of October, no year
        (date(2026, 10, 27), "XXXX-10", TreatmentDay(date(2026, 10, 27))),  # "October 27th": in the span, as said
        (date(2026, 12, 3), "XXXX-12", TreatmentDay(date(2025, 12, 3), Move.YEAR)),  # of a December still to come
        (date(2026, 11, 24), "XXXX-11", TreatmentDay(TODAY)),  # of this month: today, as said
        (date(2026, 12, 31), "XXXX-11", Unclear.UNKNOWN),  # November has no 31st
        (date(2026, 11, 25), "2026", TreatmentDay(date(2026, 11, 18), Move.WEEK)),  # a year is no span to pick in
    ],
)
def test_a_day_said_within_a_span_named_before(said, span, expected):
    assert within(said, span, KNOWN) == expected


JUST_AFTER_MIDNIGHT = datetime(2026, 11, 24, 0, 0, 30, tzinfo=ZoneInfo("Pacific/Auckland"))


@pytest.mark.parametrize(
    ("value", "instant", "expected"),
    [
        ("PT", NOW, Unclear.UNKNOWN),  # a duration of nothing
        ("PT30M", NOW, date(2026, 11, 24)),  # 00:30 less 30 minutes: midnight, still today
        ("PT31M", NOW, date(2026, 11, 23)),
        ("PT30S", JUST_AFTER_MIDNIGHT, date(2026, 11, 24)),
        ("PT31S", JUST_AFTER_MIDNIGHT, date(2026, 11, 23)),
        ("P1D", JUST_AFTER_MIDNIGHT, date(2026, 11, 23)),
        ("P1W", NOW, date(2026, 11, 17)),
    ],
)
def test_days_ago_counts_minutes_and_seconds_across_midnight(value, instant, expected):
    assert days_ago(value, instant, instant.tzinfo) == expected

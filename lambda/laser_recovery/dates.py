"""What the patient said about a day, turned into a calendar date.

Alexa sends AMAZON.DATE and AMAZON.DURATION slot values as strings; this module reads
them without any Alexa objects, so the rules about past-tense dates can be tested alone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import Enum

from dateutil.relativedelta import relativedelta


class Vague(Enum):
    """A value that names more than one day; the patient is asked for the exact day."""

    WEEK = "week"
    WEEKEND = "weekend"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    UNKNOWN = "unknown"


_DAY = re.compile(r"^(\d{4}|XXXX)-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^\d{4}-W\d{1,2}$")
_WEEKEND = re.compile(r"^\d{4}-W\d{1,2}-WE$")
_MONTH = re.compile(r"^(\d{4}|XXXX)-\d{2}$")
_SEASON = re.compile(r"^\d{4}-(SP|SU|FA|WI)$")
_YEAR = re.compile(r"^\d{4}$")
_DECADE = re.compile(r"^\d{3}X$")
_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def read_date(value: str, today: date) -> date | Vague:
    """One calendar day from an AMAZON.DATE value, or what kind of vague value it was."""
    value = value.strip().upper()
    if value == "PRESENT_REF":
        return today
    match = _DAY.match(value)
    if match:
        year = today.year if match[1] == "XXXX" else int(match[1])
        try:
            return date(year, int(match[2]), int(match[3]))
        except ValueError:
            return Vague.UNKNOWN
    for pattern, kind in (
        (_WEEKEND, Vague.WEEKEND),
        (_WEEK, Vague.WEEK),
        (_MONTH, Vague.MONTH),
        (_SEASON, Vague.SEASON),
        (_YEAR, Vague.YEAR),
        (_DECADE, Vague.DECADE),
    ):
        if pattern.match(value):
            return kind
    return Vague.UNKNOWN


def in_the_past(day: date, today: date) -> date:
    """A treatment has happened: a day that arrives in the future is moved into the past.

    Alexa resolves a date said without a year to the next such day ("November tenth"
    said on November 24 arrives as next year's), and a weekday to the coming one
    ("Monday" said on a Tuesday arrives as next Monday). Within the coming week the
    patient almost certainly named a weekday, so it is last week's; further ahead it is
    the same day a year earlier. Either way the later, more conservative date is chosen,
    and the skill says the date back so the patient can correct it.
    """
    if day <= today:
        return day
    if day - today < timedelta(days=7):
        return day - timedelta(days=7)
    return day - relativedelta(years=1)


def treatment_date(value: str, today: date) -> date | Vague:
    """An AMAZON.DATE value for a treatment, moved into the past when needed."""
    day = read_date(value, today)
    return day if isinstance(day, Vague) else in_the_past(day, today)


def days_ago(value: str, now: datetime) -> date | None:
    """The local date an AMAZON.DURATION ("two weeks ago") points back to, or None."""
    match = _DURATION.match(value.strip().upper())
    if not match or value.strip().upper() in ("P", "PT"):
        return None
    n = {name: int(amount) for name, amount in match.groupdict().items() if amount}
    back = relativedelta(years=n.get("years", 0), months=n.get("months", 0))
    span = timedelta(
        weeks=n.get("weeks", 0),
        days=n.get("days", 0),
        hours=n.get("hours", 0),
        minutes=n.get("minutes", 0),
        seconds=n.get("seconds", 0),
    )
    try:
        return (now - back - span).date()
    except (OverflowError, ValueError):  # "ninety-nine thousand years ago": before year 1
        return None

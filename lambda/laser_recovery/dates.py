"""What the patient said about a day, turned into a calendar date.

Alexa sends AMAZON.DATE and AMAZON.DURATION slot values as strings; this module reads
them without any Alexa objects or clock, so the rules about past-tense dates can be
tested alone. Every guess it makes leans the same way: a later treatment date, which
only ever delays a "yes".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from enum import Enum

# The first and the last place on Earth to reach a calendar date. When the device's time
# zone is unknown, the patient's date lies somewhere between the two.
LATEST_ZONE = timezone(timedelta(hours=14))
EARLIEST_ZONE = timezone(timedelta(hours=-12))


@dataclass(frozen=True)
class LocalDay:
    """The patient's local date; a range of two dates when their time zone is unknown.

    Answers count days from `earliest`, so a "yes" holds wherever the patient is; dates
    the patient says are read against `latest`, so their "today" is never in the future.
    """

    earliest: date
    latest: date

    @classmethod
    def at(cls, instant: datetime, zone: tzinfo | None) -> LocalDay:
        if zone is not None:
            day = instant.astimezone(zone).date()
            return cls(day, day)
        return cls(instant.astimezone(EARLIEST_ZONE).date(), instant.astimezone(LATEST_ZONE).date())

    @classmethod
    def remembered(cls, instant: datetime, zone: tzinfo) -> LocalDay:
        """With a zone remembered from an earlier session, not told in this one: it may be
        stale (the device moved, its setting changed), so the patient's words are read in
        it, but answers count from the earliest date on Earth, as for an unknown zone."""
        return cls(cls.at(instant, None).earliest, cls.at(instant, zone).latest)

    @property
    def known(self) -> bool:
        return self.earliest == self.latest


class Unclear(Enum):
    """A value that is not one usable treatment day; the patient is asked again."""

    WEEK = "week"
    WEEKEND = "weekend"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    UNKNOWN = "unknown"
    AHEAD = "ahead"  # more than a year ahead: no year back makes it a day already lived
    ROUGH = "rough"  # "two months ago": months and years are not counted in days


class Move(Enum):
    """How the skill arrived at a date the patient did not say as such: moved back from the
    future a week or a year, counted back from a duration ("three weeks ago"), or picked
    out of a span from a day said outside it."""

    NONE = "none"
    WEEK = "week"
    YEAR = "year"
    COUNTED = "counted"
    PICKED = "picked"  # a day said outside the month or week named before, taken within it


@dataclass(frozen=True)
class TreatmentDay:
    """A treatment date as the skill understood it, and whether it had to be moved back."""

    day: date
    moved: Move = Move.NONE


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
_VAGUE = (
    (_WEEKEND, Unclear.WEEKEND),
    (_WEEK, Unclear.WEEK),
    (_MONTH, Unclear.MONTH),
    (_SEASON, Unclear.SEASON),
    (_YEAR, Unclear.YEAR),
    (_DECADE, Unclear.DECADE),
)


def read_date(value: str, today: date) -> date | Unclear:
    """One calendar day from an AMAZON.DATE value, or what kind of unclear value it was."""
    value = value.strip().upper()
    if value == "PRESENT_REF":
        return today
    match = _DAY.match(value)
    if match:
        year = today.year if match[1] == "XXXX" else int(match[1])
        if year < 1900:  # no treatment, and no day anyone asks about, is that old
            return Unclear.UNKNOWN
        try:
            return date(year, int(match[2]), int(match[3]))
        except ValueError:
            return Unclear.UNKNOWN
    for pattern, kind in _VAGUE:
        if pattern.match(value):
            return kind
    return Unclear.UNKNOWN


def in_the_past(day: date, today: LocalDay) -> TreatmentDay | Unclear:
    """A treatment has happened: a day that arrives in the future is moved into the past.

    Alexa resolves a date said without a year to the next such day ("November tenth" said
    on November 24 arrives as next year's) and a weekday to the coming one, and a date said
    with a year arrives the same way, so the two cannot be told apart. Up to a week ahead
    the patient most likely named a weekday: last week's. Further ahead, the same day a year
    earlier. Each choice is the later of the candidates, and the caller says the moved date
    back, with its year, before anything rests on it. A date still ahead after a year back
    is no treatment the patient has had.
    """
    if day <= today.latest:
        return TreatmentDay(day)
    if day - today.latest <= timedelta(days=7):
        return TreatmentDay(day - timedelta(days=7), Move.WEEK)
    if (day.month, day.day) == (2, 29):
        # The last February 29th can be up to eight years back (2096, then 2104: 2100 is no leap year).
        last = max(date(y, 2, 29) for y in range(day.year - 8, day.year) if calendar.isleap(y))
        return TreatmentDay(last, Move.YEAR) if last <= today.latest else Unclear.AHEAD
    from dateutil.relativedelta import relativedelta  # rarely needed: kept off the cold start

    a_year_back = day - relativedelta(years=1)
    if a_year_back <= today.latest:
        return TreatmentDay(a_year_back, Move.YEAR)
    return Unclear.AHEAD


def treatment_date(value: str, today: LocalDay) -> TreatmentDay | Unclear:
    """An AMAZON.DATE value for a treatment, moved into the past when needed."""
    day = read_date(value, today.latest)
    return day if isinstance(day, Unclear) else in_the_past(day, today)


def within(day: date, span: str, today: LocalDay) -> TreatmentDay | Unclear:
    """The day of a span the patient named before ("October", "last week") that a day said
    now picks out: "the third" after "October" is October 3rd, "Tuesday" after "last week"
    is last week's Tuesday. Alexa resolves each alone, to the next such day; together they
    are one date the patient said.

    Alexa resolves "Tuesday", "the third" and "October 3rd" alike, to a date, so which one was
    said is read from where that date falls: a date of the span itself (or its month and day)
    is taken as it is; one within the next week may be a weekday, and within the next month a
    day of the month, of the span; any other is a date the patient said outright, and it is
    taken as said, not fitted into the span. Every day taken otherwise than as it came is
    checked with the patient before anything rests on it (`Move.PICKED`)."""
    week = re.match(r"^(\d{4})-W(\d{1,2})(-WE)?$", span)
    try:
        if week:
            monday = date.fromisocalendar(int(week[1]), int(week[2]), 1)
            members = [monday + timedelta(days=n) for n in (range(5, 7) if week[3] else range(7))]
        elif _MONTH.match(span):
            year, number = span.split("-")
            first = date(today.latest.year if year == "XXXX" else int(year), int(number), 1)
            if first > today.latest:  # a month named ahead, as Alexa resolves a month: last year's
                first = first.replace(year=first.year - 1)
            members = [first + timedelta(days=n) for n in range(calendar.monthrange(first.year, first.month)[1])]
        else:
            return in_the_past(day, today)
    except ValueError:  # no such week or month
        return Unclear.UNKNOWN
    if members[0].year < 1900:  # no treatment is that old: a span Alexa heard wrong
        return Unclear.UNKNOWN
    ahead = (day - today.latest).days
    said_outright = [m for m in members if (m.month, m.day) == (day.month, day.day)]
    if said_outright:  # the span's own date, or its month and day (Alexa gave another year)
        found = said_outright[0]
        moved = Move.NONE if found == day else Move.YEAR
    elif 0 <= ahead <= 7 and week:  # a weekday, as the coming one (today's, said today)
        if week[3] and day.isoweekday() < 6:
            return Unclear.WEEKEND
        found, moved = next((m for m in members if m.isoweekday() == day.isoweekday()), members[0]), Move.PICKED
    elif 0 < ahead <= 62:  # a day of the month, as the next one (up to two months on, past a 31st)
        numbered = [m for m in members if m.day == day.day]
        if not numbered:
            return Unclear.UNKNOWN  # "the 31st" of November
        found, moved = numbered[0], Move.PICKED
    else:  # a date said outright, outside the span: as said, and checked
        told = in_the_past(day, today)
        return told if isinstance(told, Unclear) else TreatmentDay(told.day, Move.PICKED)
    if found > today.latest:
        return Unclear.AHEAD
    return TreatmentDay(found, moved)


def span_start(value: str, today: LocalDay) -> date | None:
    """The first day of a week, weekend or month Alexa gives ("next week", "in January"), as
    the soonest a treatment told of in it can be; None for anything else."""
    week = re.match(r"^(\d{4})-W(\d{1,2})(-WE)?$", value.strip().upper())
    try:
        if week:
            return date.fromisocalendar(int(week[1]), int(week[2]), 6 if week[3] else 1)
        if _MONTH.match(value.strip().upper()):
            year, number = value.strip().upper().split("-")
            return date(today.latest.year if year == "XXXX" else int(year), int(number), 1)
    except ValueError:
        return None
    return None


def days_ago(value: str, instant: datetime, zone: tzinfo | None) -> date | Unclear:
    """The local date an AMAZON.DURATION ("two weeks ago") points back to.

    Counted on the patient's clock; with no known zone, on the clock that is furthest
    ahead, which gives the latest date the patient could mean. Months and years are too
    rough to count a recovery in days ("about two months ago" may be seven weeks): the
    patient is asked for the day instead.
    """
    text = value.strip().upper()
    match = _DURATION.match(text)
    if not match or text in ("P", "PT"):
        return Unclear.UNKNOWN
    n = {name: int(amount) for name, amount in match.groupdict().items() if amount}
    if n.get("years") or n.get("months"):
        return Unclear.ROUGH
    local = instant.astimezone(zone or LATEST_ZONE)
    from dateutil.relativedelta import relativedelta  # rarely needed: kept off the cold start

    try:
        back = relativedelta(years=n.get("years", 0), months=n.get("months", 0))
        span = timedelta(
            weeks=n.get("weeks", 0),
            days=n.get("days", 0),
            hours=n.get("hours", 0),
            minutes=n.get("minutes", 0),
            seconds=n.get("seconds", 0),
        )
        return (local - back - span).date()
    except (OverflowError, ValueError):  # "ninety-nine thousand years ago": before year 1
        return Unclear.UNKNOWN

"""Spoken dates and durations turned into the slot values Alexa would send.

The console plays Alexa's part, so this follows the AMAZON.DATE and AMAZON.DURATION
behaviour in Amazon's slot type reference, not what the skill would like to receive:
a date said without a year is the next such date on or after today (so "November tenth"
said on 2026-11-24 arrives as 2027-11-10; moving a treatment into the past is the
skill's job), weeks are ISO weeks ("2026-W48"), a weekend is "2026-W48-WE", a month is
"2026-11", a season "2026-WI", a decade "199X", and "now" is PRESENT_REF.
Anything not understood gives None, so the sample utterance holding the slot does not match.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINAL_UNITS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30}

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_ABBREVIATIONS = {name[:3]: n for n, name in enumerate(MONTHS, 1)} | {"sept": 9}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_DECADES = {"fifties": 195, "sixties": 196, "seventies": 197, "eighties": 198, "nineties": 199}
_RELATIVE = {"this": 0, "next": 1, "last": -1}
_DAY_NUMERAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_YEAR_NUMERAL = re.compile(r"^(1[89]\d\d|2\d\d\d)$")
_DURATION_UNITS = {  # unit -> (ISO designator, belongs after the "T")
    "year": ("Y", False),
    "month": ("M", False),
    "week": ("W", False),
    "day": ("D", False),
    "hour": ("H", True),
    "minute": ("M", True),
    "second": ("S", True),
}

Words = list[str]
# Days Alexa knows by name, as (month, day); said without a year, the next one.
_HOLIDAYS = {
    "christmas": (12, 25),
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "boxing day": (12, 26),
    "new years day": (1, 1),
    "new years eve": (12, 31),
    "valentines day": (2, 14),
    "halloween": (10, 31),
}


def words(text: str) -> Words:
    """Lower-case words, hyphens and punctuation dropped ("twenty-third," -> twenty third)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("'", "")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


# -- numbers ---------------------------------------------------------------------------


def cardinal(tokens: Words) -> int | None:
    """0..99 from digits or words: "7", "seven", "twenty one"."""
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) <= 2:
        return int(tokens[0])
    if len(tokens) == 1 and tokens[0] in _UNITS:
        return _UNITS.index(tokens[0])
    if len(tokens) == 1 and tokens[0] in _TENS:
        return _TENS[tokens[0]]
    if len(tokens) == 2 and tokens[0] in _TENS and tokens[1] in _UNITS[1:10]:
        return _TENS[tokens[0]] + _UNITS.index(tokens[1])
    return None


def ordinal(tokens: Words) -> int | None:
    """1..39 from "third", "twenty third", "3rd" or "3" (people type days both ways)."""
    if len(tokens) == 1:
        match = _DAY_NUMERAL.match(tokens[0])
        if match:
            return int(match[1])
        if tokens[0] in _ORDINAL_UNITS:
            return _ORDINAL_UNITS.index(tokens[0]) + 1
        return _ORDINAL_TENS.get(tokens[0])
    if len(tokens) == 2 and tokens[0] in ("twenty", "thirty") and tokens[1] in _ORDINAL_UNITS[:9]:
        return _TENS[tokens[0]] + _ORDINAL_UNITS.index(tokens[1]) + 1
    return None


def _year(tokens: Words) -> int | None:
    """ "2025", "twenty twenty five", "nineteen ninety nine", "two thousand (and) five"."""
    if len(tokens) == 1 and _YEAR_NUMERAL.match(tokens[0]):
        return int(tokens[0])
    if tokens[:2] == ["two", "thousand"]:
        rest = tokens[2:]
        if rest[:1] == ["and"]:
            rest = rest[1:]
        low = cardinal(rest) if rest else 0
        return None if low is None else 2000 + low
    if len(tokens) >= 2 and tokens[0] in ("nineteen", "twenty"):
        low = cardinal(tokens[1:])
        if low is not None and low >= 10:
            return (19 if tokens[0] == "nineteen" else 20) * 100 + low
    return None


def _month(token: str) -> int | None:
    if token in MONTHS:
        return MONTHS.index(token) + 1
    return _MONTH_ABBREVIATIONS.get(token)


# -- AMAZON.DATE -----------------------------------------------------------------------


def resolve_date(text: str, today: date) -> str | None:
    """The AMAZON.DATE value for what was said, or None when it is not a date."""
    tokens = words(text)
    if not tokens:
        return None
    phrase = " ".join(tokens)
    fixed = {
        "now": "PRESENT_REF",
        "right now": "PRESENT_REF",
        "today": today.isoformat(),
        "tonight": today.isoformat(),
        "yesterday": (today - timedelta(days=1)).isoformat(),
        "tomorrow": (today + timedelta(days=1)).isoformat(),
        "the day before yesterday": (today - timedelta(days=2)).isoformat(),
        "the day after tomorrow": (today + timedelta(days=2)).isoformat(),
    }
    if phrase in fixed:
        return fixed[phrase]
    holiday = _HOLIDAYS.get(phrase.removeprefix("on ").removeprefix("at "))
    if holiday is not None:
        return _next_on_or_after(*holiday, today)
    for reader in (_relative_span, _weekday, _decade, _season, _calendar_date, _day_of_month, _month_or_year):
        value = reader(tokens, today)
        if value is not None:
            return value
    return None


def _relative_span(tokens: Words, today: date) -> str | None:
    """this/next/last week, weekend, month or year."""
    if len(tokens) != 2 or tokens[0] not in _RELATIVE:
        return None
    step = _RELATIVE[tokens[0]]
    if tokens[1] in ("week", "weekend"):
        year, week, _ = (today + timedelta(weeks=step)).isocalendar()
        return f"{year}-W{week:02d}" + ("-WE" if tokens[1] == "weekend" else "")
    if tokens[1] == "month":
        months = today.year * 12 + today.month - 1 + step
        return f"{months // 12}-{months % 12 + 1:02d}"
    if tokens[1] == "year":
        return str(today.year + step)
    if tokens[1] == "decade":
        return f"{(today.year // 10) + step}X"
    return None


def _weekday(tokens: Words, today: date) -> str | None:
    """ "monday" and "this/next monday": the next one on or after today; "last monday":
    the most recent one before today."""
    which, name = (tokens[0], tokens[1]) if len(tokens) == 2 else ("this", tokens[0])
    if len(tokens) > 2 or name not in WEEKDAYS or which not in _RELATIVE:
        return None
    ahead = (WEEKDAYS.index(name) - today.weekday()) % 7
    if which == "last":
        return (today - timedelta(days=(7 - ahead) if ahead else 7)).isoformat()
    if which == "next" and ahead == 0:
        ahead = 7
    return (today + timedelta(days=ahead)).isoformat()


def _decade(tokens: Words, today: date) -> str | None:
    if tokens[:1] == ["the"]:
        tokens = tokens[1:]
    if len(tokens) == 1 and tokens[0] in _DECADES:
        return f"{_DECADES[tokens[0]]}X"
    if tokens == ["two", "thousands"]:
        return "200X"
    return None


def _season(tokens: Words, today: date) -> str | None:
    which, name = (tokens[0], tokens[1]) if len(tokens) == 2 else ("this", tokens[0])
    if len(tokens) > 2 or name not in _SEASONS or which not in _RELATIVE:
        return None
    return f"{today.year + _RELATIVE[which]}-{_SEASONS[name]}"


def _calendar_date(tokens: Words, today: date) -> str | None:
    """ "october third", "october 3rd 2025", "the third of october", "3 october"."""
    for month_at, day_from, day_to in _date_shapes(tokens):
        month = _month(tokens[month_at])
        if month is None:
            continue
        day_words = tokens[day_from:day_to]
        if day_words[:1] == ["the"]:
            day_words = day_words[1:]
        year_words = tokens[max(month_at, day_to) + 1 :] if month_at > day_from else tokens[day_to:]
        day = ordinal(day_words)
        if day is None:
            continue
        if not year_words:
            return _next_on_or_after(month, day, today)
        year = _year(year_words)
        if year is not None:
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return None
    return None


def _date_shapes(tokens: Words) -> list[tuple[int, int, int]]:
    """Where the month and the day words could sit: (month index, day start, day end)."""
    shapes = []
    for length in (1, 2, 3):
        shapes.append((0, 1, 1 + length))  # october (the) third [year]
        if len(tokens) > length and tokens[length : length + 1] == ["of"]:
            shapes.append((length + 1, 0, length))  # (the) third of october [year]
        elif len(tokens) > length:
            shapes.append((length, 0, length))  # 3 october [year]
    return [(m, a, b) for m, a, b in shapes if m < len(tokens) and b <= len(tokens)]


def _day_of_month(tokens: Words, today: date) -> str | None:
    """ "the twenty first": Alexa takes the next day of the month with that number."""
    if tokens[:1] != ["the"] or len(tokens) < 2:
        return None
    day = ordinal(tokens[1:])
    if day is None or not 1 <= day <= 31:
        return None
    for ahead in range(0, 13):  # the next month that has that day
        months = today.year * 12 + today.month - 1 + ahead
        try:
            candidate = date(months // 12, months % 12 + 1, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate.isoformat()
    return None


def _next_on_or_after(month: int, day: int, today: date) -> str | None:
    """A yearless date: this year's if still to come (or today), else next year's."""
    for year in range(today.year, today.year + 9):  # nine years always reach a February 29
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate.isoformat()
    return None


def _month_or_year(tokens: Words, today: date) -> str | None:
    """ "november", "november 2025", "2025"."""
    month = _month(tokens[0])
    if month is not None:
        if len(tokens) == 1:  # the month containing today, or the next such month
            return f"{today.year if month >= today.month else today.year + 1}-{month:02d}"
        year = _year(tokens[1:])
        return None if year is None else f"{year}-{month:02d}"
    only_year = _year(tokens)
    return None if only_year is None else str(only_year)


# -- AMAZON.DURATION -------------------------------------------------------------------


def resolve_duration(text: str) -> str | None:
    """The AMAZON.DURATION value: "two weeks" -> P2W, "a month and 3 days" -> P1M3D."""
    tokens = [t for t in words(text) if t != "and"]
    if tokens in (["a", "fortnight"], ["fortnight"]):
        return "P2W"
    if not tokens:
        return None
    amounts: dict[str, int] = {}
    start = 0
    while start < len(tokens):
        for end in range(start + 1, len(tokens)):
            unit = tokens[end].removesuffix("s")
            count = tokens[start:end]
            n: int | None = 1 if count in (["a"], ["an"]) else cardinal(count)
            if unit in _DURATION_UNITS and n is not None and unit not in amounts:
                amounts[unit] = n
                start = end + 1
                break
        else:
            return None
    date_part = "".join(f"{n}{_DURATION_UNITS[u][0]}" for u, n in _ordered(amounts, time=False))
    time_part = "".join(f"{n}{_DURATION_UNITS[u][0]}" for u, n in _ordered(amounts, time=True))
    return "P" + date_part + ("T" + time_part if time_part else "")


def _ordered(amounts: dict[str, int], *, time: bool) -> list[tuple[str, int]]:
    return [(u, amounts[u]) for u in _DURATION_UNITS if u in amounts and _DURATION_UNITS[u][1] is time]

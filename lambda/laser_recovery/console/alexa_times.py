"""Spoken times of day turned into the AMAZON.TIME values Alexa would send.

As Amazon's slot type reference describes them: an exact time is "HH:MM" on the 24-hour
clock ("eight thirty p.m." -> "20:30"; a time said without a.m. or p.m. is taken as said,
"eight" -> "08:00"), and a vague one is a period: "MO" (morning), "AF", "EV", "NI".
Anything not understood gives None, so the sample utterance holding the slot does not match.
"""

from __future__ import annotations

from .alexa_dates import Words, cardinal

_PERIODS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI"}
_NAMED = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}
# What follows the clock: whether it is before or after noon, and how sure.
_AM = (("am",), ("a", "m"), ("in", "the", "morning"))
_PM = (("pm",), ("p", "m"), ("in", "the", "afternoon"), ("in", "the", "evening"), ("at", "night"))
_PAST = {"half": 30, "quarter": 15}


def resolve_time(said: Words) -> str | None:
    """The AMAZON.TIME value for the words said, or None when they are not a time."""
    tokens = [t for t in said if t not in ("oclock", "o", "clock")] or list(said)
    if len(tokens) == 1 and tokens[0] in _PERIODS:
        return _PERIODS[tokens[0]]
    if len(tokens) == 1 and tokens[0] in _NAMED:
        return "{:02d}:{:02d}".format(*_NAMED[tokens[0]])
    half = None
    for suffix, after_noon in [*((s, False) for s in _AM), *((s, True) for s in _PM)]:
        if len(tokens) > len(suffix) and tuple(tokens[-len(suffix) :]) == suffix:
            tokens, half = tokens[: -len(suffix)], after_noon
            break
    clock = _clock(tokens)
    if clock is None:
        return None
    hour, minute = clock
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half else 0)
    return f"{hour:02d}:{minute:02d}"


def _clock(tokens: list[str]) -> tuple[int, int] | None:
    """ "eight", "8 30", "eight thirty", "half past seven", "quarter to eight"."""
    if len(tokens) >= 3 and tokens[1] in ("past", "to") and (tokens[0] in _PAST or cardinal(tokens[:1])):
        minutes = _PAST.get(tokens[0]) or cardinal(tokens[:1]) or 0
        hour = cardinal(tokens[2:])
        if hour is None or not 1 <= hour <= 12 or minutes >= 60:
            return None
        return (hour, minutes) if tokens[1] == "past" else ((hour - 1) % 12 or 12, 60 - minutes)
    for split in range(1, len(tokens)):
        hour = cardinal(tokens[:split])
        minute = 0 if tokens[split:] == ["00"] else cardinal(tokens[split:]) or None  # "20:00", not "eight zero"
        if hour is not None and minute is not None and hour < 24 and minute < 60:
            return hour, minute
    hour = cardinal(tokens)
    return (hour, 0) if hour is not None and hour < 24 else None

"""The recovery timeline an Echo Show draws (pure): where the patient is on the way to week 8,
and each milestone with its date, the next one marked. Dates in, structure out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .recovery import Protocol, day_number

PASSED, NEXT, AHEAD = "passed", "next", "ahead"


@dataclass(frozen=True)
class Stop:
    """A milestone: what it is, the day it starts and the day it is complete, and where the
    patient stands to it."""

    name: str  # "makeup", "results", "sun"
    starts: date
    ends: date
    state: str


@dataclass(frozen=True)
class Timeline:
    treatment: date
    day: int  # today's day of recovery (0 on the day of the treatment)
    total: int  # the day the last milestone is complete: the full weeks away from the sun
    stops: tuple[Stop, ...]


def timeline(treatment: date, today: date, protocol: Protocol) -> Timeline:
    """The timeline on `today` (the earliest date it may be for the patient: a milestone is
    passed only once it is passed everywhere)."""
    spans = (
        ("makeup", protocol.makeup_days, protocol.makeup_days),
        ("results", protocol.results_from_days, protocol.results_by_days),
        ("sun", protocol.sun_minimum_days, protocol.sun_safe_days),
    )
    day = day_number(treatment, today)
    stops: list[Stop] = []
    waiting = False
    for name, start, end in spans:
        if day >= end:
            state = PASSED
        else:
            state = AHEAD if waiting else NEXT
            waiting = True
        stops.append(Stop(name, treatment + timedelta(days=start), treatment + timedelta(days=end), state))
    return Timeline(treatment, day, protocol.sun_safe_days, tuple(stops))

"""The recovery rules: a treatment date and a day in, an answer out.

Pure on purpose: no Alexa, no clock, no I/O, so every rule can be tested on its own and
every answer is reproducible from the two dates that produced it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from pathlib import Path

PROTOCOL_FILE = Path(__file__).parent / "content" / "protocol.toml"


@dataclass(frozen=True)
class Protocol:
    """A clinic's aftercare numbers, in days after the treatment."""

    sun_minimum_days: int
    sun_safe_days: int
    makeup_days: int
    results_from_days: int
    results_by_days: int

    @classmethod
    def load(cls, path: Path = PROTOCOL_FILE) -> Protocol:
        with path.open("rb") as file:
            data = tomllib.load(file)
        protocol = cls(
            sun_minimum_days=data["sun"]["minimum_days"],
            sun_safe_days=data["sun"]["safe_days"],
            makeup_days=data["makeup"]["avoid_days"],
            results_from_days=data["results"]["visible_from_days"],
            results_by_days=data["results"]["visible_by_days"],
        )
        if not (0 < protocol.sun_minimum_days <= protocol.sun_safe_days):
            raise ValueError(f"{path}: sun minimum_days must be positive and <= safe_days")
        if not (0 < protocol.results_from_days <= protocol.results_by_days):
            raise ValueError(f"{path}: results visible_from_days must be <= visible_by_days")
        if protocol.makeup_days <= 0:
            raise ValueError(f"{path}: makeup avoid_days must be positive")
        return protocol


class Sun(Enum):
    NOT_YET = "not_yet"  # before the minimum: no
    ASK_SPECIALIST = "ask_specialist"  # minimum passed, safe day not reached: only a specialist clears
    SAFE = "safe"  # from the safe day: yes, with high-factor sunscreen


class Makeup(Enum):
    NOT_YET = "not_yet"
    IF_SPECIALIST_AGREES = "if_specialist_agrees"


class Results(Enum):
    NOT_YET = "not_yet"  # before the first day they can show
    APPEARING = "appearing"  # inside the window: they should be starting to show
    VISIBLE = "visible"  # past the window


@dataclass(frozen=True)
class SunAnswer:
    verdict: Sun
    on: date
    day: int
    minimum_date: date
    safe_date: date


@dataclass(frozen=True)
class MakeupAnswer:
    verdict: Makeup
    day: int
    from_date: date


@dataclass(frozen=True)
class ResultsAnswer:
    verdict: Results
    day: int
    from_date: date
    by_date: date
    days_until: int  # until the first day they can show; 0 once it has come


@dataclass(frozen=True)
class Milestone:
    name: str  # a key into the locale's milestone names
    date: date
    offset: int  # days after the treatment


@dataclass(frozen=True)
class Progress:
    day: int
    passed: tuple[Milestone, ...]
    upcoming: tuple[Milestone, ...]  # every milestone that falls on the next milestone day


def day_number(treatment: date, today: date) -> int:
    """Whole days since the treatment, counted at the patient's local midnight."""
    return (today - treatment).days


def sun(treatment: date, on: date, protocol: Protocol) -> SunAnswer:
    """Whether sunbathing is safe on `on`; only the conservative end of the range says yes."""
    day = day_number(treatment, on)
    if day >= protocol.sun_safe_days:
        verdict = Sun.SAFE
    elif day >= protocol.sun_minimum_days:
        verdict = Sun.ASK_SPECIALIST
    else:
        verdict = Sun.NOT_YET
    return SunAnswer(
        verdict,
        on,
        day,
        treatment + timedelta(days=protocol.sun_minimum_days),
        treatment + timedelta(days=protocol.sun_safe_days),
    )


def makeup(treatment: date, today: date, protocol: Protocol) -> MakeupAnswer:
    day = day_number(treatment, today)
    verdict = Makeup.IF_SPECIALIST_AGREES if day >= protocol.makeup_days else Makeup.NOT_YET
    return MakeupAnswer(verdict, day, treatment + timedelta(days=protocol.makeup_days))


def results(treatment: date, today: date, protocol: Protocol) -> ResultsAnswer:
    day = day_number(treatment, today)
    if day < protocol.results_from_days:
        verdict = Results.NOT_YET
    elif day <= protocol.results_by_days:
        verdict = Results.APPEARING
    else:
        verdict = Results.VISIBLE
    return ResultsAnswer(
        verdict,
        day,
        treatment + timedelta(days=protocol.results_from_days),
        treatment + timedelta(days=protocol.results_by_days),
        max(0, protocol.results_from_days - day),
    )


def milestones(treatment: date, protocol: Protocol) -> tuple[Milestone, ...]:
    offsets = {
        "makeup": protocol.makeup_days,
        "results_from": protocol.results_from_days,
        "results_by": protocol.results_by_days,
        "sun_minimum": protocol.sun_minimum_days,
        "sun_safe": protocol.sun_safe_days,
    }
    ordered = sorted(offsets.items(), key=lambda item: item[1])
    return tuple(Milestone(name, treatment + timedelta(days=n), n) for name, n in ordered)


def progress(treatment: date, today: date, protocol: Protocol) -> Progress:
    """Where the patient is: today's day number, what has passed, what comes next."""
    day = day_number(treatment, today)
    every = milestones(treatment, protocol)
    passed = tuple(m for m in every if m.offset <= day)
    ahead = [m for m in every if m.offset > day]
    upcoming = tuple(m for m in ahead if m.offset == ahead[0].offset) if ahead else ()
    return Progress(day, passed, upcoming)

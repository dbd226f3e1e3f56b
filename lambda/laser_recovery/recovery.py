"""The recovery rules: a treatment date and a day in, a structured answer out.

Pure on purpose: no Alexa, no clock, no I/O, so every rule can be tested on its own and
every answer is reproducible from the dates that produced it. The words are made from
these answers, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from pathlib import Path

from . import contentfile

PROTOCOL_FILE = Path(__file__).parent / "content" / "protocol.toml"


@dataclass(frozen=True)
class Protocol:
    """A clinic's aftercare numbers, in days after the treatment."""

    sun_minimum_days: int
    sun_safe_days: int
    makeup_days: int
    results_from_days: int
    results_by_days: int
    redness_check_days: int

    @classmethod
    def load(cls, path: Path = PROTOCOL_FILE) -> Protocol:
        data = contentfile.load(path)
        protocol = cls(
            sun_minimum_days=data["sun"]["minimum_days"],
            sun_safe_days=data["sun"]["safe_days"],
            makeup_days=data["makeup"]["avoid_days"],
            results_from_days=data["results"]["visible_from_days"],
            results_by_days=data["results"]["visible_by_days"],
            redness_check_days=data["redness"]["check_after_days"],
        )
        if not (0 < protocol.sun_minimum_days <= protocol.sun_safe_days):
            raise ValueError(f"{path}: sun minimum_days must be positive and <= safe_days")
        if not (0 < protocol.results_from_days <= protocol.results_by_days):
            raise ValueError(f"{path}: results visible_from_days must be <= visible_by_days")
        if protocol.makeup_days <= 0 or protocol.redness_check_days <= 0:
            raise ValueError(f"{path}: makeup avoid_days and redness check_after_days must be positive")
        return protocol


class Sun(Enum):
    NOT_YET = "not_yet"  # before the minimum
    ASK_SPECIALIST = "ask_specialist"  # minimum passed, safe day not reached: still "not yet"
    SAFE = "safe"  # from the safe day: yes, with high-factor sunscreen


class Makeup(Enum):
    NOT_YET = "not_yet"
    MINIMUM_PASSED = "minimum_passed"  # a minimum, not a clearance: the specialist decides


class Results(Enum):
    NOT_YET = "not_yet"  # before the first day they can show
    APPEARING = "appearing"  # inside the window: they should be starting to show
    VISIBLE = "visible"  # past the window


class Redness(Enum):
    EXPECTED = "expected"  # days or even weeks of it are normal
    CHECK = "check"  # long past that: worth asking the specialist


@dataclass(frozen=True)
class SunAnswer:
    verdict: Sun
    treatment: date
    on: date
    day: int
    minimum_date: date
    safe_date: date

    @property
    def permits(self) -> bool:
        return self.verdict is Sun.SAFE


@dataclass(frozen=True)
class MakeupAnswer:
    verdict: Makeup
    treatment: date
    day: int
    from_date: date

    @property
    def permits(self) -> bool:
        return self.verdict is Makeup.MINIMUM_PASSED


@dataclass(frozen=True)
class ResultsAnswer:
    verdict: Results
    treatment: date
    day: int
    from_date: date
    by_date: date
    days_until: int  # until the first day they can show; 0 once it has come


@dataclass(frozen=True)
class RednessAnswer:
    verdict: Redness
    treatment: date | None
    day: int | None


@dataclass(frozen=True)
class Milestone:
    name: str  # a key into the locale's milestone names
    date: date
    offset: int  # days after the treatment


@dataclass(frozen=True)
class Progress:
    treatment: date
    day: int
    passed: tuple[Milestone, ...]
    upcoming: tuple[Milestone, ...]  # every milestone that falls on the next milestone day


def day_number(treatment: date, today: date) -> int:
    """Whole days since the treatment; never negative (the treatment day is day 0)."""
    return max(0, (today - treatment).days)


def sun(treatment: date, on: date, protocol: Protocol) -> SunAnswer:
    """Whether sunbathing is fine on `on`; only the conservative end of the range says yes."""
    day = day_number(treatment, on)
    if day >= protocol.sun_safe_days:
        verdict = Sun.SAFE
    elif day >= protocol.sun_minimum_days:
        verdict = Sun.ASK_SPECIALIST
    else:
        verdict = Sun.NOT_YET
    return SunAnswer(
        verdict,
        treatment,
        on,
        day,
        treatment + timedelta(days=protocol.sun_minimum_days),
        treatment + timedelta(days=protocol.sun_safe_days),
    )


def makeup(treatment: date, today: date, protocol: Protocol) -> MakeupAnswer:
    day = day_number(treatment, today)
    verdict = Makeup.MINIMUM_PASSED if day >= protocol.makeup_days else Makeup.NOT_YET
    return MakeupAnswer(verdict, treatment, day, treatment + timedelta(days=protocol.makeup_days))


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
        treatment,
        day,
        treatment + timedelta(days=protocol.results_from_days),
        treatment + timedelta(days=protocol.results_by_days),
        max(0, protocol.results_from_days - day),
    )


def redness(treatment: date | None, today: date, protocol: Protocol) -> RednessAnswer:
    """Redness is expected for days or weeks; long after that, it is worth a check."""
    if treatment is None:
        return RednessAnswer(Redness.EXPECTED, None, None)
    day = day_number(treatment, today)
    verdict = Redness.CHECK if day > protocol.redness_check_days else Redness.EXPECTED
    return RednessAnswer(verdict, treatment, day)


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
    return Progress(treatment, day, passed, upcoming)

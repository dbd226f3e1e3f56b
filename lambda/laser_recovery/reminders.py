"""The reminders a patient can ask for, and where they stand against the dates (pure).

A reminder goes off at 10 a.m., device time, on the day a rule turns: the full 8 weeks for
the sun, the week for makeup, the day results should be showing. It rests on the newest
treatment date, so it is set only from a date that stands (told or confirmed, no other
treatment waiting for its date), and it follows that date: when the date changes, the
reminder moves; when no date stands any more, or its day has come, it goes. A reminder
that said "sunbathing is fine now" on the old day would be a "yes" before day 56.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .recovery import Protocol
from .store import PatientRecord, Reminder

# One-time reminders on the day a rule turns, and the daily sunscreen reminder, which ends by
# itself when the full weeks without sunbathing are over.
KINDS = ("sun", "makeup", "results", "sunscreen")
DAILY = "sunscreen"
TIME_OF_DAY = time(10, 0)
# The question each reminder is about: asked for one whose day has come, its answer is given.
QUESTION = {"sun": "SunIntent", "makeup": "MakeupIntent", "results": "ResultsIntent", "sunscreen": "SunscreenIntent"}


def due(kind: str, treatment: date, protocol: Protocol) -> date:
    """The day the reminder of `kind` goes off after a treatment on `treatment` (for the daily
    one, the day it stops)."""
    days = {
        "sun": protocol.sun_safe_days,
        "makeup": protocol.makeup_days,
        "results": protocol.results_by_days,
        "sunscreen": protocol.sun_safe_days,
    }
    return treatment + timedelta(days=days[kind])


def when(kind: str, record: PatientRecord, protocol: Protocol) -> tuple[date, date] | None:
    """The treatment a reminder of `kind` counts from, and the day it goes off; None when no
    day can be known.

    A one-time reminder counts from the newest date; a treatment told of in advance before
    its day would restart the count, and whether and when it happens is not known, so then
    there is no day (the reminder would say "it's fine now" on a day that may come too
    soon). The daily sunscreen reminder runs on past each such treatment instead: running
    longer is the safe side.
    """
    if record.latest is None or kind not in KINDS:
        return None
    base = record.latest
    while True:
        day = due(kind, base, protocol)
        sooner = [booked for booked in record.planned if base < booked <= day]
        if not sooner:
            return base, day
        if kind != DAILY:
            return None
        base = max(sooner)


def first_daily(at: time, ends: date, latest: date, local_now: datetime | None) -> datetime | None:
    """When the daily reminder at `at` first goes off: today if that time is still to come
    where the patient is (known only when the device told its zone), else tomorrow, by the
    latest date it can be; None when no day is left before it `ends`."""
    if local_now is not None and local_now.time() < at:
        start = local_now.date()
    else:
        start = (local_now.date() if local_now is not None else latest) + timedelta(days=1)
    return datetime.combine(start, at) if start < ends else None


@dataclass(frozen=True)
class Moves:
    """What to do with the reminders kept, given the record as it now stands."""

    keep: tuple[Reminder, ...] = ()
    move: tuple[tuple[Reminder, date], ...] = ()  # each with its new day
    drop: tuple[Reminder, ...] = ()  # no date stands for it, or its new day has come: deleted
    expired: tuple[Reminder, ...] = ()  # gone off already, on the right day: only forgotten

    def __bool__(self) -> bool:
        return bool(self.move or self.drop or self.expired)


def follow(record: PatientRecord, earliest: date, latest: date, protocol: Protocol) -> Moves:
    """How the record's reminders must change so that each goes off on the day its rule turns
    after the newest date, and none rests on a date that does not stand. `earliest` and
    `latest` are the dates it may be for the patient (one day, when their zone is known).

    The daily sunscreen reminder says nothing that rests on a date, so a date in doubt may
    make it run longer, never shorter: it is cut back only once the dates stand again. Reminders of no kind the
    skill sets (those kept only to be deleted) are dropped.
    """
    keep: list[Reminder] = []
    move: list[tuple[Reminder, date]] = []
    drop: list[Reminder] = []
    expired: list[Reminder] = []
    stands = record.settled and record.arrived(latest) is None
    for reminder in record.reminders:
        counted = when(reminder.kind, record, protocol) if stands or reminder.kind == DAILY else None
        day = counted[1] if counted else None
        if reminder.kind == DAILY and not stands and day is not None:
            day = max(day, reminder.day)  # a date in doubt may extend it, never shorten it
        if day == reminder.day:
            (expired if reminder.day < earliest else keep).append(reminder)
        elif day is None or day <= latest:
            drop.append(reminder)
        else:
            move.append((reminder, day))
    return Moves(tuple(keep), tuple(move), tuple(drop), tuple(expired))

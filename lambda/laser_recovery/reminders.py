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
from datetime import date, time, timedelta

from .dates import LocalDay
from .recovery import Protocol
from .store import PatientRecord, Reminder

KINDS = ("sun", "makeup", "results")
TIME_OF_DAY = time(10, 0)


def due(kind: str, treatment: date, protocol: Protocol) -> date:
    """The day the reminder of `kind` goes off, after a treatment on `treatment`."""
    days = {"sun": protocol.sun_safe_days, "makeup": protocol.makeup_days, "results": protocol.results_by_days}
    return treatment + timedelta(days=days[kind])


def when(kind: str, record: PatientRecord, protocol: Protocol) -> date | None:
    """The day a reminder of `kind` goes off for this record: counted from the newest date,
    or from a treatment told of in advance that comes before that day (the reminder would
    otherwise say "it's fine now" after it), and so on."""
    if record.latest is None:
        return None
    base = record.latest
    while True:
        day = due(kind, base, protocol)
        sooner = [booked for booked in record.planned if base < booked <= day]
        if not sooner:
            return day
        base = max(sooner)


@dataclass(frozen=True)
class Moves:
    """What to do with the reminders kept, given the record as it now stands."""

    keep: tuple[Reminder, ...] = ()
    move: tuple[tuple[Reminder, date], ...] = ()  # each with its new day
    drop: tuple[Reminder, ...] = ()  # no date stands for it, or its new day has come: deleted
    expired: tuple[Reminder, ...] = ()  # gone off already, on the right day: only forgotten

    def __bool__(self) -> bool:
        return bool(self.move or self.drop or self.expired)


def follow(record: PatientRecord, today: LocalDay, protocol: Protocol) -> Moves:
    """How the record's reminders must change so that each goes off on the day its rule turns
    after the newest date, and none rests on a date that does not stand."""
    keep: list[Reminder] = []
    move: list[tuple[Reminder, date]] = []
    drop: list[Reminder] = []
    expired: list[Reminder] = []
    stands = record.latest if record.settled and record.arrived(today.latest) is None else None
    for reminder in record.reminders:
        day = when(reminder.kind, record, protocol) if stands is not None else None
        if day == reminder.day:
            (expired if day < today.earliest else keep).append(reminder)
        elif day is None or day <= today.latest:
            drop.append(reminder)
        else:
            move.append((reminder, day))
    return Moves(tuple(keep), tuple(move), tuple(drop), tuple(expired))

"""The store's contract: one record per patient, keyed without the raw Alexa ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Protocol

SCHEMA_VERSION = 4

# The profile of an account's shared record: the one used when Alexa did not recognise the
# speaker. Not empty, because DynamoDB refuses empty key strings; and never equal to a
# person's profile, which is always 64 lowercase hex digits.
SHARED_PROFILE = "shared"

# Devices whose time zone a record remembers; a household has a few, a hotel room one more.
MAX_ZONES = 4


class StoreError(RuntimeError):
    """The store could not be reached or did not answer in time; nothing was half-written.

    `uncertain`: a write was sent but neither its answer nor a read back arrived, so it may
    or may not have been applied, and the patient must not be told either way.
    """

    def __init__(self, message: str, *, uncertain: bool = False) -> None:
        super().__init__(message)
        self.uncertain = uncertain


@dataclass(frozen=True)
class Reminder:
    """A reminder set with Alexa: what it is for, the day it goes off (for a daily one, the
    day it ends), Alexa's token, and for a daily one the time of day the patient chose."""

    kind: str
    day: date
    token: str = field(repr=False)
    at: time | None = None


@dataclass(frozen=True)
class PatientRecord:
    """What the answers need, and nothing else.

    `unconfirmed` holds the treatment dates the skill moved into the past and asked the
    patient to confirm; nothing says "yes" on one of them until they do. `undated` is the
    day the patient told of a treatment without saying when it was: until they do, nothing
    says "yes" at all, since that treatment may be the newest. `planned` holds the days of
    treatments the patient told of in advance ("my next session is on December 1st"): from each
    day on, nothing says "yes" until they say whether they had it. `zones` pairs a device
    digest with the time zone the Settings API last gave for it, most recent last, for turns
    when the API cannot answer. `reminders` are the reminders the skill set with Alexa for the
    patient: what each is for, the day it goes off, and Alexa's token for it, so it can be
    moved or deleted when the dates change or are forgotten.
    """

    treatments: tuple[date, ...] = ()
    welcomed: bool = False
    unconfirmed: tuple[date, ...] = ()
    zones: tuple[tuple[str, str], ...] = ()
    undated: date | None = None
    planned: tuple[date, ...] = ()
    reminders: tuple[Reminder, ...] = ()

    @property
    def latest(self) -> date | None:
        return max(self.treatments) if self.treatments else None

    @property
    def latest_unconfirmed(self) -> bool:
        """Whether the date every answer would rest on still waits for the patient's yes."""
        return self.latest is not None and self.latest in self.unconfirmed

    def zone_for(self, device: str) -> str | None:
        return dict(self.zones).get(device)

    def with_zone(self, device: str, zone: str) -> tuple[tuple[str, str], ...]:
        kept = tuple((d, z) for d, z in self.zones if d != device)
        return (*kept, (device, zone))[-MAX_ZONES:]

    def changed(self, change: Change) -> PatientRecord:
        """This record with a change applied, as every store applies it."""
        days = set(self.treatments)
        if change.remove is not None:
            days.discard(change.remove)
        if change.add is not None:
            days.add(change.add)
        unconfirmed = set(self.unconfirmed) - {change.confirm, change.remove}
        if change.doubt and change.add is not None:
            unconfirmed.add(change.add)
        return replace(
            self,
            treatments=tuple(sorted(days)),
            welcomed=self.welcomed or change.welcome,
            unconfirmed=tuple(sorted(unconfirmed & days)),
            zones=self.zones if change.zones is None else change.zones,
            undated=change.undated or (None if change.dated else self.undated),
            # What is taken off first, so that a day moved to itself stays.
            planned=tuple(sorted((set(self.planned) - set(change.unplan)) | ({change.plan} if change.plan else set()))),
            reminders=self.reminders if change.reminders is None else change.reminders,
        )

    @property
    def settled(self) -> bool:
        """Whether the newest date stands: told, not waiting for a yes, no undated treatment."""
        return self.latest is not None and not self.latest_unconfirmed and self.undated is None

    def arrived(self, today: date) -> date | None:
        """The first treatment told of in advance whose day has come by `today`, if any: it
        may have happened, so nothing says "yes" until the patient says whether it did. One
        on or before the newest treatment is settled by it, for as long as that date stands
        (a correction that moves it back before the booking brings the question back)."""
        come = [day for day in self.planned if day <= today and (self.latest is None or day > self.latest)]
        return come[0] if come else None


@dataclass(frozen=True)
class Change:
    """One write: every field that is set changes, all in one atomic step.

    `remove` then `add` replaces a date; `doubt` marks the added date unconfirmed;
    `confirm` clears the mark from a date; removing a date clears its mark too. `undated`
    notes a treatment told without its date; `dated` says its date has now been told. `plan`
    notes a treatment told of in advance; `unplan` forgets those (had, moved or called off).
    """

    add: date | None = None
    remove: date | None = None
    doubt: bool = False
    confirm: date | None = None
    welcome: bool = False
    zones: tuple[tuple[str, str], ...] | None = None
    undated: date | None = None
    dated: bool = False
    plan: date | None = None
    unplan: tuple[date, ...] = ()
    reminders: tuple[Reminder, ...] | None = None  # all of them, as they now stand

    def __bool__(self) -> bool:
        return self != Change()


@dataclass(frozen=True)
class PatientId:
    """Whose record: `account` groups every record of one Alexa account, so disabling the
    skill can find them all; `profile` tells apart the people of a household.

    Both are digests or SHARED_PROFILE, never raw Alexa ids. They are kept out of repr so
    that no traceback or log line ever carries them.
    """

    account: str = field(repr=False)
    profile: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.account or not self.profile:
            raise ValueError("a patient id needs an account and a profile")

    @property
    def digest(self) -> str:
        """A short stand-in for the pair, for the session's note of whose state it is."""
        return _digest(f"{self.account}/{self.profile}")[:32]


class TreatmentStore(Protocol):
    """Every write is one atomic step, so two devices recording at once lose nothing."""

    def get(self, patient: PatientId) -> PatientRecord | None:
        """The patient's record, or None when nothing is stored."""

    def update(self, patient: PatientId, change: Change) -> PatientRecord:
        """Apply a change (creating the record if needed); return the record as stored."""

    def household(self, account: str) -> dict[str, date]:
        """Every record of the account that has treatment dates (the shared one and each
        recognised person's), by profile, with its newest date: one consistent read."""

    def delete(self, patient: PatientId) -> None:
        """Forget everything stored for the patient."""

    def delete_account(self, account: str) -> None:
        """Forget every record of the account: the shared one and every recognised person's.

        Deleting an account with no records is not an error, and running it again after a
        failure finishes the job.
        """


def account_key(user_id: str) -> str:
    """The account part of every PatientId of this Alexa user."""
    return _digest(user_id)


def device_key(device_id: str) -> str:
    """A stable stand-in for a device id, for remembering its time zone."""
    return _digest(f"device/{device_id}")[:32]


def patient_id(user_id: str, person_id: str | None = None) -> PatientId:
    """A stable id that does not reveal the Alexa ids it came from.

    A recognised voice profile gets its own record, so two patients in one household
    never share treatment dates; everyone else on the account shares one record.
    """
    profile = _digest(person_id) if person_id else SHARED_PROFILE
    return PatientId(account_key(user_id), profile)


def _digest(alexa_id: str) -> str:
    return hashlib.sha256(alexa_id.encode("utf-8")).hexdigest()

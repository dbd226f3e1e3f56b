"""The store's contract: one record per patient, keyed without the raw Alexa ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

SCHEMA_VERSION = 1

# The profile of an account's shared record: the one used when Alexa did not recognise the
# speaker. Not empty, because DynamoDB refuses empty key strings; and never equal to a
# person's profile, which is always 64 lowercase hex digits.
SHARED_PROFILE = "shared"


class StoreError(RuntimeError):
    """The store could not be reached or did not answer in time; nothing was half-written."""


@dataclass(frozen=True)
class PatientRecord:
    """What the answers need, and nothing else: the treatment dates and whether the
    first-launch notice was heard."""

    treatments: tuple[date, ...] = ()
    welcomed: bool = False

    @property
    def latest(self) -> date | None:
        return max(self.treatments) if self.treatments else None

    def to_session(self) -> dict:
        return {"treatments": [d.isoformat() for d in self.treatments], "welcomed": self.welcomed}

    @classmethod
    def from_session(cls, data: dict) -> PatientRecord:
        return cls(
            treatments=tuple(sorted(date.fromisoformat(d) for d in data.get("treatments", []))),
            welcomed=bool(data.get("welcomed", False)),
        )


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


class TreatmentStore(Protocol):
    """Every write is one atomic step, so two devices recording at once lose nothing."""

    def get(self, patient: PatientId) -> PatientRecord | None:
        """The patient's record, or None when nothing is stored."""

    def add_treatment(self, patient: PatientId, day: date) -> PatientRecord:
        """Add a treatment date (a series keeps every date); return the new record."""

    def replace_treatment(self, patient: PatientId, old: date, new: date) -> PatientRecord:
        """Swap one stored date for a corrected one; return the new record."""

    def mark_welcomed(self, patient: PatientId) -> None:
        """Remember that the first-launch notice was heard."""

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


def patient_id(user_id: str, person_id: str | None = None) -> PatientId:
    """A stable id that does not reveal the Alexa ids it came from.

    A recognised voice profile gets its own record, so two patients in one household
    never share treatment dates; everyone else on the account shares one record.
    """
    profile = _digest(person_id) if person_id else SHARED_PROFILE
    return PatientId(account_key(user_id), profile)


def _digest(alexa_id: str) -> str:
    return hashlib.sha256(alexa_id.encode("utf-8")).hexdigest()

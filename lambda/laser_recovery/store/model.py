"""The store's contract: one record per patient, keyed without the raw Alexa ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Protocol

SCHEMA_VERSION = 1


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


class TreatmentStore(Protocol):
    """Every write is one atomic step, so two devices recording at once lose nothing."""

    def get(self, key: str) -> PatientRecord | None:
        """The patient's record, or None when nothing is stored."""

    def add_treatment(self, key: str, day: date) -> PatientRecord:
        """Add a treatment date (a series keeps every date); return the new record."""

    def replace_treatment(self, key: str, old: date, new: date) -> PatientRecord:
        """Swap one stored date for a corrected one; return the new record."""

    def mark_welcomed(self, key: str) -> None:
        """Remember that the first-launch notice was heard."""

    def delete(self, key: str) -> None:
        """Forget everything stored for the patient."""


def patient_key(user_id: str, person_id: str | None = None) -> str:
    """A stable key that does not reveal the Alexa ids it came from.

    A recognised voice profile gets its own record, so two patients in one household
    never share treatment dates.
    """
    material = user_id if person_id is None else f"{user_id}\n{person_id}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()

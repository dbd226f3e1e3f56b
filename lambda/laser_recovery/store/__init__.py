"""Where each patient's treatment dates live.

Handlers see only the TreatmentStore protocol; `open_store` picks DynamoDB in the cloud
(TABLE_NAME set) or the embedded SQLite file on a laptop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import (
    Change,
    PatientId,
    PatientRecord,
    Reminder,
    StoreError,
    TreatmentStore,
    account_key,
    device_key,
    patient_id,
)

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "Change",
    "PatientId",
    "PatientRecord",
    "Reminder",
    "StoreError",
    "TreatmentStore",
    "account_key",
    "device_key",
    "open_store",
    "patient_id",
]


def open_store(settings: Settings) -> TreatmentStore:
    """The store the settings ask for; boto3 is imported only when DynamoDB is used."""
    if settings.table_name:
        from .dynamodb import DynamoDBStore

        return DynamoDBStore(settings.table_name)
    from .sqlite import SQLiteStore

    return SQLiteStore(settings.local_store)

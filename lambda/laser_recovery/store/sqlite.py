"""The embedded store: one SQLite file, for a laptop or a single small server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

from .model import SCHEMA_VERSION, PatientRecord, StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS patients (
    patient_key TEXT PRIMARY KEY,
    welcomed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    schema_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS treatments (
    patient_key TEXT NOT NULL REFERENCES patients(patient_key) ON DELETE CASCADE,
    day TEXT NOT NULL,
    PRIMARY KEY (patient_key, day)
);
"""


class SQLiteStore:
    """A connection per call keeps it safe across threads; each write is one transaction."""

    def __init__(self, path: Path | str) -> None:
        self._path = str(path)
        with self._transaction() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self._path, timeout=5.0)) as db:
                db.execute("PRAGMA foreign_keys = ON")
                with db:
                    yield db
        except sqlite3.Error as error:
            raise StoreError(f"embedded store: {type(error).__name__}") from error

    def get(self, key: str) -> PatientRecord | None:
        with self._transaction() as db:
            return _read(db, key)

    def add_treatment(self, key: str, day: date) -> PatientRecord:
        with self._transaction() as db:
            _touch(db, key)
            db.execute(
                "INSERT OR IGNORE INTO treatments (patient_key, day) VALUES (?, ?)",
                (key, day.isoformat()),
            )
            return _read(db, key) or PatientRecord()

    def replace_treatment(self, key: str, old: date, new: date) -> PatientRecord:
        with self._transaction() as db:
            _touch(db, key)
            db.execute(
                "DELETE FROM treatments WHERE patient_key = ? AND day = ?", (key, old.isoformat())
            )
            db.execute(
                "INSERT OR IGNORE INTO treatments (patient_key, day) VALUES (?, ?)",
                (key, new.isoformat()),
            )
            return _read(db, key) or PatientRecord()

    def mark_welcomed(self, key: str) -> None:
        with self._transaction() as db:
            _touch(db, key)
            db.execute("UPDATE patients SET welcomed = 1 WHERE patient_key = ?", (key,))

    def delete(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM patients WHERE patient_key = ?", (key,))


def _touch(db: sqlite3.Connection, key: str) -> None:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    db.execute(
        "INSERT INTO patients (patient_key, created_at, updated_at, schema_version)"
        " VALUES (?, ?, ?, ?)"
        " ON CONFLICT (patient_key) DO UPDATE SET updated_at = excluded.updated_at",
        (key, now, now, SCHEMA_VERSION),
    )


def _read(db: sqlite3.Connection, key: str) -> PatientRecord | None:
    row = db.execute("SELECT welcomed FROM patients WHERE patient_key = ?", (key,)).fetchone()
    if row is None:
        return None
    days = db.execute(
        "SELECT day FROM treatments WHERE patient_key = ? ORDER BY day", (key,)
    ).fetchall()
    return PatientRecord(tuple(date.fromisoformat(d) for (d,) in days), bool(row[0]))

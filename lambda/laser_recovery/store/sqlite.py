"""The embedded store: one SQLite file, for a laptop or a single small server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

from .model import SCHEMA_VERSION, PatientId, PatientRecord, StoreError

# The file's layout is marked with SQLite's user_version, so a file written by another layout
# is recognised. One script, one transaction: no other process sees the tables unmarked.
_SCHEMA = f"""
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS patients (
    account TEXT NOT NULL,
    profile TEXT NOT NULL,
    welcomed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    PRIMARY KEY (account, profile)
);
CREATE TABLE IF NOT EXISTS treatments (
    account TEXT NOT NULL,
    profile TEXT NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (account, profile, day),
    FOREIGN KEY (account, profile) REFERENCES patients (account, profile) ON DELETE CASCADE
);
PRAGMA user_version = {SCHEMA_VERSION};
COMMIT;
"""

_WHERE = "account = ? AND profile = ?"


class SQLiteStore:
    """A connection per call keeps it safe across threads; each write is one transaction."""

    def __init__(self, path: Path | str) -> None:
        self._path = str(path)
        with self._transaction() as db:
            # One statement, so both are read from the same snapshot of the file.
            layout, tables = db.execute(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                " (SELECT count(*) FROM sqlite_master WHERE type = 'table')"
            ).fetchone()
            if layout == SCHEMA_VERSION:
                return
            if layout != 0 or tables:
                # Files from before records were keyed by account and profile (never shipped).
                raise StoreError(
                    f"embedded store: {self._path} was written in another layout;"
                    " delete that file (or point LOCAL_STORE elsewhere) and start again"
                )
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

    def get(self, patient: PatientId) -> PatientRecord | None:
        with self._transaction() as db:
            return _read(db, patient)

    def add_treatment(self, patient: PatientId, day: date) -> PatientRecord:
        with self._transaction() as db:
            _touch(db, patient)
            _insert_day(db, patient, day)
            return _read(db, patient) or PatientRecord()

    def replace_treatment(self, patient: PatientId, old: date, new: date) -> PatientRecord:
        with self._transaction() as db:
            _touch(db, patient)
            db.execute(
                f"DELETE FROM treatments WHERE {_WHERE} AND day = ?",
                (patient.account, patient.profile, old.isoformat()),
            )
            _insert_day(db, patient, new)
            return _read(db, patient) or PatientRecord()

    def mark_welcomed(self, patient: PatientId) -> None:
        with self._transaction() as db:
            _touch(db, patient)
            db.execute(
                f"UPDATE patients SET welcomed = 1 WHERE {_WHERE}",
                (patient.account, patient.profile),
            )

    def delete(self, patient: PatientId) -> None:
        with self._transaction() as db:
            db.execute(f"DELETE FROM patients WHERE {_WHERE}", (patient.account, patient.profile))

    def delete_account(self, account: str) -> None:
        # One transaction; the treatments go with their patients (ON DELETE CASCADE).
        with self._transaction() as db:
            db.execute("DELETE FROM patients WHERE account = ?", (account,))


def _touch(db: sqlite3.Connection, patient: PatientId) -> None:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    db.execute(
        "INSERT INTO patients (account, profile, created_at, updated_at, schema_version)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (account, profile) DO UPDATE SET updated_at = excluded.updated_at",
        (patient.account, patient.profile, now, now, SCHEMA_VERSION),
    )


def _insert_day(db: sqlite3.Connection, patient: PatientId, day: date) -> None:
    db.execute(
        "INSERT OR IGNORE INTO treatments (account, profile, day) VALUES (?, ?, ?)",
        (patient.account, patient.profile, day.isoformat()),
    )


def _read(db: sqlite3.Connection, patient: PatientId) -> PatientRecord | None:
    key = (patient.account, patient.profile)
    row = db.execute(f"SELECT welcomed FROM patients WHERE {_WHERE}", key).fetchone()
    if row is None:
        return None
    days = db.execute(f"SELECT day FROM treatments WHERE {_WHERE} ORDER BY day", key).fetchall()
    return PatientRecord(tuple(date.fromisoformat(d) for (d,) in days), bool(row[0]))

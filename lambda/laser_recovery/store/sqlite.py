"""The embedded store: one SQLite file, for a laptop or a single small server."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from .model import SCHEMA_VERSION, Change, PatientId, PatientRecord, StoreError

# The file's layout is marked with SQLite's user_version, so a file written by another layout
# is recognised. One script, one transaction: no other process sees the tables unmarked.
_SCHEMA = f"""
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS patients (
    account TEXT NOT NULL,
    profile TEXT NOT NULL,
    welcomed INTEGER NOT NULL DEFAULT 0,
    unconfirmed TEXT,
    zones TEXT,
    undated TEXT,
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

# Layout 1 had no unconfirmed dates, remembered zones or undated note; they start empty.
_FROM_LAYOUT_1 = f"""
BEGIN IMMEDIATE;
ALTER TABLE patients ADD COLUMN unconfirmed TEXT;
ALTER TABLE patients ADD COLUMN zones TEXT;
ALTER TABLE patients ADD COLUMN undated TEXT;
PRAGMA user_version = {SCHEMA_VERSION};
COMMIT;
"""

_WHERE = "account = ? AND profile = ?"


class SQLiteStore:
    """A connection per call keeps it safe across threads; each write is one transaction."""

    def __init__(self, path: Path | str) -> None:
        self._path = str(path)
        # Health data: readable by this user only, whoever created the file.
        try:
            os.close(os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(self._path, 0o600)
        except OSError as error:
            raise StoreError(f"embedded store: cannot open {self._path} ({error.strerror})") from None
        with self._transaction() as db:
            # One statement, so both are read from the same snapshot of the file.
            layout, tables = db.execute(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                " (SELECT count(*) FROM sqlite_master WHERE type = 'table')"
            ).fetchone()
        if layout == SCHEMA_VERSION:
            return
        with closing(sqlite3.connect(self._path, timeout=5.0, isolation_level=None)) as db:
            if layout == 1:
                db.executescript(_FROM_LAYOUT_1)
            elif layout == 0 and not tables:
                db.executescript(_SCHEMA)
            else:
                raise StoreError(
                    f"embedded store: {self._path} was written in another layout;"
                    " delete that file (or point LOCAL_STORE elsewhere) and start again"
                )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self._path, timeout=5.0)) as db:
                db.execute("PRAGMA foreign_keys = ON")
                # Deleted dates are overwritten, not left in free pages of the file.
                db.execute("PRAGMA secure_delete = ON")
                with db:
                    yield db
        except sqlite3.Error as error:
            raise StoreError(f"embedded store: {type(error).__name__}") from error

    def get(self, patient: PatientId) -> PatientRecord | None:
        with self._transaction() as db:
            return _read(db, patient)

    def update(self, patient: PatientId, change: Change) -> PatientRecord:
        with self._transaction() as db:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            db.execute(
                "INSERT INTO patients (account, profile, created_at, updated_at, schema_version)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (account, profile) DO UPDATE SET updated_at = excluded.updated_at",
                (patient.account, patient.profile, now, now, SCHEMA_VERSION),
            )
            current = _read(db, patient) or PatientRecord()
            if change.remove is not None:
                db.execute(
                    f"DELETE FROM treatments WHERE {_WHERE} AND day = ?",
                    (patient.account, patient.profile, change.remove.isoformat()),
                )
            if change.add is not None:
                db.execute(
                    "INSERT OR IGNORE INTO treatments (account, profile, day) VALUES (?, ?, ?)",
                    (patient.account, patient.profile, change.add.isoformat()),
                )
            wanted = current.changed(change)
            db.execute(
                f"UPDATE patients SET welcomed = ?, unconfirmed = ?, zones = ?, undated = ? WHERE {_WHERE}",
                (
                    int(wanted.welcomed),
                    json.dumps([d.isoformat() for d in wanted.unconfirmed]) if wanted.unconfirmed else None,
                    json.dumps([list(pair) for pair in wanted.zones]) if wanted.zones else None,
                    wanted.undated.isoformat() if wanted.undated else None,
                    patient.account,
                    patient.profile,
                ),
            )
            return _read(db, patient) or PatientRecord()

    def others(self, patient: PatientId) -> bool:
        with self._transaction() as db:
            found = db.execute(
                "SELECT 1 FROM treatments WHERE account = ? AND profile != ? LIMIT 1",
                (patient.account, patient.profile),
            ).fetchone()
            return found is not None

    def delete(self, patient: PatientId) -> None:
        with self._transaction() as db:
            db.execute(f"DELETE FROM patients WHERE {_WHERE}", (patient.account, patient.profile))

    def delete_account(self, account: str) -> None:
        # One transaction; the treatments go with their patients (ON DELETE CASCADE).
        with self._transaction() as db:
            db.execute("DELETE FROM patients WHERE account = ?", (account,))


def _read(db: sqlite3.Connection, patient: PatientId) -> PatientRecord | None:
    key = (patient.account, patient.profile)
    query = f"SELECT welcomed, unconfirmed, zones, undated FROM patients WHERE {_WHERE}"
    row = db.execute(query, key).fetchone()
    if row is None:
        return None
    welcomed, unconfirmed, zones, undated = row
    days = db.execute(f"SELECT day FROM treatments WHERE {_WHERE} ORDER BY day", key).fetchall()
    return PatientRecord(
        treatments=tuple(date.fromisoformat(d) for (d,) in days),
        welcomed=bool(welcomed),
        unconfirmed=tuple(date.fromisoformat(d) for d in json.loads(unconfirmed)) if unconfirmed else (),
        zones=tuple((str(d), str(z)) for d, z in json.loads(zones)) if zones else (),
        undated=date.fromisoformat(undated) if undated else None,
    )

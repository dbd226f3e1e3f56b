"""The embedded store: one SQLite file, for a laptop or a single small server."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from pathlib import Path

from .. import budget
from .model import SCHEMA_VERSION, Change, PatientId, PatientRecord, Reminder, StoreError

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
    planned TEXT,
    reminders TEXT,
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

# Layout 1 had no unconfirmed dates, remembered zones or undated note, and layout 2 no
# planned treatment: what a layout lacks starts empty.
_COLUMNS_SINCE = {2: ("unconfirmed", "zones", "undated"), 3: ("planned",), 4: ("reminders",)}


def _migration(layout: int) -> str:
    added = [column for since, columns in _COLUMNS_SINCE.items() if since > layout for column in columns]
    alters = "".join(f"ALTER TABLE patients ADD COLUMN {column} TEXT;\n" for column in added)
    return f"BEGIN IMMEDIATE;\n{alters}PRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;\n"


_WHERE = "account = ? AND profile = ?"

log = logging.getLogger(__name__)

# How long one call may wait for the file, in all: for this process's other writers, then for
# another process's lock. Well inside Alexa's 8 seconds.
BUSY_SECONDS = 5.0
# Connections kept open between calls. The web service runs each request on a thread of its
# own, so connections are pooled rather than kept per thread; a burst beyond this many opens
# more and closes them after.
_IDLE_CONNECTIONS = 16
# Readers hold a snapshot for microseconds. Emptying the journal waits this long for one that
# holds it longer, not for the whole budget with every writer of the process queued behind it.
_WIPE_WAIT_MS = 200
# Beside the file: the journal (WAL), which holds recent pages of it, and the journal's index.
_SIDE_FILES = ("-wal", "-shm")


class SQLiteStore:
    """One SQLite file in WAL mode, shared by every thread of the process.

    Readers never wait for writers (WAL); writers take turns on a lock of this process, so
    they never poll SQLite's busy handler, whose sleeps grow to 100 ms at a time; the busy
    timeout is left for other processes. A commit is not flushed to disk (synchronous=NORMAL):
    a crash of the process loses nothing, a power cut may lose the last commits. Removing a
    date or a record checkpoints the journal into the file and empties it, so what was removed
    lingers in neither.
    """

    def __init__(self, path: Path | str) -> None:
        self._path = str(path)
        self._idle: list[_Connection] = []
        self._idle_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wipe_pending = False
        # Nothing is created, locked or changed until the files are known to be this skill's.
        _refuse_foreign(self._path)
        try:
            self._prepare()
        except StoreError as error:
            if not isinstance(error.__cause__, sqlite3.Error):
                raise
            raise StoreError(f"LOCAL_STORE {self._path} cannot be used ({error.__cause__})") from None

    def _prepare(self) -> None:
        with self._transaction("BEGIN IMMEDIATE") as db:
            # One statement, so both are read from the same snapshot of the file.
            layout, entries, *shape = db.execute(_LAYOUT).fetchone()
        if not _ours(layout, entries, *shape):
            raise StoreError(_FOREIGN.format(path=self._path))
        with self._connection() as db:
            # Stored in the file: every later connection, in any process, uses the journal.
            db.execute("PRAGMA journal_mode = WAL")
            if 0 < layout < SCHEMA_VERSION:
                db.executescript(_migration(layout))
            elif layout == 0:
                db.executescript(_SCHEMA)
        # A process stopped before its journal was emptied may have left removed dates in it.
        self._wipe_pending = True
        self._wipe()

    def get(self, patient: PatientId) -> PatientRecord | None:
        with self._transaction("BEGIN") as db:
            return _read(db, patient)

    def update(self, patient: PatientId, change: Change) -> PatientRecord:
        with self._transaction("BEGIN IMMEDIATE") as db:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            db.execute(
                "INSERT INTO patients (account, profile, created_at, updated_at, schema_version)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (account, profile) DO UPDATE SET updated_at = excluded.updated_at",
                (patient.account, patient.profile, now, now, SCHEMA_VERSION),
            )
            current = _read(db, patient) or PatientRecord()
            if change.remove is not None:
                removed = db.execute(
                    f"DELETE FROM treatments WHERE {_WHERE} AND day = ?",
                    (patient.account, patient.profile, change.remove.isoformat()),
                )
                self._wipe_pending |= removed.rowcount > 0
            if change.add is not None:
                db.execute(
                    "INSERT OR IGNORE INTO treatments (account, profile, day) VALUES (?, ?, ?)",
                    (patient.account, patient.profile, change.add.isoformat()),
                )
            wanted = current.changed(change)
            db.execute(
                "UPDATE patients SET welcomed = ?, unconfirmed = ?, zones = ?, undated = ?, planned = ?,"
                f" reminders = ? WHERE {_WHERE}",
                (
                    int(wanted.welcomed),
                    json.dumps([d.isoformat() for d in wanted.unconfirmed]) if wanted.unconfirmed else None,
                    json.dumps([list(pair) for pair in wanted.zones]) if wanted.zones else None,
                    wanted.undated.isoformat() if wanted.undated else None,
                    json.dumps([d.isoformat() for d in wanted.planned]) if wanted.planned else None,
                    _reminders_json(wanted.reminders),
                    patient.account,
                    patient.profile,
                ),
            )
            return _read(db, patient) or PatientRecord()

    def household(self, account: str) -> dict[str, date]:
        with self._transaction("BEGIN") as db:
            rows = db.execute(
                "SELECT profile, max(day) FROM treatments WHERE account = ? GROUP BY profile", (account,)
            ).fetchall()
            return {profile: date.fromisoformat(newest) for profile, newest in rows}

    def delete(self, patient: PatientId) -> None:
        with self._transaction("BEGIN IMMEDIATE") as db:
            deleted = db.execute(f"DELETE FROM patients WHERE {_WHERE}", (patient.account, patient.profile))
            self._wipe_pending |= deleted.rowcount > 0

    def delete_account(self, account: str) -> None:
        # One transaction; the treatments go with their patients (ON DELETE CASCADE).
        with self._transaction("BEGIN IMMEDIATE") as db:
            deleted = db.execute("DELETE FROM patients WHERE account = ?", (account,))
            self._wipe_pending |= deleted.rowcount > 0

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        """One transaction; `BEGIN IMMEDIATE` for writes, which take this process's lock first."""
        writing = begin != "BEGIN"
        # Its own limit, or what is left of the turn's budget if that is less.
        wait = min(BUSY_SECONDS, budget.left())
        if wait <= 0:
            raise StoreError("embedded store: no time left in the turn")
        deadline = time.monotonic() + wait
        if writing and not self._write_lock.acquire(timeout=wait):
            raise StoreError("embedded store: busy")
        wipe = False
        try:
            with self._connection() as db:
                # Whatever waiting for this process's lock took comes out of the same budget.
                db.execute(f"PRAGMA busy_timeout = {max(1, int((deadline - time.monotonic()) * 1000))}")
                db.execute(begin)
                # On an exception the connection is closed, which rolls the transaction back.
                yield db
                db.execute("COMMIT")
                wipe = writing and self._wipe_pending
        finally:
            if writing:
                self._write_lock.release()
        if wipe:
            self._wipe()

    def _wipe(self) -> None:
        """Empty the journal, so that what was removed is in neither it nor the file.

        Earlier versions of the pages stay in the journal after a delete, secure_delete or
        not. A checkpoint copies the journal into the file, where secure_delete has zeroed
        what was removed; TRUNCATE then empties the journal. The copying and flushing take
        milliseconds, so they are done first while the other writers carry on; the TRUNCATE
        that follows, with this process's writers held, has little left to copy. If it cannot
        finish (a reader of an older snapshot), the next write tries again. The write being
        wiped after is done either way.
        """
        try:
            with self._connection() as db:
                db.execute(f"PRAGMA busy_timeout = {_WIPE_WAIT_MS}")
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if not self._write_lock.acquire(timeout=BUSY_SECONDS):
                    return
                try:
                    if self._wipe_pending:  # not already done by another thread's wipe
                        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                        self._wipe_pending = bool(busy)
                finally:
                    self._write_lock.release()
        except StoreError as error:
            log.warning("embedded store: journal not emptied yet (%s)", error)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of the pool, for this thread alone until the block ends."""
        try:
            try:
                now_at = _identity(self._path)
            except OSError:
                now_at = None  # gone: a new connection finds out how
            kept = None
            with self._idle_lock:
                while self._idle and kept is None:
                    candidate = self._idle.pop()
                    if candidate.file == now_at:
                        kept = candidate
                    else:
                        # The file was replaced or deleted: writing through this connection
                        # would go to a file no one will read again.
                        candidate.db.close()
            connection = kept or self._open()
            try:
                yield connection.db
            except BaseException:
                connection.db.close()  # whatever went wrong stays with it
                raise
            with self._idle_lock:
                if len(self._idle) < _IDLE_CONNECTIONS:
                    self._idle.append(connection)
                    return
            connection.db.close()
        except sqlite3.Error as error:
            raise StoreError(f"embedded store: {type(error).__name__}") from error

    def _open(self) -> _Connection:
        try:
            _private(self._path)
            for suffix in _SIDE_FILES:
                _private(self._path + suffix, os.O_NOFOLLOW)
            file = _identity(self._path)
        except OSError as error:
            raise StoreError(f"embedded store: cannot open {self._path} ({error.strerror})") from None
        # Autocommit, so that every transaction is begun here, as read or write.
        db = sqlite3.connect(self._path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            # Deleted dates are overwritten, not left in free pages of the file.
            db.execute("PRAGMA secure_delete = ON")
            db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error:
            db.close()
            raise
        return _Connection(db, file)


@dataclass(frozen=True)
class _Connection:
    db: sqlite3.Connection
    file: tuple[int, int]  # the file it was opened on (device, inode)


# The layout mark, how many things the schema holds, its tables, and the two tables' columns.
_LAYOUT = """
SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master),
    (SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)),
    (SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('patients') ORDER BY name)),
    (SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('treatments') ORDER BY name))
"""
_LAYOUTS = {
    1: ("patients,treatments", "account,created_at,profile,schema_version,updated_at,welcomed", "account,day,profile"),
    2: (
        "patients,treatments",
        "account,created_at,profile,schema_version,unconfirmed,undated,updated_at,welcomed,zones",
        "account,day,profile",
    ),
    3: (
        "patients,treatments",
        "account,created_at,planned,profile,schema_version,unconfirmed,undated,updated_at,welcomed,zones",
        "account,day,profile",
    ),
    SCHEMA_VERSION: (
        "patients,treatments",
        "account,created_at,planned,profile,reminders,schema_version,unconfirmed,undated,updated_at,welcomed,zones",
        "account,day,profile",
    ),
}
_FOREIGN = "LOCAL_STORE {path} was written by another program or layout; point LOCAL_STORE at a new file"
# A journal starts with one of these two numbers (SQLite's file format, section 4.1).
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def _ours(layout: int, entries: int, *shape: str | None) -> bool:
    """A layout this code reads (or migrates), table for table and column for column, or a
    new file with nothing in it."""
    return (layout == 0 and not entries) or _LAYOUTS.get(layout) == shape


def _refuse_foreign(path: str) -> None:
    """Raise StoreError, changing nothing, when the store file or a journal beside it is not
    this store's: a database of other tables, a journal of another database or program."""
    for suffix in (*_SIDE_FILES, "-journal"):
        side = path + suffix
        if os.path.islink(side) or (os.path.lexists(side) and not os.path.isfile(side)):
            raise StoreError(f"LOCAL_STORE {path}: {side} is not a regular file; remove it")
    if _size(path + "-journal"):  # this store journals in WAL only: SQLite would roll this back into it
        raise StoreError(f"LOCAL_STORE {path}: {path}-journal is not this store's journal; remove it")
    journal = _size(path + "-wal")
    if journal:
        with open(path + "-wal", "rb") as wal:
            if wal.read(4) not in _WAL_MAGIC:
                raise StoreError(f"LOCAL_STORE {path}: {path}-wal is not SQLite's journal; remove it")
    if not _size(path):
        if journal:
            raise StoreError(f"LOCAL_STORE {path}: {path}-wal is a journal without its store; remove it")
        return  # a new store (SQLite reads an empty file as an empty database)
    # Read-only, with the journal: what a store would read, while neither the file nor its
    # journal is written (SQLite may build the journal's index, -shm, which holds no data).
    try:
        with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
            layout, entries, *shape = db.execute(_LAYOUT).fetchone()
    except sqlite3.Error as error:
        raise StoreError(f"LOCAL_STORE {path} cannot be read as a store ({error})") from None
    if not _ours(layout, entries, *shape):
        raise StoreError(_FOREIGN.format(path=path))


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def _identity(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino


def _private(path: str, flags: int = 0) -> None:
    """Create the file if need be, and make it readable by this user only, whatever the umask.

    Health data, in the journal as much as in the file.
    """
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def _reminders_json(reminders: tuple[Reminder, ...]) -> str | None:
    if not reminders:
        return None
    return json.dumps([[r.kind, r.day.isoformat(), r.token, *([r.at.isoformat()] if r.at else [])] for r in reminders])


def _reminder(kind: str, day: str, token: str, at: str | None = None) -> Reminder:
    return Reminder(str(kind), date.fromisoformat(day), str(token), time_of_day.fromisoformat(at) if at else None)


def _read(db: sqlite3.Connection, patient: PatientId) -> PatientRecord | None:
    key = (patient.account, patient.profile)
    query = f"SELECT welcomed, unconfirmed, zones, undated, planned, reminders FROM patients WHERE {_WHERE}"
    row = db.execute(query, key).fetchone()
    if row is None:
        return None
    welcomed, unconfirmed, zones, undated, planned, reminders = row
    days = db.execute(f"SELECT day FROM treatments WHERE {_WHERE} ORDER BY day", key).fetchall()
    return PatientRecord(
        treatments=tuple(date.fromisoformat(d) for (d,) in days),
        welcomed=bool(welcomed),
        unconfirmed=tuple(date.fromisoformat(d) for d in json.loads(unconfirmed)) if unconfirmed else (),
        zones=tuple((str(d), str(z)) for d, z in json.loads(zones)) if zones else (),
        undated=date.fromisoformat(undated) if undated else None,
        planned=tuple(date.fromisoformat(d) for d in json.loads(planned)) if planned else (),
        reminders=tuple(_reminder(*r) for r in json.loads(reminders)) if reminders else (),
    )

"""The store contract, on SQLite and on DynamoDB Local alike, then DynamoDB's own promises:
the item shape, atomic writes under concurrency, and bounded, clean failures."""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, time, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store import (
    Change,
    PatientId,
    PatientRecord,
    Reminder,
    StoreError,
    TreatmentStore,
    account_key,
    patient_id,
)
from laser_recovery.store import dynamodb as dynamodb_store
from laser_recovery.store.dynamodb import CLIENT_CONFIG, DynamoDBStore
from laser_recovery.store.model import SHARED_PROFILE
from laser_recovery.store.sqlite import SQLiteStore
from tests.alexa import SKILL_ID, Conversation
from tests.dynamodb_faults import THROTTLE, TIMEOUT, UNAVAILABLE, FaultProxy, fault_proxy

USER = "amzn1.ask.account.TEST-PATIENT"
PERSON = "amzn1.ask.person.TEST-PERSON"
ACCOUNT = account_key(USER)
KEY = patient_id(USER)  # the account's shared record
OTHER = patient_id(USER, PERSON)  # a recognised person on the same account
STRANGER = patient_id("amzn1.ask.account.TEST-SOMEONE-ELSE")
D1, D2, D3 = date(2026, 3, 2), date(2026, 4, 6), date(2026, 5, 11)


# --- ids -----------------------------------------------------------------------------------


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_patient_ids_are_digests_grouped_by_account() -> None:
    assert KEY == PatientId(sha(USER), SHARED_PROFILE) == patient_id(USER, "")
    assert PatientId(sha(USER), sha(PERSON)) == OTHER
    assert KEY.account == OTHER.account == ACCOUNT != STRANGER.account
    assert patient_id(USER, PERSON) == OTHER  # stable: the same person finds the same record
    assert "TEST" not in repr(OTHER)  # and repr shows nothing, not even the digests
    assert OTHER.account not in repr(OTHER) and OTHER.profile not in repr(OTHER)
    with pytest.raises(ValueError):
        PatientId(ACCOUNT, "")  # DynamoDB refuses empty key strings: so does every store


# --- the contract, on every store ---------------------------------------------------------


def test_nothing_stored_reads_as_none(store: TreatmentStore) -> None:
    assert store.get(KEY) is None


def test_add_returns_the_new_record(store: TreatmentStore) -> None:
    assert store.update(KEY, Change(add=D1)) == PatientRecord((D1,), welcomed=False)
    assert store.get(KEY) == PatientRecord((D1,), welcomed=False)


def test_the_same_date_twice_is_stored_once(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    assert store.update(KEY, Change(add=D1)).treatments == (D1,)


def test_a_series_keeps_every_date_in_order(store: TreatmentStore) -> None:
    for day in (D2, D3, D1):
        record = store.update(KEY, Change(add=day))
    assert record.treatments == (D1, D2, D3)
    assert record.latest == D3
    assert store.get(KEY) == record


def test_an_unconfirmed_date_is_marked_until_confirmed(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    record = store.update(KEY, Change(add=D3, doubt=True))
    assert record.treatments == (D1, D3) and record.unconfirmed == (D3,) and record.latest_unconfirmed
    assert store.get(KEY) == record
    confirmed = store.update(KEY, Change(confirm=D3))
    assert confirmed.unconfirmed == () and confirmed.treatments == (D1, D3)
    assert store.get(KEY) == confirmed


def test_several_dates_can_wait_for_confirmation_each_on_its_own(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D3, doubt=True))
    record = store.update(KEY, Change(add=D1, doubt=True))
    assert record.unconfirmed == (D1, D3)  # the second mark does not lift the first
    assert store.update(KEY, Change(confirm=D1)).unconfirmed == (D3,)
    assert store.update(KEY, Change(remove=D3, add=D2)) == PatientRecord((D1, D2))
    assert store.get(KEY) == PatientRecord((D1, D2))


def test_removing_the_unconfirmed_date_clears_the_mark(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    store.update(KEY, Change(add=D2, doubt=True))
    record = store.update(KEY, Change(remove=D2))
    assert record == PatientRecord((D1,))
    assert store.get(KEY) == record
    store.update(KEY, Change(add=D3, doubt=True))
    assert store.update(KEY, Change(remove=D3, add=D2)) == PatientRecord((D1, D2))  # corrected away


def test_removing_the_only_date_leaves_an_empty_record(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1, welcome=True))
    assert store.update(KEY, Change(remove=D1)) == PatientRecord((), welcomed=True)
    assert store.get(KEY) == PatientRecord((), welcomed=True)


def test_device_zones_are_remembered_with_the_record(store: TreatmentStore) -> None:
    zones = PatientRecord().with_zone("dev-a", "Europe/London")
    record = store.update(KEY, Change(add=D1, zones=zones))
    assert record.zone_for("dev-a") == "Europe/London" and record.zone_for("dev-b") is None
    moved = record.with_zone("dev-a", "Asia/Tokyo")
    assert store.update(KEY, Change(zones=moved)).zone_for("dev-a") == "Asia/Tokyo"
    assert store.update(KEY, Change(remove=D1)).zones == moved  # a removal keeps them
    assert store.get(KEY) == PatientRecord((), zones=moved)


def test_a_record_remembers_a_few_devices_most_recent_last() -> None:
    record = PatientRecord()
    for n in range(6):
        record = PatientRecord(zones=record.with_zone(f"dev-{n}", "UTC"))
    assert [device for device, _ in record.zones] == ["dev-2", "dev-3", "dev-4", "dev-5"]


def test_replace_swaps_one_date(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    store.update(KEY, Change(add=D2))
    record = store.update(KEY, Change(remove=D2, add=D3))
    assert record.treatments == (D1, D3)
    assert store.get(KEY) == record


def test_replace_of_the_only_date(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    assert store.update(KEY, Change(remove=D1, add=D2)).treatments == (D2,)


def test_replace_when_the_old_date_is_missing_records_the_new_one(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    assert store.update(KEY, Change(remove=D2, add=D3)).treatments == (D1, D3)
    assert store.update(OTHER, Change(remove=D2, add=D3)).treatments == (D3,)


def test_replace_with_the_same_date_changes_nothing(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    assert store.update(KEY, Change(remove=D1, add=D1)) == PatientRecord((D1,))


def test_mark_welcomed_keeps_the_dates(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    store.update(KEY, Change(welcome=True))
    assert store.get(KEY) == PatientRecord((D1,), welcomed=True)
    assert store.update(KEY, Change(add=D2)).welcomed


def test_mark_welcomed_on_a_new_patient(store: TreatmentStore) -> None:
    store.update(KEY, Change(welcome=True))
    assert store.get(KEY) == PatientRecord((), welcomed=True)


def test_delete_forgets_everything(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    store.update(KEY, Change(welcome=True))
    store.delete(KEY)
    assert store.get(KEY) is None
    store.delete(KEY)  # forgetting twice is not an error
    assert store.update(KEY, Change(add=D2)) == PatientRecord((D2,), welcomed=False)


def test_one_patient_never_sees_another(store: TreatmentStore) -> None:
    store.update(KEY, Change(add=D1))
    assert store.get(OTHER) is None
    assert store.get(STRANGER) is None
    store.update(OTHER, Change(add=D2))
    store.delete(OTHER)
    assert store.get(KEY) == PatientRecord((D1,))


def test_delete_account_forgets_every_profile_and_nobody_else(store: TreatmentStore) -> None:
    household = [KEY, OTHER, patient_id(USER, "amzn1.ask.person.TEST-SECOND")]
    for patient in household:
        store.update(patient, Change(add=D1))
    store.update(OTHER, Change(welcome=True))
    neighbour = patient_id("amzn1.ask.account.TEST-SOMEONE-ELSE", PERSON)
    store.update(STRANGER, Change(add=D2))
    store.update(neighbour, Change(add=D3))

    store.delete_account(ACCOUNT)

    assert [store.get(patient) for patient in household] == [None, None, None]
    assert store.get(STRANGER) == PatientRecord((D2,))
    assert store.get(neighbour) == PatientRecord((D3,))
    # The account can start again from nothing.
    assert store.update(OTHER, Change(add=D3)) == PatientRecord((D3,), welcomed=False)


def test_delete_account_without_records_is_fine(store: TreatmentStore) -> None:
    store.update(STRANGER, Change(add=D1))
    store.delete_account(ACCOUNT)
    store.delete_account(ACCOUNT)  # and twice is not an error either
    assert store.get(KEY) is None
    assert store.get(STRANGER) == PatientRecord((D1,))


def test_dates_recorded_at_once_from_many_devices_all_survive(store: TreatmentStore) -> None:
    threads, per_thread = 8, 5
    days = [D1 + timedelta(days=i) for i in range(threads * per_thread)]
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def device(mine: list[date]) -> None:
        start.wait()
        try:
            for day in mine:
                store.update(KEY, Change(add=day))
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    workers = [threading.Thread(target=device, args=(days[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert store.get(KEY) == PatientRecord(tuple(days))


# --- DynamoDB: what is stored, and how ------------------------------------------------------


@pytest.fixture
def table(dynamodb_table: str) -> str:
    return dynamodb_table


@pytest.fixture
def raw_item(table: str) -> Callable[[str], dict]:
    client = boto3.client("dynamodb")

    def read(patient: PatientId) -> dict:
        key = {"account": {"S": patient.account}, "profile": {"S": patient.profile}}
        return client.get_item(TableName=table, Key=key)["Item"]

    return read


def test_item_shape(table: str, raw_item: Callable[[str], dict]) -> None:
    store = DynamoDBStore(table)
    store.update(KEY, Change(add=D2))
    first = raw_item(KEY)
    store.update(KEY, Change(add=D1))
    item = raw_item(KEY)
    assert set(item) == {
        "account",
        "profile",
        "treatments",
        "welcomed",
        "created_at",
        "updated_at",
        "schema_version",
        "revision",
    }
    assert item["account"] == {"S": ACCOUNT}
    assert item["profile"] == {"S": SHARED_PROFILE}
    assert sorted(item["treatments"]["SS"]) == ["2026-03-02", "2026-04-06"]
    assert item["welcomed"] == {"BOOL": False}
    assert item["schema_version"] == {"N": "4"}
    assert item["created_at"] == first["created_at"]
    assert item["updated_at"]["S"].endswith("+00:00")
    assert "TEST-PATIENT" not in str(item)  # only the hashed key is stored
    store.update(OTHER, Change(add=D1))
    person = raw_item(OTHER)
    assert person["account"] == {"S": ACCOUNT}
    assert person["profile"] == {"S": OTHER.profile}
    assert len(OTHER.profile) == 64 and "TEST-PERSON" not in str(person)


def test_delete_account_follows_every_query_page(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DynamoDBStore(table)
    household = [KEY, *(patient_id(USER, f"amzn1.ask.person.TEST-{i}") for i in range(4))]
    for patient in household:
        store.update(patient, Change(add=D1))
    store.update(STRANGER, Change(add=D1))
    monkeypatch.setattr(dynamodb_store, "_QUERY_PAGE", 2)  # five profiles: three pages

    store.delete_account(ACCOUNT)

    assert all(store.get(patient) is None for patient in household)
    assert store.get(STRANGER) == PatientRecord((D1,))


# --- SQLite: the file ------------------------------------------------------------------------


def test_a_file_in_the_old_layout_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the layout keyed by one patient_key, before accounts
        db.execute("CREATE TABLE patients (patient_key TEXT PRIMARY KEY)")
    db.close()
    with pytest.raises(StoreError, match=r"LOCAL_STORE .* another program or layout; point LOCAL_STORE"):
        SQLiteStore(path)


def _another_programs(path: Path, version: int, schema: str = "CREATE TABLE notes (body TEXT);") -> None:
    with closing(sqlite3.connect(path)) as db:
        db.executescript(f"{schema} PRAGMA user_version = {version};")


def _clinic(path: Path, version: int, more: str) -> None:
    _another_programs(
        path,
        version,
        "CREATE TABLE patients (account TEXT, profile TEXT, name TEXT);"
        f"CREATE TABLE treatments (account TEXT, profile TEXT, day TEXT, laser TEXT); {more}",
    )


def _garbage_after_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)


@pytest.mark.parametrize(
    "make",
    [
        lambda path: _another_programs(path, 0),
        lambda path: _another_programs(path, 1),  # the layout numbers this store uses
        lambda path: _another_programs(path, 2),
        _garbage_after_header,
        # Found by the seventh review: a clinic's database with tables of the same names.
        lambda path: _clinic(path, 1, "CREATE TABLE appointments (at TEXT);"),
        lambda path: _clinic(path, 2, ""),
        lambda path: _another_programs(path, 0, "CREATE VIEW totals AS SELECT 1 AS one;"),
    ],
    ids=["own-tables", "user-version-1", "user-version-2", "garbage", "clinic-1", "clinic-2", "views-only"],
)
def test_another_programs_file_is_refused_untouched(tmp_path: Path, make) -> None:
    # Found by review: such a file was made 0600 and switched to WAL before it was refused.
    path = tmp_path / "other.sqlite3"
    make(path)
    path.chmod(0o644)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="LOCAL_STORE"):
        SQLiteStore(path)
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]


@pytest.mark.parametrize("kind", ["text", "symlink"])
def test_a_journal_that_is_not_sqlites_is_refused_untouched(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "store.sqlite3"
    SQLiteStore(path).update(KEY, Change(add=date(2026, 3, 2)))
    target = tmp_path / "notes.txt"
    target.write_text("my notes\n")
    target.chmod(0o644)
    journal = Path(f"{path}-wal")
    journal.unlink(missing_ok=True)
    if kind == "text":
        journal.write_text("my notes\n")
        journal.chmod(0o644)
    else:
        journal.symlink_to(target)
    with pytest.raises(StoreError, match=r"LOCAL_STORE .*-wal"):
        SQLiteStore(path)
    assert target.read_text() == "my notes\n" and stat.S_IMODE(target.stat().st_mode) == 0o644
    if kind == "text":
        assert journal.read_text() == "my notes\n" and stat.S_IMODE(journal.stat().st_mode) == 0o644


def _foreign_journal(folder: Path) -> bytes:
    """The journal of another program's database, with writes not yet in its file."""
    other = folder / "other.db"
    db = sqlite3.connect(other)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("CREATE TABLE secrets (x)")
    db.commit()
    journal = Path(f"{other}-wal").read_bytes()
    db.close()
    for leftover in folder.glob("other.db*"):
        leftover.unlink()
    return journal


@pytest.mark.parametrize("existing", [True, False], ids=["beside-a-store", "without-a-store"])
def test_another_databases_journal_is_refused_and_replays_into_nothing(tmp_path: Path, existing: bool) -> None:
    # Found by the sixth review: its writes were replayed into the store, then refused.
    journal = _foreign_journal(tmp_path)
    path = tmp_path / "store.sqlite3"
    if existing:
        SQLiteStore(path).update(KEY, Change(add=date(2026, 3, 2)))
        gc.collect()  # its connections closed, as when the process that used it stopped
    before = path.read_bytes() if existing else None
    Path(f"{path}-wal").write_bytes(journal)
    with pytest.raises(StoreError, match="LOCAL_STORE"):
        SQLiteStore(path)
    assert Path(f"{path}-wal").read_bytes() == journal
    assert (path.read_bytes() if existing else path.exists()) == (before if existing else False)


def test_a_rollback_journal_beside_the_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    SQLiteStore(path).update(KEY, Change(add=date(2026, 3, 2)))
    journal = Path(f"{path}-journal")
    journal.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(2000))
    with pytest.raises(StoreError, match=r"LOCAL_STORE .*-journal"):
        SQLiteStore(path)
    assert journal.stat().st_size == 2008


def test_a_file_in_layout_1_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    with sqlite3.connect(path) as db:  # the layout before unconfirmed dates and device zones
        db.executescript(
            "CREATE TABLE patients (account TEXT NOT NULL, profile TEXT NOT NULL,"
            " welcomed INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
            " schema_version INTEGER NOT NULL, PRIMARY KEY (account, profile));"
            "CREATE TABLE treatments (account TEXT NOT NULL, profile TEXT NOT NULL, day TEXT NOT NULL,"
            " PRIMARY KEY (account, profile, day));"
            f"INSERT INTO patients VALUES ('{KEY.account}', '{KEY.profile}', 1, 'x', 'x', 1);"
            f"INSERT INTO treatments VALUES ('{KEY.account}', '{KEY.profile}', '2026-03-02');"
            "PRAGMA user_version = 1;"
        )
    db.close()
    store = SQLiteStore(path)
    assert store.get(KEY) == PatientRecord((D1,), welcomed=True)
    assert store.update(KEY, Change(add=D2, doubt=True)).unconfirmed == (D2,)


def test_a_file_in_layout_2_is_upgraded_in_place_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    with sqlite3.connect(path) as db:  # the layout before treatments told of in advance
        db.executescript(
            "CREATE TABLE patients (account TEXT NOT NULL, profile TEXT NOT NULL,"
            " welcomed INTEGER NOT NULL DEFAULT 0, unconfirmed TEXT, zones TEXT, undated TEXT,"
            " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
            " schema_version INTEGER NOT NULL, PRIMARY KEY (account, profile));"
            "CREATE TABLE treatments (account TEXT NOT NULL, profile TEXT NOT NULL, day TEXT NOT NULL,"
            " PRIMARY KEY (account, profile, day));"
            f"INSERT INTO patients VALUES ('{KEY.account}', '{KEY.profile}', 1, '[\"2026-03-02\"]',"
            " '[[\"d\", \"Europe/London\"]]', NULL, 'x', 'x', 2);"
            f"INSERT INTO treatments VALUES ('{KEY.account}', '{KEY.profile}', '2026-03-02');"
            "PRAGMA user_version = 2;"
        )
    db.close()
    kept = PatientRecord((D1,), welcomed=True, unconfirmed=(D1,), zones=(("d", "Europe/London"),))
    assert SQLiteStore(path).get(KEY) == kept
    assert SQLiteStore(path).update(KEY, Change(plan=D3)).planned == (D3,)


def test_treatments_told_of_in_advance_are_kept_until_forgotten(store: TreatmentStore) -> None:
    assert store.update(KEY, Change(plan=D3)).planned == (D3,)
    assert store.update(KEY, Change(plan=D2)).planned == (D2, D3)  # every one, soonest first
    assert store.update(KEY, Change(add=D1)).planned == (D2, D3)  # other changes leave them be
    assert store.get(KEY).planned == (D2, D3)
    after = store.update(KEY, Change(add=D2, unplan=(D2,)))  # it happened: now a treatment
    assert (after.treatments, after.planned) == ((D1, D2), (D3,))
    after = store.update(KEY, Change(plan=D2 + timedelta(days=60), unplan=(D3,)))  # moved
    assert after.planned == (D2 + timedelta(days=60),)
    after = store.update(KEY, Change(remove=D1, unplan=after.planned))  # a write that reads first
    assert (after.treatments, after.planned) == ((D2,), ())


def test_reminders_are_kept_replaced_and_dropped_with_the_record(store: TreatmentStore) -> None:
    sun, makeup = Reminder("sun", D3, "token-sun"), Reminder("makeup", D2, "token-makeup")
    store.update(KEY, Change(add=D1))
    assert store.update(KEY, Change(reminders=(sun, makeup))).reminders == (sun, makeup)
    # Changing a date leaves them as they are: moving them is the skill's to decide.
    assert store.update(KEY, Change(remove=D1, add=D2)).reminders == (sun, makeup)
    assert store.get(KEY).reminders == (sun, makeup)
    assert store.update(KEY, Change(reminders=(makeup,))).reminders == (makeup,)
    assert store.update(KEY, Change(reminders=())).reminders == ()
    daily = Reminder("sunscreen", D3, "token-daily", time(8, 30))  # a daily one keeps its time
    assert store.update(KEY, Change(reminders=(sun, daily))).reminders == (sun, daily)
    assert store.get(KEY).reminders == (sun, daily)
    store.delete(KEY)
    assert store.get(KEY) is None
    assert "token" not in repr(sun)  # a token is a credential of sorts: never in a log line


def on_disk(path: Path) -> bytes:
    """Every byte the store keeps: the file, its journal (WAL) and the journal's index."""
    files = [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]
    return b"".join(file.read_bytes() for file in files if file.exists())


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets anyone read new files: the store must not depend on a strict one."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
def test_the_file_and_its_journal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.sqlite3"
    path.touch(mode=0o644)
    store = SQLiteStore(path)
    store.update(KEY, Change(add=D1))
    store.delete(KEY)
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    assert {file.name: file.stat().st_mode & 0o777 for file in files} == {file.name: 0o600 for file in files}


def test_the_file_is_in_wal_mode_with_secure_delete(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    SQLiteStore(path).update(KEY, Change(add=D1))
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert Path(f"{path}-wal").exists()


def test_deleted_dates_do_not_linger_in_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As a SQLite library built without SQLITE_SECURE_DELETE would be: free pages keep old bytes.
    connect = sqlite3.connect

    def insecure(*args: object, **kwargs: object) -> sqlite3.Connection:
        db = connect(*args, **kwargs)  # type: ignore[arg-type]
        db.execute("PRAGMA secure_delete = OFF")
        return db

    monkeypatch.setattr(sqlite3, "connect", insecure)
    path = tmp_path / "deleted.sqlite3"
    store = SQLiteStore(path)
    store.update(KEY, Change(add=date(2026, 7, 19)))
    store.update(OTHER, Change(add=date(2026, 8, 23), doubt=True))
    assert b"2026-07-19" in on_disk(path) and b"2026-08-23" in on_disk(path)  # the scan sees them
    store.update(KEY, Change(remove=date(2026, 7, 19)))
    store.delete(OTHER)
    assert b"2026-07-19" not in on_disk(path) and b"2026-08-23" not in on_disk(path)


def _forget_my_data(handler: Callable[..., dict], user_id: str) -> None:
    talk = Conversation(handler, user_id=user_id)
    talk.say("ForgetIntent")
    assert "Done" in talk.say("AMAZON.YesIntent").text


def _disable_the_skill(handler: Callable[..., dict], user_id: str) -> None:
    envelope = {
        "version": "1.0",
        "context": {"System": {"application": {"applicationId": SKILL_ID}, "user": {"userId": user_id}}},
        "request": {
            "type": "AlexaSkillEvent.SkillDisabled",
            "requestId": "amzn1.echo-api.request.TEST",
            "timestamp": "2026-11-24T18:00:00Z",
            "locale": "en-US",
        },
    }
    handler(envelope, None)


@pytest.mark.parametrize("erase", [_forget_my_data, _disable_the_skill], ids=["forget my data", "skill disabled"])
def test_a_deleted_patients_dates_are_nowhere_in_the_file_or_its_journal(
    tmp_path: Path, erase: Callable[[Callable[..., dict], str], None]
) -> None:
    path = tmp_path / "erased.sqlite3"
    store = SQLiteStore(path)
    handler = lambda_handler_for(Settings(skill_id=SKILL_ID), store=store)
    talk = Conversation(handler)
    talk.say("RecordTreatmentIntent", date="2026-07-19")
    # Said in the future: moved back a year and kept unconfirmed until the patient says yes.
    assert "Just to check" in talk.say("RecordTreatmentIntent", date="2026-12-12").text
    record = store.get(patient_id(talk.user_id))
    assert record is not None and record.unconfirmed == (date(2025, 12, 12),)
    bystander = Conversation(handler)  # someone else's dates stay, and keep the journal busy
    bystander.say("RecordTreatmentIntent", date="2026-09-30")
    written = on_disk(path)
    assert b"2026-07-19" in written and b"2025-12-12" in written  # the forms the store writes

    erase(handler, talk.user_id)

    assert store.get(patient_id(talk.user_id)) is None
    left = on_disk(path)
    assert b"2026-07-19" not in left and b"2025-12-12" not in left
    assert store.get(patient_id(bystander.user_id)) == PatientRecord((date(2026, 9, 30),), welcomed=True)


def test_a_wipe_a_reader_held_up_is_done_at_the_next_write(tmp_path: Path) -> None:
    path = tmp_path / "held.sqlite3"
    store = SQLiteStore(path)
    store.update(KEY, Change(add=date(2026, 7, 19)))
    with closing(sqlite3.connect(path, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM treatments").fetchone()  # a snapshot with the date
        store.delete(KEY)
        assert store.get(KEY) is None
        assert b"2026-07-19" in on_disk(path)  # deleted, but the journal could not be emptied yet
        reader.execute("COMMIT")
    store.update(STRANGER, Change(add=D1))
    assert b"2026-07-19" not in on_disk(path)


def test_fifty_threads_writing_at_once_get_no_errors_and_lose_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "busy.sqlite3")
    threads, per_thread = 50, 20
    patients = [patient_id(USER, f"amzn1.ask.person.{i}") for i in range(5)]
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def device(number: int) -> None:
        start.wait()
        try:
            for i in range(per_thread):
                patient = patients[number % len(patients)]
                store.update(patient, Change(add=D1 + timedelta(days=number * per_thread + i)))
                store.get(patient)
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    workers = [threading.Thread(target=device, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert sum(len(store.get(patient).treatments) for patient in patients) == threads * per_thread


def test_a_file_deleted_under_the_store_is_an_error_not_a_ghost(tmp_path: Path) -> None:
    # A connection kept open would go on writing to the deleted file, where nobody reads.
    path = tmp_path / "ghost.sqlite3"
    store = SQLiteStore(path)
    store.update(KEY, Change(add=D1))
    for file in tmp_path.iterdir():
        file.unlink()
    with pytest.raises(StoreError):
        store.update(KEY, Change(add=D2))
    with pytest.raises(StoreError):
        store.get(KEY)


def test_a_file_is_reopened_with_its_records(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "s.sqlite3").update(OTHER, Change(add=D1))
    assert SQLiteStore(tmp_path / "s.sqlite3").get(OTHER) == PatientRecord((D1,))


def test_a_replace_that_changes_nothing_writes_nothing(table: str, raw_item: Callable[[str], dict]) -> None:
    store = DynamoDBStore(table)
    store.update(KEY, Change(add=D1))
    before = raw_item(KEY)
    store.update(KEY, Change(remove=D1, add=D1))
    assert raw_item(KEY) == before


def test_the_client_is_built_once_and_shared(table: str) -> None:
    first, second = DynamoDBStore(table), DynamoDBStore(table)
    first.get(KEY)
    second.get(KEY)
    assert first.client is second.client


def test_retries_are_bounded_inside_alexas_eight_seconds() -> None:
    retries = CLIENT_CONFIG.retries
    attempts = retries["total_max_attempts"]
    per_attempt = CLIENT_CONFIG.connect_timeout + CLIENT_CONFIG.read_timeout
    # Backoff between attempts: at most 1 s, then 2 s (throttling's base scale in botocore).
    worst_backoff = sum(2**i for i in range(attempts - 1))
    assert retries["mode"] == "standard"
    calls_per_turn = 2  # the session's one read, then one write (a removal re-reads: see below)
    assert calls_per_turn * (attempts * per_attempt + worst_backoff) < 7  # the function's timeout


# --- DynamoDB: failures ---------------------------------------------------------------------

# Short timeouts and one retry keep these tests fast; the production numbers are checked above.
_FAST = Config(
    connect_timeout=0.3,
    read_timeout=0.3,
    retries={"total_max_attempts": 2, "mode": "standard"},
)


@pytest.fixture
def proxy(dynamodb_endpoint: str) -> Iterator[FaultProxy]:
    with fault_proxy(dynamodb_endpoint) as running:
        yield running


@pytest.fixture
def proxied(table: str, proxy: FaultProxy) -> DynamoDBStore:
    client = boto3.client("dynamodb", endpoint_url=proxy.url, config=_FAST)
    return DynamoDBStore(table, client=client)


OPERATIONS: dict[str, tuple[str, Callable[[TreatmentStore], object]]] = {
    "get": ("GetItem", lambda s: s.get(KEY)),
    "add_treatment": ("UpdateItem", lambda s: s.update(KEY, Change(add=D3))),
    "replace_treatment": ("UpdateItem", lambda s: s.update(KEY, Change(remove=D1, add=D3))),
    "mark_welcomed": ("UpdateItem", lambda s: s.update(KEY, Change(welcome=True))),
    "delete": ("DeleteItem", lambda s: s.delete(KEY)),
    "delete_account finding": ("Query", lambda s: s.delete_account(ACCOUNT)),
    "delete_account deleting": ("DeleteItem", lambda s: s.delete_account(ACCOUNT)),
}


@pytest.mark.parametrize("fault", [THROTTLE, UNAVAILABLE, TIMEOUT])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_failing_call_raises_store_error_and_leaves_the_record_intact(
    table: str, proxy: FaultProxy, proxied: DynamoDBStore, fault: str, operation: str
) -> None:
    direct = DynamoDBStore(table)
    direct.update(KEY, Change(add=D1))
    direct.update(KEY, Change(add=D2))
    before = direct.get(KEY)
    call, run = OPERATIONS[operation]
    proxy.faults[call] = fault

    with pytest.raises(StoreError) as raised:
        run(proxied)

    assert proxy.calls[call] == 2  # retried once, then gave up: bounded
    message = str(raised.value)
    assert KEY.account not in message and KEY.profile not in message and "2026" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert direct.get(KEY) == before


@pytest.mark.parametrize("fault", [THROTTLE, UNAVAILABLE, TIMEOUT])
@pytest.mark.parametrize("call", ["GetItem", "UpdateItem"])
def test_the_patient_hears_an_apology_and_the_record_survives(
    table: str, proxy: FaultProxy, proxied: DynamoDBStore, fault: str, call: str
) -> None:
    talk = Conversation(lambda_handler_for(Settings(), store=proxied))
    key = patient_id(talk.user_id)
    direct = DynamoDBStore(table)
    direct.update(key, Change(add=date(2026, 10, 3)))
    if call == "UpdateItem":
        talk.launch()  # the session's read succeeds, so the fault falls on the write
    before = direct.get(key)
    proxy.faults[call] = fault

    reply = talk.say("RecordTreatmentIntent", date="2026-10-20")

    assert "can't reach your saved details" in reply.text
    assert reply.ends is False and reply.reprompt  # the session stays usable
    assert direct.get(key) == before
    proxy.faults.clear()
    assert "20261020" in talk.say("RecordTreatmentIntent", date="2026-10-20").ssml


def test_a_missing_table_is_a_store_error(dynamodb_endpoint: str) -> None:
    with pytest.raises(StoreError, match="ResourceNotFoundException"):
        DynamoDBStore("no-such-table").get(KEY)


def test_nothing_listening_is_a_store_error(dynamodb_endpoint: str) -> None:
    with fault_proxy(dynamodb_endpoint) as gone:
        url = gone.url  # a loopback port that is closed once the block ends
    client = boto3.client("dynamodb", endpoint_url=url, config=_FAST)
    with pytest.raises(StoreError, match="EndpointConnectionError"):
        DynamoDBStore("any", client=client).update(KEY, Change(add=D1))


def test_replace_retries_when_another_device_writes_in_between(
    table: str, proxy: FaultProxy, proxied: DynamoDBStore
) -> None:
    direct = DynamoDBStore(table)
    direct.update(KEY, Change(add=D1))
    # Just before the conditional write goes out, another device records D2.
    proxy.before_forward["UpdateItem"] = lambda: direct.update(KEY, Change(add=D2))

    record = proxied.update(KEY, Change(remove=D1, add=D3))

    assert record.treatments == (D2, D3)
    assert direct.get(KEY) == record
    assert proxy.calls["GetItem"] == 2 and proxy.calls["UpdateItem"] == 2


def test_store_errors_and_logs_carry_no_keys_or_dates(
    table: str, proxy: FaultProxy, proxied: DynamoDBStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    DynamoDBStore(table).update(KEY, Change(add=D1))
    proxy.faults["UpdateItem"] = THROTTLE
    with pytest.raises(StoreError):
        proxied.update(KEY, Change(remove=D1, add=D2))
    assert KEY.account not in caplog.text and "2026-0" not in caplog.text

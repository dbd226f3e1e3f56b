"""A turn's calls share one budget, and a write whose answer is lost is read back before the
patient hears anything about it. Against DynamoDB Local behind a loopback fault proxy."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date

import boto3
import pytest
from botocore.config import Config

from laser_recovery import budget
from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store import Change, StoreError, patient_id
from laser_recovery.store.dynamodb import CLIENT_CONFIG, DynamoDBStore, _worst_case
from laser_recovery.store.sqlite import SQLiteStore
from tests.alexa import Conversation
from tests.dynamodb_faults import APPLIED_TIMEOUT, SLOW, SLOW_SECONDS, TIMEOUT, FaultProxy, fault_proxy

KEY = patient_id("amzn1.ask.account.BUDGET-TEST")
D1, D2, D3 = date(2026, 10, 3), date(2026, 10, 10), date(2026, 10, 20)
_FAST = Config(connect_timeout=0.3, read_timeout=0.3, retries={"total_max_attempts": 2, "mode": "standard"})


@pytest.fixture
def proxy(dynamodb_endpoint: str) -> Iterator[FaultProxy]:
    with fault_proxy(dynamodb_endpoint) as running:
        yield running


@pytest.fixture
def direct(dynamodb_table: str) -> DynamoDBStore:
    return DynamoDBStore(dynamodb_table)


@pytest.fixture
def proxied(dynamodb_table: str, proxy: FaultProxy) -> DynamoDBStore:
    return DynamoDBStore(dynamodb_table, client=boto3.client("dynamodb", endpoint_url=proxy.url, config=_FAST))


def test_one_calls_worst_case_fits_the_turn_twice_over() -> None:
    # Two attempts of 0.5 s connect + 0.6 s read, and at most 1 s of backoff between them.
    worst = _worst_case(boto3.client("dynamodb", region_name="us-east-1", config=CLIENT_CONFIG))
    assert worst == pytest.approx(3.2)
    assert worst < budget.TURN_SECONDS < 7 - 0.5  # the function's timeout, with time to answer


# -- writes whose answer is lost ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "after", "reads"),
    [(Change(add=D3), (D1, D2, D3), 1), (Change(remove=D2, add=D3), (D1, D3), 2)],
    ids=["add", "replace"],
)
def test_a_write_applied_but_unanswered_is_read_back_and_stands(
    direct: DynamoDBStore,
    proxied: DynamoDBStore,
    proxy: FaultProxy,
    change: Change,
    after: tuple[date, ...],
    reads: int,
) -> None:
    direct.update(KEY, Change(add=D1))
    direct.update(KEY, Change(add=D2))
    proxy.faults["UpdateItem"] = APPLIED_TIMEOUT

    record = proxied.update(KEY, change)

    assert record.treatments == after == direct.get(KEY).treatments
    assert proxy.calls["GetItem"] == reads  # a replace reads first; then the read back


def test_a_delete_applied_but_unanswered_is_read_back(
    direct: DynamoDBStore, proxied: DynamoDBStore, proxy: FaultProxy
) -> None:
    direct.update(KEY, Change(add=D1))
    proxy.faults["DeleteItem"] = APPLIED_TIMEOUT
    proxied.delete(KEY)  # no error: the read back shows the record gone
    assert direct.get(KEY) is None


def test_a_write_not_applied_is_a_plain_store_error(
    direct: DynamoDBStore, proxied: DynamoDBStore, proxy: FaultProxy
) -> None:
    direct.update(KEY, Change(add=D1))
    proxy.faults["UpdateItem"] = TIMEOUT
    with pytest.raises(StoreError) as raised:
        proxied.update(KEY, Change(add=D3))
    assert raised.value.uncertain is False
    assert direct.get(KEY).treatments == (D1,)


def test_a_write_that_cannot_be_read_back_is_uncertain(
    direct: DynamoDBStore, proxied: DynamoDBStore, proxy: FaultProxy
) -> None:
    direct.update(KEY, Change(add=D1))
    proxy.faults["UpdateItem"] = APPLIED_TIMEOUT
    proxy.faults["GetItem"] = TIMEOUT
    with pytest.raises(StoreError) as raised:
        proxied.update(KEY, Change(add=D3))
    assert raised.value.uncertain is True
    assert direct.get(KEY).treatments == (D1, D3)  # it did land: "not saved" would be false


def test_the_patient_hears_the_date_saved_when_the_lost_answer_is_read_back(
    direct: DynamoDBStore, proxied: DynamoDBStore, proxy: FaultProxy
) -> None:
    talk = Conversation(lambda_handler_for(Settings(), store=proxied))
    talk.launch()
    proxy.faults["UpdateItem"] = APPLIED_TIMEOUT
    reply = talk.say("RecordTreatmentIntent", date="2026-10-20")
    assert "20261020" in reply.ssml and "can't" not in reply.text
    assert direct.get(patient_id(talk.user_id)).treatments == (D3,)


def test_the_patient_is_told_to_check_when_nothing_can_be_read_back(
    direct: DynamoDBStore, proxied: DynamoDBStore, proxy: FaultProxy
) -> None:
    talk = Conversation(lambda_handler_for(Settings(), store=proxied))
    talk.launch()
    proxy.faults["UpdateItem"] = APPLIED_TIMEOUT
    # The read back, and everything after it in the turn, goes unanswered.
    proxy.before_forward["UpdateItem"] = lambda: proxy.faults.update(GetItem=TIMEOUT)

    reply = talk.say("RecordTreatmentIntent", date="2026-10-20")

    assert "can't tell whether that change went through" in reply.text
    assert "ask me for your treatment date" in reply.text.lower()
    assert reply.ends is False
    proxy.faults.clear()
    assert "20261020" in talk.say("ProgressIntent").ssml  # and checking tells the truth


# -- the turn's budget --------------------------------------------------------------------------


def test_a_call_that_cannot_finish_inside_the_turn_is_not_started(
    direct: DynamoDBStore, proxied: DynamoDBStore, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A correction as the first turn reads the record, reads it again, then writes on a
    # condition. Every call here is slow; the write would end past the turn's budget.
    talk = Conversation(lambda_handler_for(Settings(), store=proxied))
    direct.update(patient_id(talk.user_id), Change(add=D1))
    worst = _worst_case(proxied.client)
    monkeypatch.setattr(budget, "TURN_SECONDS", worst + 1.5 * SLOW_SECONDS)
    for operation in ("GetItem", "UpdateItem", "Query"):
        proxy.faults[operation] = SLOW

    started = time.monotonic()
    reply = talk.say("CorrectTreatmentIntent", date="2026-10-20")
    took = time.monotonic() - started

    assert "can't reach your saved details" in reply.text and reply.ends is False
    assert proxy.calls["UpdateItem"] == 0
    assert direct.get(patient_id(talk.user_id)).treatments == (D1,)
    assert took < budget.TURN_SECONDS


def test_outside_a_turn_nothing_is_limited() -> None:
    assert budget.left() == float("inf")
    with budget.turn(lambda_remaining_ms=3000):
        assert 2.4 < budget.left() <= 2.5  # the Lambda's clock, less the margin to answer
    with budget.turn():
        assert budget.TURN_SECONDS - 0.1 < budget.left() <= budget.TURN_SECONDS


def test_a_store_file_locked_by_another_process_costs_no_more_than_the_turn(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by review: each call waited its own 5 s for the lock, and a turn took 10 s.
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(path)], stdout=subprocess.PIPE, stdin=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        monkeypatch.setattr(budget, "TURN_SECONDS", 1.5)
        talk = Conversation(lambda_handler_for(Settings(), store=store), api_endpoint="")
        started = time.monotonic()
        reply = talk.say("RecordTreatmentIntent", date="2026-10-20")
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert "can't reach your saved details" in reply.text and reply.ends is False
    assert took < budget.TURN_SECONDS + 0.5
    assert store.get(patient_id(talk.user_id)) is None


# Holds an exclusive lock on the file until killed.
LOCK_HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)
"""

"""The cloud store: one DynamoDB item per patient, every write one atomic UpdateItem.

Item shape (documented in the README):
    account         S     partition key: SHA-256 of the Alexa user id (never a raw Alexa id)
    profile         S     sort key: SHA-256 of the person id, or model.SHARED_PROFILE
    treatments      SS    ISO dates; absent when no date is stored (DynamoDB has no empty set)
    unconfirmed     SS    moved treatment dates the patient has not confirmed yet; usually absent
    zones           L     [{device: S, zone: S}]: the last time zone seen per device digest
    undated         S     the day a treatment was told without its date; usually absent
    planned         SS    the days of treatments told of in advance; usually absent
    reminders       L     [{kind: S, day: S, token: S, at: S (daily ones)}]: reminders set with Alexa; usually absent
    welcomed        BOOL
    created_at      S     ISO UTC, set once
    updated_at      S     ISO UTC, every write
    schema_version  N     model.SCHEMA_VERSION
    revision        N     +1 on every write; lets a write that removes a date detect a concurrent one

The endpoint is never named here: boto3 reads AWS_ENDPOINT_URL_DYNAMODB itself, which is
how the tests reach DynamoDB Local.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .. import budget
from .model import SCHEMA_VERSION, Change, PatientId, PatientRecord, Reminder, StoreError

# Alexa gives up after 8 s and the function after 7 s. Worst case per call, with these
# numbers: two attempts of at most 0.5 s connect + 0.6 s read, plus botocore's jittered
# backoff (at most 1 s before the second attempt), so about 3.2 s. A turn may make several
# calls; the turn's budget (budget.py) starts a call only when its worst case still fits.
CLIENT_CONFIG = Config(
    connect_timeout=0.5,
    read_timeout=0.6,
    retries={"total_max_attempts": 2, "mode": "standard"},
)

# How many times a write that removes a date re-reads after losing a race with another device.
_REPLACE_ATTEMPTS = 3

# The table's key attributes; the deployment template must declare the same (tested).
PARTITION_KEY = "account"
SORT_KEY = "profile"

# Items per Query page in delete_account. A household has a few profiles, so one page is the
# rule; the loop still follows LastEvaluatedKey, and the tests shrink this to prove it.
_QUERY_PAGE = 100

# botocore's and boto3's DEBUG output holds whole request bodies (keys and dates): capped at
# INFO for good, whatever level the application's logging is set to, now or later.
for _name in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_name).setLevel(logging.INFO)

_clients: dict[tuple[str | None, str | None], Any] = {}
_clients_lock = threading.Lock()


def shared_client() -> Any:
    """One low-level client per container (and per region), built on first use.

    Keyed by the endpoint variable too, so a test that points boto3 at DynamoDB Local never
    receives a client built earlier for another endpoint.
    """
    session = boto3.session.Session()
    cache_key = (session.region_name, os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is None:
            client = session.client("dynamodb", config=CLIENT_CONFIG)
            _clients[cache_key] = client
        return client


class DynamoDBStore:
    """TreatmentStore on one DynamoDB table; thread-safe, as boto3 clients are."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self._client = client
        self._client_lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = shared_client()
        return self._client

    def get(self, patient: PatientId) -> PatientRecord | None:
        item = self._get_item(patient)
        return None if item is None else _record(item)

    def update(self, patient: PatientId, change: Change) -> PatientRecord:
        try:
            return self._apply(patient, change)
        except _NotSent:
            raise
        except StoreError as failure:
            # A write that timed out may have been applied all the same: read it back rather
            # than tell the patient "not saved" when it was, or "saved" when it was not.
            record = self._settle(patient, failure)
            current = record if record is not None else PatientRecord()
            if current.changed(change) == current:
                return current
            raise

    def _apply(self, patient: PatientId, change: Change) -> PatientRecord:
        if change.remove is None and not change.unplan:
            # ADD on a string set is a server-side union: two devices adding at once both land,
            # and a retried ADD lands once.
            return _record(self._update(patient, **_parts(change)))
        # DynamoDB rejects ADD and DELETE on the same attribute in one expression ("two
        # document paths overlap"), and has no set-difference function. So: read, compute the
        # new record, and write it back with SET on the condition that no other write happened
        # in between (same revision); on a lost race, read again. Each write is still one
        # UpdateItem, so a record is never half-written.
        for _ in range(_REPLACE_ATTEMPTS):
            item = self._get_item(patient)
            current = _record(item) if item is not None else PatientRecord()
            wanted = current.changed(change)
            if wanted == current:
                return current  # nothing changes, so nothing is written
            revision = item.get("revision") if item else None
            if revision is None:
                condition, seen = "attribute_not_exists(#revision)", {}
            else:
                condition, seen = "#revision = :seen", {":seen": revision}
            try:
                attributes = self._update(patient, **_whole(wanted, seen), condition=condition)
            except _LostRace:
                continue
            return _record(attributes)
        raise StoreError("DynamoDB UpdateItem: too many concurrent changes")

    def delete(self, patient: PatientId) -> None:
        try:
            self._call("DeleteItem", TableName=self._table, Key=_key(patient))
        except _NotSent:
            raise
        except StoreError as failure:
            if self._settle(patient, failure) is not None:
                raise

    def _settle(self, patient: PatientId, failure: StoreError) -> PatientRecord | None:
        """The record as it stands after a failed write, or the failure made uncertain."""
        try:
            return self.get(patient)
        except StoreError:
            raise StoreError(str(failure), uncertain=True) from None

    def household(self, account: str) -> dict[str, date]:
        return {
            item[SORT_KEY]["S"]: max(date.fromisoformat(day) for day in item["treatments"]["SS"])
            for item in self._profiles(account, "#treatments")
            if item.get("treatments", {}).get("SS")
        }

    def delete_account(self, account: str) -> None:
        # DynamoDB has no "delete by partition": find every profile first, then delete them
        # one DeleteItem each: a household has few profiles, and this keeps the role's
        # permissions to one more action. Each delete is whole; if one fails, the StoreError
        # reaches Alexa, which retries skill events, and the next run deletes what is left.
        for item in list(self._profiles(account)):
            self._call("DeleteItem", TableName=self._table, Key=item)

    def _profiles(self, account: str, *also: str) -> Iterator[dict[str, Any]]:
        """Every record of the account, its keys and the attributes named: a consistent
        Query, paged."""
        names = {"#account": PARTITION_KEY, "#profile": SORT_KEY, **{n: n[1:] for n in also}}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#account = :account",
            "ProjectionExpression": ", ".join(names),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":account": {"S": account}},
            "ConsistentRead": True,
            "Limit": _QUERY_PAGE,
        }
        while True:
            page = self._call("Query", **request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _get_item(self, patient: PatientId) -> dict[str, Any] | None:
        # Strongly consistent: a date recorded on another device a moment ago must show.
        answer = self._call("GetItem", TableName=self._table, Key=_key(patient), ConsistentRead=True)
        return answer.get("Item")

    def _update(
        self,
        patient: PatientId,
        *,
        assign: Sequence[str] = (),
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        delete: Sequence[str] = (),
        values: dict[str, Any],
        condition: str | None = None,
        returns: str = "ALL_NEW",
    ) -> dict[str, Any]:
        """One UpdateItem: the caller's changes plus the bookkeeping every write carries."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        assign = [
            *assign,
            "#created_at = if_not_exists(#created_at, :now)",
            "#updated_at = :now",
            "#schema_version = :schema",
        ]
        values = {
            **values,
            ":now": {"S": now},
            ":schema": {"N": str(SCHEMA_VERSION)},
            ":one": {"N": "1"},
        }
        if not any(a.startswith("#welcomed ") for a in assign):
            # A new item answers "not welcomed yet" without a second write.
            assign.append("#welcomed = if_not_exists(#welcomed, :false)")
            values[":false"] = {"BOOL": False}
        expression = f"SET {', '.join(assign)} ADD {', '.join([*add, '#revision :one'])}"
        if remove:
            expression += f" REMOVE {', '.join(remove)}"
        if delete:
            expression += f" DELETE {', '.join(delete)}"
        used = f"{expression} {condition or ''}"
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": _key(patient),
            "UpdateExpression": expression,
            # DynamoDB refuses names it was given but did not use.
            "ExpressionAttributeNames": {n: n[1:] for n in _NAMES if n in used},
            "ExpressionAttributeValues": values,
            "ReturnValues": returns,
        }
        if condition:
            request["ConditionExpression"] = condition
        return self._call("UpdateItem", **request).get("Attributes", {})

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        """Run one DynamoDB call; every failure becomes a StoreError naming only its kind."""
        if not budget.affords(_worst_case(self.client)):
            raise _NotSent(f"DynamoDB {operation}: no time left in the turn")
        try:
            return getattr(self.client, _METHODS[operation])(**request)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "ClientError"))
            if code == "ConditionalCheckFailedException":
                raise _LostRace() from None
            # Only the operation and the error code: AWS messages may quote keys or values.
            raise StoreError(f"DynamoDB {operation}: {code}") from None
        except BotoCoreError as error:
            raise StoreError(f"DynamoDB {operation}: {type(error).__name__}") from None


def _worst_case(client: Any) -> float:
    """Seconds one call may take with this client's timeouts and retries."""
    config = client.meta.config
    attempts = int((config.retries or {}).get("total_max_attempts", 3))
    # botocore's standard backoff before attempt n is at most 2**(n - 2) seconds (jittered).
    backoff = sum(2 ** (n - 2) for n in range(2, attempts + 1))
    return attempts * (config.connect_timeout + config.read_timeout) + backoff


# The operations the store makes, and so the only ones the template's policy allows.
_METHODS = {"GetItem": "get_item", "UpdateItem": "update_item", "DeleteItem": "delete_item", "Query": "query"}


class _NotSent(StoreError):
    """The call was never made (the turn had no time left for it): nothing can have changed."""


class _LostRace(Exception):
    """Another write changed the item between our read and our conditional write."""


_NAMES = (
    "#treatments",
    "#welcomed",
    "#unconfirmed",
    "#zones",
    "#undated",
    "#planned",
    "#reminders",
    "#created_at",
    "#updated_at",
    "#schema_version",
    "#revision",
)


def _key(patient: PatientId) -> dict[str, Any]:
    return {PARTITION_KEY: {"S": patient.account}, SORT_KEY: {"S": patient.profile}}


def _parts(change: Change) -> dict[str, Any]:
    """The UpdateItem parts of a change that removes no date (so needs no read first)."""
    assign: list[str] = []
    add: list[str] = []
    remove: list[str] = []
    delete: list[str] = []
    values: dict[str, Any] = {}
    if change.add is not None:
        add.append("#treatments :day")
        values[":day"] = {"SS": [change.add.isoformat()]}
        if change.doubt:
            add.append("#unconfirmed :doubted")
            values[":doubted"] = {"SS": [change.add.isoformat()]}
    if change.confirm is not None:
        # DELETE takes one date out of the set; DynamoDB drops the attribute once it is empty.
        delete.append("#unconfirmed :confirmed")
        values[":confirmed"] = {"SS": [change.confirm.isoformat()]}
    if change.welcome:
        assign.append("#welcomed = :true")
        values[":true"] = {"BOOL": True}
    if change.zones is not None:
        assign.append("#zones = :zones")
        values[":zones"] = _zones_value(change.zones)
    if change.undated is not None:
        assign.append("#undated = :undated")
        values[":undated"] = {"S": change.undated.isoformat()}
    elif change.dated:
        remove.append("#undated")
    if change.plan is not None:
        add.append("#planned :planned")
        values[":planned"] = {"SS": [change.plan.isoformat()]}
    if change.reminders:
        assign.append("#reminders = :reminders")
        values[":reminders"] = _reminders_value(change.reminders)
    elif change.reminders is not None:
        remove.append("#reminders")
    return {"assign": assign, "add": add, "remove": remove, "delete": delete, "values": values}


def _whole(record: PatientRecord, seen: dict[str, Any]) -> dict[str, Any]:
    """The UpdateItem parts that write a whole record (DynamoDB stores no empty set)."""
    assign = ["#welcomed = :welcomed", "#zones = :zones"]
    remove: list[str] = []
    values: dict[str, Any] = {
        ":welcomed": {"BOOL": record.welcomed},
        ":zones": _zones_value(record.zones),
        **seen,
    }
    if record.treatments:
        assign.append("#treatments = :days")
        values[":days"] = {"SS": [d.isoformat() for d in record.treatments]}
    else:
        remove.append("#treatments")
    if record.undated is not None:
        assign.append("#undated = :undated")
        values[":undated"] = {"S": record.undated.isoformat()}
    else:
        remove.append("#undated")
    if record.unconfirmed:
        assign.append("#unconfirmed = :unconfirmed")
        values[":unconfirmed"] = {"SS": [d.isoformat() for d in record.unconfirmed]}
    else:
        remove.append("#unconfirmed")
    if record.planned:
        assign.append("#planned = :planned")
        values[":planned"] = {"SS": [d.isoformat() for d in record.planned]}
    else:
        remove.append("#planned")
    if record.reminders:
        assign.append("#reminders = :reminders")
        values[":reminders"] = _reminders_value(record.reminders)
    else:
        remove.append("#reminders")
    return {"assign": assign, "remove": remove, "values": values}


def _zones_value(zones: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"L": [{"M": {"device": {"S": d}, "zone": {"S": z}}} for d, z in zones]}


def _reminders_value(reminders: tuple[Reminder, ...]) -> dict[str, Any]:
    def value(r: Reminder) -> dict[str, Any]:
        fields = {"kind": {"S": r.kind}, "day": {"S": r.day.isoformat()}, "token": {"S": r.token}}
        return {"M": fields | ({"at": {"S": r.at.isoformat()}} if r.at else {})}

    return {"L": [value(r) for r in reminders]}


def _reminder(fields: dict[str, Any]) -> Reminder:
    at = fields.get("at", {}).get("S")
    day = date.fromisoformat(fields["day"]["S"])
    return Reminder(fields["kind"]["S"], day, fields["token"]["S"], time.fromisoformat(at) if at else None)


def _record(item: dict[str, Any]) -> PatientRecord:
    days = {date.fromisoformat(d) for d in item.get("treatments", {}).get("SS", [])}
    unconfirmed = item.get("unconfirmed", {}).get("SS", [])
    zones = item.get("zones", {}).get("L", [])
    undated = item.get("undated", {}).get("S")
    planned = item.get("planned", {}).get("SS", [])
    return PatientRecord(
        treatments=tuple(sorted(days)),
        welcomed=bool(item.get("welcomed", {}).get("BOOL", False)),
        unconfirmed=tuple(sorted(date.fromisoformat(d) for d in unconfirmed)),
        zones=tuple((z["M"]["device"]["S"], z["M"]["zone"]["S"]) for z in zones),
        undated=date.fromisoformat(undated) if undated else None,
        planned=tuple(sorted(date.fromisoformat(d) for d in planned)),
        reminders=tuple(_reminder(r["M"]) for r in item.get("reminders", {}).get("L", [])),
    )

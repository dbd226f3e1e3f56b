"""Shared fixtures. `store` runs a test once per store the skill can use: the embedded SQLite
file and AWS's DynamoDB Local (the real engine, started once per session on loopback)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for
from laser_recovery.store import TreatmentStore
from laser_recovery.store.dynamodb import DynamoDBStore
from laser_recovery.store.sqlite import SQLiteStore
from tests import dynamodb_local
from tests.alexa import LOOPBACK_API, SKILL_ID, SettingsApi, settings_api_server

# Never real AWS: dummy credentials and a fixed region, whatever the machine has configured.
_LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_UNSET = ("AWS_SESSION_TOKEN", "AWS_PROFILE")


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """DynamoDB Local, with boto3 pointed at it through AWS_ENDPOINT_URL_DYNAMODB."""
    try:
        server = dynamodb_local.start()
    except dynamodb_local.DynamoDBLocalError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        with pytest.MonkeyPatch.context() as env:
            for name, value in _LOCAL_AWS_ENV.items():
                env.setenv(name, value)
            for name in _UNSET:
                env.delenv(name, raising=False)
            env.setenv("AWS_ENDPOINT_URL_DYNAMODB", server.endpoint)
            yield server.endpoint
    finally:
        server.stop()


@pytest.fixture
def dynamodb_table(dynamodb_endpoint: str) -> Iterator[str]:
    """A fresh table, with the deployment template's key schema, for one test."""
    client = boto3.client("dynamodb")
    name = f"treatments-{uuid.uuid4().hex[:12]}"
    dynamodb_local.create_table(client, name)
    yield name
    client.delete_table(TableName=name)


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TreatmentStore:
    """A fresh, empty TreatmentStore of each kind."""
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "store.sqlite3")
    return DynamoDBStore(request.getfixturevalue("dynamodb_table"))


@pytest.fixture(scope="module")
def settings_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SettingsApi, str, Path]]:
    """The HTTPS stand-in for the Alexa Settings API, on loopback, for one test module."""
    with settings_api_server(tmp_path_factory.mktemp("tls")) as running:
        yield running


@pytest.fixture
def api(settings_api: tuple[SettingsApi, str, Path], monkeypatch: pytest.MonkeyPatch) -> SettingsApi:
    """The stand-in, answering every device it knows, trusted through its own CA bundle."""
    server, url, ca_bundle = settings_api
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_bundle))
    server.zones.clear()
    server.behaviour, server.outage_calls = "up", None
    server.calls = 0
    server.url = url
    server.reminders.reset()
    return server


@pytest.fixture
def handler(store: TreatmentStore):
    """The skill's Lambda entry point on a fresh store of each kind."""
    return lambda_handler_for(Settings(skill_id=SKILL_ID, alexa_api_hosts=LOOPBACK_API), store=store)

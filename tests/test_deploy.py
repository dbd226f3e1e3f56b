"""The deployment template: valid, and granting the store exactly what it uses."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from laser_recovery.store import PatientId
from laser_recovery.store.dynamodb import PARTITION_KEY, SORT_KEY, _key
from tests.alexa import LOOPBACK_API, SKILL_ID, Conversation
from tests.dynamodb_local import REPO, TEMPLATE, load_template, table_schema

STORE_SOURCE = REPO / "lambda" / "laser_recovery" / "store" / "dynamodb.py"
ALLOWED = {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"}


@pytest.fixture(scope="module")
def template() -> dict:
    return load_template()


def test_cfn_lint_passes() -> None:
    # The same entry point as the `cfn-lint` command, run by this interpreter.
    runner = "import sys; from cfnlint.runner import main; sys.exit(main())"
    lint = subprocess.run([sys.executable, "-c", runner, str(TEMPLATE)], capture_output=True, text=True, cwd=REPO)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_table_is_keyed_as_the_store_writes(template: dict) -> None:
    schema = table_schema()
    assert schema["KeySchema"] == [
        {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
    ]
    assert schema["AttributeDefinitions"] == [
        {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
        {"AttributeName": SORT_KEY, "AttributeType": "S"},
    ]
    # The store writes exactly those two attributes as an item's key.
    key = _key(PatientId("account-digest", "profile-digest"))
    assert key == {PARTITION_KEY: {"S": "account-digest"}, SORT_KEY: {"S": "profile-digest"}}
    table = template["Resources"]["TreatmentsTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_the_policy_allows_exactly_the_calls_the_store_makes(template: dict) -> None:
    function = template["Resources"]["SkillFunction"]["Properties"]
    statements = [s for policy in function["Policies"] for s in policy["Statement"]]
    assert len(statements) == 1
    (statement,) = statements
    assert statement["Effect"] == "Allow"
    assert set(statement["Action"]) == ALLOWED
    assert statement["Resource"] == {"GetAtt": "TreatmentsTable.Arn"}
    assert _boto3_calls(STORE_SOURCE) == ALLOWED


def test_the_function_matches_what_alexa_and_the_store_expect(template: dict) -> None:
    function = template["Resources"]["SkillFunction"]["Properties"]
    assert function["Handler"] == "lambda_function.lambda_handler"
    assert (REPO / "lambda" / "lambda_function.py").is_file()
    assert function["Architectures"] == ["arm64"]
    assert 3 < function["Timeout"] < 8
    variables = function["Environment"]["Variables"]
    assert variables == {"TABLE_NAME": {"Ref": "TreatmentsTable"}, "SKILL_ID": {"Ref": "SkillId"}}
    (event,) = function["Events"].values()
    assert event == {"Type": "AlexaSkill", "Properties": {"SkillId": {"Ref": "SkillId"}}}
    assert "SkillFunctionArn" in template["Outputs"]


def _boto3_calls(path: Path) -> set[str]:
    """The DynamoDB operations named in the store's `_call("Operation", ...)` calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"dynamodb:{node.args[0].value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "_call"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


BUILD = REPO / "build" / "lambda"


def test_the_lambda_zip_carries_the_skill_and_not_the_laptop_tools() -> None:
    archive = REPO / "build" / "lambda.zip"
    if not archive.exists():
        pytest.skip("no build/lambda.zip: run `make package` (CI does, before the tests)")
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        assert zipped.testzip() is None
        endpoints = json.loads(zipped.read("botocore/data/endpoints.json"))
    assert {
        "lambda_function.py",
        "laser_recovery/skill.py",
        "laser_recovery/content/en-US.toml",
        "laser_recovery/content/protocol.toml",
        "laser_recovery/content/en-US.json",
        "laser_recovery/content/protocol.json",
        "ask_sdk_core/__init__.py",
        "boto3/__init__.py",
        "botocore/data/endpoints.json",
        "certifi/cacert.pem",
    } <= names
    assert not any(n.startswith(("laser_recovery/web/", "laser_recovery/console/")) for n in names)
    # Of botocore's service models, DynamoDB's current version alone; no HTTP library but
    # botocore's urllib3 (the skill's Settings API client is its own).
    models = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and n.count("/") > 2}
    assert models == {"dynamodb"}
    assert len({n.split("/")[3] for n in names if n.startswith("botocore/data/dynamodb/") and n.count("/") > 3}) == 1
    assert not any(n.startswith(("requests/", "idna/", "charset_normalizer/", "boto3/data/")) for n in names)
    # Every partition, with DynamoDB's endpoints alone: what a DynamoDB client reads of it.
    assert {p["partition"] for p in endpoints["partitions"]} >= {"aws", "aws-cn", "aws-us-gov"}
    assert all(set(p["services"]) == {"dynamodb"} for p in endpoints["partitions"])
    assert archive.stat().st_size <= 6_000_000


class Packaged:
    """`lambda_function.lambda_handler` run from build/lambda alone, in a process of its own.

    `-S` keeps the virtual environment's site-packages off the path: a module the package
    left out fails the import here as it would on Lambda.
    """

    def __init__(self, **env: str) -> None:
        loop = (
            "import json, sys\n"
            "from lambda_function import lambda_handler\n"
            "for line in sys.stdin:\n"
            "    print(json.dumps(lambda_handler(json.loads(line), None)), flush=True)\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-S", "-c", loop],
            env={**os.environ, "PYTHONPATH": str(BUILD), "PYTHONDONTWRITEBYTECODE": "1", **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, self.stop()
        reply: dict[str, Any] = json.loads(line)
        return reply

    def stop(self) -> str:
        """End the process; what it wrote to stderr."""
        _, errors = self.process.communicate(timeout=30)
        return errors


@pytest.mark.parametrize("store", ["sqlite", "dynamodb"])
def test_the_packaged_function_answers_on_either_store(store: str, api, tmp_path: Path, request) -> None:
    if not (BUILD / "lambda_function.py").exists():
        pytest.skip("no build/lambda: run `make package` (CI does, before the tests)")
    env = {"ALEXA_API_HOSTS": ",".join(LOOPBACK_API), "SKILL_ID": SKILL_ID}
    if store == "sqlite":
        env["LOCAL_STORE"] = str(tmp_path / "store.sqlite3")
    else:
        env["TABLE_NAME"] = request.getfixturevalue("dynamodb_table")  # botocore from the package
    function = Packaged(**env)
    talk = Conversation(function, api_endpoint=api.url, now="2026-11-28T09:00:00Z")
    api.zones[talk.device_id] = "America/Los_Angeles"
    assert "20261003" in talk.say("RecordTreatmentIntent", date="2026-10-03").ssml
    talk.hang_up()
    # Day 56 in Los Angeles, still day 55 where the day starts last: a yes means the zone was read.
    assert talk.say("SunIntent").text.startswith("Yes")
    assert function.stop() == ""  # no warning: the Settings API and the store both answered


def test_the_packaged_function_starts_without_what_it_does_not_need(tmp_path: Path) -> None:
    """What a cold start on SQLite must not import: the AWS SDK, HTTP libraries (the Settings
    API client speaks HTTP itself), the TOML parser (the package carries JSON copies)."""
    if not (BUILD / "lambda_function.py").exists():
        pytest.skip("no build/lambda: run `make package` (CI does, before the tests)")
    probe = (
        "import sys\n"
        "import lambda_function\n"
        "from laser_recovery.recovery import Protocol\n"
        "from laser_recovery.speech import speech_for\n"
        "speech_for('en-US', Protocol.load())\n"
        "unneeded = {'boto3', 'botocore', 'requests', 'urllib3', 'http.client', 'email', 'tomllib', 'xml.sax',\n"
        "            'certifi'}\n"
        "print(sorted(unneeded & set(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(BUILD), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("TABLE_NAME", None)
    env["LOCAL_STORE"] = str(tmp_path / "store.sqlite3")
    run = subprocess.run([sys.executable, "-S", "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"

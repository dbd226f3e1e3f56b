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
    parameters = template["Parameters"]
    assert function["Handler"] == {"Ref": "LambdaHandler"}
    assert parameters["LambdaHandler"]["AllowedValues"] == ["lambda_function.lambda_handler"]
    assert (REPO / "lambda" / "lambda_function.py").is_file()
    assert function["Runtime"] == {"Ref": "LambdaRuntime"}
    assert parameters["LambdaRuntime"]["AllowedValues"] == ["python3.13"]
    assert function["Architectures"] == ["arm64"]
    assert 3 < function["Timeout"] < 8
    variables = function["Environment"]["Variables"]
    assert variables == {"TABLE_NAME": {"Ref": "TreatmentsTable"}, "SKILL_ID": {"Ref": "SkillId"}}
    (event,) = function["Events"].values()
    assert event == {"Type": "AlexaSkill", "Properties": {"SkillId": {"Ref": "SkillId"}}}
    assert template["Outputs"]["SkillEndpoint"]["Value"] == {"GetAtt": "SkillFunction.Arn"}


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


# -- `make deploy`: the ASK CLI's CloudFormation deployer, checked offline --------------------

RESOURCES = REPO / "ask-resources.json"
MANIFEST = REPO / "skill-package" / "skill.json"
# What the ASK CLI 2.30's cfn-deployer passes to every stack it deploys: a parameter the
# template does not declare fails the stack.
CLI_PARAMETERS = {"SkillId", "LambdaRuntime", "LambdaHandler", "CodeBucket", "CodeKey", "CodeVersion"}
PLACEHOLDERS = ("123456789012", "arn:aws:lambda", "REPLACE", "TODO", "your-")


def deployer() -> dict[str, Any]:
    resources = json.loads(RESOURCES.read_text(encoding="utf-8"))
    infrastructure: dict[str, Any] = resources["profiles"]["default"]["skillInfrastructure"]
    assert infrastructure["type"] == "@ask-cli/cfn-deployer"
    return infrastructure["userConfig"]


def test_the_template_takes_exactly_what_the_ask_cli_passes(template: dict) -> None:
    config = deployer()
    assert (REPO / config["templatePath"]).resolve() == TEMPLATE.resolve()
    passed = CLI_PARAMETERS | set(config["cfn"]["parameters"])
    declared = template["Parameters"]
    assert passed <= set(declared)
    assert {name for name, p in declared.items() if "Default" not in p} <= CLI_PARAMETERS  # nothing asked by hand
    assert config["runtime"] in declared["LambdaRuntime"]["AllowedValues"]
    assert config["handler"] in declared["LambdaHandler"]["AllowedValues"]
    # Naming the skill's client credentials would make the CLI fetch and pass them: it has none to use.
    assert "SkillClient" not in TEMPLATE.read_text(encoding="utf-8")
    # A SAM template: CloudFormation expands it only when told it may.
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert "CAPABILITY_AUTO_EXPAND" in config["cfn"]["capabilities"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """template.yaml as CloudFormation expands it, with the values the ASK CLI passes."""
    from cfnlint.decode import decode
    from samtranslator.translator.transform import transform

    template, problems = decode(str(TEMPLATE))
    assert not problems and template is not None

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    values = {
        "SkillId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000",
        "LambdaRuntime": "python3.13",
        "LambdaHandler": "lambda_function.lambda_handler",
        "CodeBucket": "ask-laser-recovery-default-useast1-1",
        "CodeKey": "endpoint/build.zip",
        "CodeVersion": "1",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the ARNs it writes name a region
        expanded: dict[str, Any] = transform(json.loads(json.dumps(template)), values, NoManagedPolicies())
    path = tmp_path_factory.mktemp("rendered") / "template.json"
    path.write_text(json.dumps(expanded), encoding="utf-8")
    runner = "import sys; from cfnlint.runner import main; sys.exit(main())"
    lint = subprocess.run([sys.executable, "-c", runner, str(path)], capture_output=True, text=True, cwd=REPO)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    return expanded


def test_the_rendered_stack_wires_the_skill_and_the_function_both_ways(rendered: dict[str, Any]) -> None:
    resources = rendered["Resources"]
    (permission,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    # Only this skill may invoke the function...
    assert permission["Principal"] == "alexa-appkit.amazon.com"
    assert permission["EventSourceToken"] == {"Ref": "SkillId"}
    assert permission["FunctionName"] == {"Ref": "SkillFunction"}
    # ...the function refuses any other skill's requests...
    function = resources["SkillFunction"]["Properties"]
    assert function["Environment"]["Variables"]["SKILL_ID"] == {"Ref": "SkillId"}
    # ...runs the uploaded zip, replaced on each deploy...
    code = {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": {"Ref": "CodeKey"}, "S3ObjectVersion": {"Ref": "CodeVersion"}}
    assert function["Code"] == code
    # ...and is the skill's endpoint, read by the CLI from this output.
    assert rendered["Outputs"]["SkillEndpoint"]["Value"] == {"Fn::GetAtt": ["SkillFunction", "Arn"]}


def the_manifest_deployed(endpoint: str) -> dict[str, Any]:
    """skill.json as the ASK CLI sends it after the stack is up: the stack's SkillEndpoint as
    the endpoint of the requests and of the events, and the events from ask-resources.json."""
    manifest: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))["manifest"]
    events = deployer()["skillEvents"]
    manifest["apis"]["custom"]["endpoint"] = {"uri": endpoint}
    manifest["events"] = {
        "endpoint": {"uri": endpoint},
        "subscriptions": [{"eventName": name} for name in events["subscriptions"]],
    }
    return manifest


def test_no_placeholder_reaches_the_first_deploy() -> None:
    # Before the stack exists there is no function: an endpoint in the manifest (a made-up
    # ARN) would make the first `ask deploy` fail on a trigger it cannot set.
    committed = json.loads(MANIFEST.read_text(encoding="utf-8"))["manifest"]
    assert "endpoint" not in committed["apis"]["custom"]
    assert "events" not in committed  # the CLI adds them with the real endpoint (skillEvents)
    for path in (MANIFEST, RESOURCES, TEMPLATE):
        text = path.read_text(encoding="utf-8")
        assert not [p for p in PLACEHOLDERS if p in text], path


def test_the_deployed_manifest_sends_requests_and_events_to_the_function() -> None:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:ask-laser-recovery-SkillFunction-x"
    manifest = the_manifest_deployed(arn)
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": arn}
    assert manifest["events"]["endpoint"] == {"uri": arn}
    # The skill deletes a patient's dates when they disable it (tests/test_skill_events.py):
    # it must hear about it.
    assert {"eventName": "SKILL_DISABLED"} in manifest["events"]["subscriptions"]
    assert {"name": "alexa::alerts:reminders:skill:readwrite"} in manifest["permissions"]  # reminders
    assert deployer()["awsRegion"] == "us-east-1"  # where Alexa's North American requests start


def test_the_build_hook_hands_the_cli_the_zip_make_package_built(tmp_path: Path) -> None:
    archive = REPO / "build" / "lambda.zip"
    if not archive.exists():
        pytest.skip("no build/lambda.zip: run `make package` (CI does, before the tests)")
    # A stand-in `make`: the package is already built; the hook's job is to build and hand it over.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "make").write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/make-args"\n', encoding="utf-8")
    (bin_dir / "make").chmod(0o755)
    out = tmp_path / "ask" / "build.zip"
    out.parent.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([str(REPO / "hooks" / "build.sh"), str(out), "false"], cwd=out.parent, env=env, check=True)
    assert (bin_dir / "make-args").read_text().split() == ["-C", str(REPO), "--no-print-directory", "package"]
    assert out.read_bytes() == archive.read_bytes()


def ask_states(tmp_path: Path) -> Path:
    states = {
        "askcliStatesVersion": "2020-03-31",
        "profiles": {
            "default": {
                "skillId": "amzn1.ask.skill.1111",
                "skillInfrastructure": {
                    "@ask-cli/cfn-deployer": {
                        "deployState": {
                            "default": {
                                "s3": {"bucket": "ask-laserrecovery-default-useast1-1", "key": "endpoint/build.zip"},
                                "stackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/"
                                "ask-LaserRecovery-default-skillStack-1/0000",
                            }
                        }
                    }
                },
            }
        },
    }
    path = tmp_path / ".ask" / "ask-states.json"
    path.parent.mkdir()
    path.write_text(json.dumps(states), encoding="utf-8")
    return path


def test_the_skill_id_and_the_teardown_plan_come_from_what_the_cli_kept(tmp_path: Path, monkeypatch, capsys) -> None:
    from deploy import ask_project

    monkeypatch.setattr(ask_project, "STATES", ask_states(tmp_path))
    ask_project.main(["skill-id"])
    assert capsys.readouterr().out == "amzn1.ask.skill.1111\n"
    ask_project.main(["teardown", "--dry-run"])
    plan = capsys.readouterr().out
    assert "would delete the skill amzn1.ask.skill.1111" in plan
    assert "would delete the stack ask-LaserRecovery-default-skillStack-1" in plan
    assert "would delete the bucket ask-laserrecovery-default-useast1-1" in plan
    assert "table" not in plan  # the dates are never deleted on the way, only when asked


def test_nothing_deployed_is_said_in_one_line(tmp_path: Path, monkeypatch) -> None:
    from deploy import ask_project

    monkeypatch.setattr(ask_project, "STATES", tmp_path / ".ask" / "ask-states.json")
    with pytest.raises(SystemExit, match="nothing deployed from here yet"):
        ask_project.main(["skill-id"])


def test_after_a_teardown_the_next_deploy_starts_from_zero(tmp_path: Path, monkeypatch) -> None:
    from deploy import ask_project

    states = ask_states(tmp_path)
    manifest = tmp_path / "skill.json"
    deployed = {"manifest": the_manifest_deployed("arn:aws:lambda:us-east-1:000000000000:function:f")}
    manifest.write_text(json.dumps(deployed), encoding="utf-8")
    monkeypatch.setattr(ask_project, "STATES", states)
    monkeypatch.setattr(ask_project, "MANIFEST", manifest)
    ask_project._forget(ask_project.Deployed.load("default"))
    assert json.loads(manifest.read_text())["manifest"] == json.loads(MANIFEST.read_text())["manifest"]
    assert "default" not in json.loads(states.read_text())["profiles"]

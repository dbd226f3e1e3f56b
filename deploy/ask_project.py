"""What the ASK CLI's deploy left behind, read back: the skill id, and the teardown.

    python -m deploy skill-id
    python -m deploy teardown [--dry-run] [--erase-patient-data]

`ask deploy` (`make deploy`) keeps what it created in .ask/ask-states.json: the skill id,
and for the CloudFormation deployer the stack and the S3 bucket holding the code. The
teardown deletes the skill, the stack (function, role, logs) and that bucket. The table of
treatment dates outlives the stack (`DeletionPolicy: Retain`): it is deleted only when
asked (`--erase-patient-data`), and otherwise named so a clinic can export or delete it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATES = ROOT / ".ask" / "ask-states.json"
MANIFEST = ROOT / "skill-package" / "skill.json"
DEPLOYER = "@ask-cli/cfn-deployer"
ASK = ["npx", "--yes", "ask-cli@2.30.7"]


class Deployed:
    """The skill and the resources one ASK CLI profile deployed."""

    def __init__(self, states: dict[str, Any], profile: str) -> None:
        found = states.get("profiles", {}).get(profile)
        if not isinstance(found, dict) or not found.get("skillId"):
            raise SystemExit(f"deploy: no skill deployed for ASK profile {profile!r} ({STATES})")
        self.profile = profile
        self.skill_id: str = found["skillId"]
        regions = found.get("skillInfrastructure", {}).get(DEPLOYER, {}).get("deployState", {})
        self.stacks = [state["stackId"] for state in regions.values() if state.get("stackId")]
        buckets = {state.get("s3", {}).get("bucket") for state in regions.values()}
        self.buckets = sorted(bucket for bucket in buckets if bucket)

    @classmethod
    def load(cls, profile: str) -> Deployed:
        if not STATES.exists():
            raise SystemExit(f"deploy: nothing deployed from here yet ({STATES} is missing)")
        return cls(json.loads(STATES.read_text(encoding="utf-8")), profile)


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def teardown(deployed: Deployed, *, dry_run: bool, erase: bool, aws_profile: str | None) -> None:
    def say(line: str) -> None:
        print(("would " if dry_run else "") + line)

    tables = [] if dry_run else _tables(deployed, aws_profile)
    say(f"delete the skill {deployed.skill_id}")
    if not dry_run:
        delete = ["smapi", "delete-skill", "--skill-id", deployed.skill_id, "--profile", deployed.profile]
        subprocess.run([*ASK, *delete], check=True)
    for stack in deployed.stacks:
        say(f"delete the stack {stack.split('/')[1]} (the function, its role and its logs)")
        if not dry_run:
            cloudformation = _client("cloudformation", region_of(stack), aws_profile)
            cloudformation.delete_stack(StackName=stack)
            cloudformation.get_waiter("stack_delete_complete").wait(StackName=stack)
    for bucket in deployed.buckets:
        say(f"delete the bucket {bucket} (the uploaded code, every version)")
        if not dry_run:
            _empty_and_delete(bucket, aws_profile)
    for region, table in tables:
        if erase:
            say(f"delete the table {table} and every treatment date in it")
            _client("dynamodb", region, aws_profile).delete_table(TableName=table)
        else:
            print(
                f"kept the table {table} in {region}: it holds the patients' treatment dates. "
                "Run `make teardown ERASE_PATIENT_DATA=yes` to delete it too."
            )
    if not dry_run:
        _forget(deployed)


def _tables(deployed: Deployed, aws_profile: str | None) -> list[tuple[str, str]]:
    """The table each stack made (its output), read before the stack goes."""
    found = []
    for stack in deployed.stacks:
        described = _client("cloudformation", region_of(stack), aws_profile).describe_stacks(StackName=stack)
        for output in described["Stacks"][0].get("Outputs", []):
            if output["OutputKey"] == "TableName":
                found.append((region_of(stack), output["OutputValue"]))
    return found


def _empty_and_delete(bucket: str, aws_profile: str | None) -> None:
    s3 = _client("s3", None, aws_profile)
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
        if versions:
            objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
    s3.delete_bucket(Bucket=bucket)


def _forget(deployed: Deployed) -> None:
    """The next `make deploy` starts from zero: no skill id, and no endpoint in the manifest
    (the ASK CLI wrote the function's ARN there; a deleted function's would be refused)."""
    states = json.loads(STATES.read_text(encoding="utf-8"))
    states["profiles"].pop(deployed.profile, None)
    STATES.write_text(json.dumps(states, indent=2) + "\n", encoding="utf-8")
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    manifest["manifest"]["apis"]["custom"].pop("endpoint", None)
    manifest["manifest"].pop("events", None)
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _client(service: str, region: str | None, aws_profile: str | None) -> Any:
    import boto3

    return boto3.session.Session(profile_name=aws_profile).client(service, region_name=region)


def _aws_profile(ask_profile: str) -> str | None:
    """The AWS profile `ask configure` linked to the ASK profile."""
    config = Path(os.environ.get("ASK_CONFIG", Path.home() / ".ask" / "cli_config"))
    if not config.exists():
        return None
    linked = json.loads(config.read_text(encoding="utf-8")).get("profiles", {}).get(ask_profile, {})
    profile = linked.get("aws_profile")
    return profile if isinstance(profile, str) else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy")
    profile = os.environ.get("ASK_DEFAULT_PROFILE", "default")
    parser.add_argument("--profile", default=profile, help="the ASK CLI profile")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("skill-id", help="print the deployed skill's id")
    down = commands.add_parser("teardown", help="delete the skill, the function and the uploaded code")
    down.add_argument("--dry-run", action="store_true", help="say what would be deleted, and delete nothing")
    down.add_argument("--erase-patient-data", action="store_true", help="delete the table of treatment dates too")
    args = parser.parse_args(argv)
    deployed = Deployed.load(args.profile)
    if args.command == "skill-id":
        print(deployed.skill_id)
        return
    teardown(deployed, dry_run=args.dry_run, erase=args.erase_patient_data, aws_profile=_aws_profile(args.profile))

